from django import template
from django.utils.safestring import SafeString, mark_safe

from builder.library.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """A template's description as HTML: render_markdown escapes raw HTML and cleans what it makes."""
    return mark_safe(render_markdown(text))  # noqa: S308 (nh3 has cleaned it)
