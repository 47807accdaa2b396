"""Reads of the library: the listed templates searched, filtered, sorted and paged by keyset
(a page costs the same at the ten-thousandth template as at the first), and one template."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from builder.library.models import CATEGORIES, Template, TemplateConnector, UseCase
from builder.library.search import matching
from builder.workspaces.access import parse_id

# sort -> (field, descending); ties go by id the same way.
SORTS = {"popular": ("clone_count", True), "new": ("created_at", True), "name": ("title", False)}
MAX_PAGE = 100


@dataclass
class Page:
    templates: list[Template]
    next_cursor: str | None


def _encode(value, pk: int) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    return base64.urlsafe_b64encode(json.dumps([value, pk]).encode()).decode().rstrip("=")


def _decode(cursor: str, field: str):
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if field == "created_at":
            value = datetime.fromisoformat(value)
        if not isinstance(pk, int) or (field == "clone_count" and not isinstance(value, int)):
            raise ValueError
        if field == "title" and (not isinstance(value, str) or "\x00" in value):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationError({"cursor": "This cursor is not one a page of this list gave."}) from None
    return value, pk


def templates_listed(*, q: str = "", category: str = "", use_case: str = "", connector: str = "",
                     verified: bool | None = None) -> QuerySet[Template]:  # fmt: skip
    """The listed templates that match the search words and every filter given."""
    if category and category not in CATEGORIES:
        raise ValidationError({"category": f"Choose one of {', '.join(CATEGORIES)}."})
    if use_case and use_case not in UseCase.values:
        raise ValidationError({"use_case": f"Choose one of {', '.join(UseCase.values)}."})
    templates = Template.objects.filter(listed=True, latest__isnull=False).defer("description")
    if category:
        templates = templates.filter(category=category)
    if use_case:
        templates = templates.filter(use_case=use_case)
    if connector:
        templates = templates.filter(id__in=TemplateConnector.objects.filter(connector=connector).values("template"))
    if verified is not None:
        templates = templates.exclude(verified_on="") if verified else templates.filter(verified_on="")
    return matching(templates, q)


def templates_page(templates: QuerySet[Template], *, sort: str = "popular", cursor: str = "",
                   size: int = 24) -> Page:  # fmt: skip
    """One page in `sort` order after `cursor` (a page's next_cursor), and the next cursor."""
    if sort not in SORTS:
        raise ValidationError({"sort": f"Sort by {', '.join(SORTS)}."})
    field, descending = SORTS[sort]
    if cursor:
        value, pk = _decode(cursor, field)
        after = "lt" if descending else "gt"
        templates = templates.filter(Q(**{f"{field}__{after}": value}) | Q(**{field: value, f"id__{after}": pk}))
    order = (f"-{field}", "-id") if descending else (field, "id")
    rows = list(templates.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, _encode(getattr(rows[-1], field), rows[-1].pk) if more else None)


def facets() -> dict:
    """What the filters offer: the categories, use cases and connectors of listed templates."""
    listed = Template.objects.filter(listed=True, latest__isnull=False)
    pairs = set(listed.values_list("category", "use_case").distinct())
    connectors = TemplateConnector.objects.filter(template__in=listed).values_list("connector", flat=True).distinct()
    used = {use_case for _, use_case in pairs}
    return {
        "categories": sorted({category for category, _ in pairs}),
        "use_cases": [value for value in UseCase.values if value in used],
        "connectors": sorted(connectors),
    }


def template_get(template_id) -> Template:
    """A template by id, with a version to show (access.access_template says who may see it)."""
    found = Template.objects.select_related("latest").filter(pk=parse_id(template_id), latest__isnull=False).first()
    if found is None:
        raise Http404("No such template.")
    return found
