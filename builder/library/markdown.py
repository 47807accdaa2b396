"""A template's description, Markdown rendered to HTML that is safe to put in a page: no raw
HTML passes the parser (markdown-it's js-default preset escapes it, and refuses javascript:
and data: links), and what it makes is cleaned again by nh3 (Ammonia) with links marked
nofollow, so that a description published by one workspace cannot script another's page."""

import nh3
from markdown_it import MarkdownIt

_parser = MarkdownIt("js-default")
TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "hr",
        "table", "thead", "tbody", "tr", "th", "td"}  # fmt: skip


def render_markdown(text: str) -> str:
    html = _parser.render(text or "")
    # A description's headings sit under the page's own h1 and h2.
    for level, to in (("h1", "h3"), ("h2", "h4")):
        html = html.replace(f"<{level}>", f"<{to}>").replace(f"</{level}>", f"</{to}>")
    return nh3.clean(html, tags=TAGS, attributes={"a": {"href", "title"}}, link_rel="nofollow noopener noreferrer",
                     url_schemes={"http", "https", "mailto"})  # fmt: skip
