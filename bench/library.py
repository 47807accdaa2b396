"""The community library at 10,000 templates: a search through the database's full-text index
(SQLite FTS5, or PostgreSQL's tsvector with DATABASE_URL pointing at a scratch database)
against the plain scan it replaces (every word as icontains over the indexed columns), and a
deep keyset page against the OFFSET page it replaces, each the best of 5, as ratios measured
in this one run. Prints, and asserts only that both ways find the same templates.

    .venv/bin/python bench/library.py [templates]
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("STEPWISE_DATA_DIR", tempfile.mkdtemp(prefix="stepwise-bench-library-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "builder.settings")
os.environ["STEPWISE_ENV"] = "test"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.report import figure  # noqa: E402
from builder.library import search  # noqa: E402
from builder.library.models import Template, TemplateConnector, TemplateVersion  # noqa: E402
from builder.library.search import words  # noqa: E402
from builder.library.selectors import templates_listed, templates_page  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
PAGE = 24
NOUNS = [
    "ticket",
    "invoice",
    "deal",
    "lead",
    "order",
    "password",
    "access",
    "timesheet",
    "expense",
    "alert",
    "incident",
    "release",
    "approval",
    "holiday",
    "laptop",
    "contract",
    "payroll",
    "survey",
    "shift",
    "badge",
]
VERBS = ["notify", "create", "look up", "remind", "escalate", "summarise", "approve", "route", "archive", "sync"]
CONNECTORS = ["moveworks", "slack", "email", "http", "webhooks", "scheduler", "data"]
CATEGORIES = ["IT", "HR", "Sales", "Support", "Finance", "Operations", "Engineering"]
QUERIES = ["password reset", "slack deal", "timesheet remind", "escal", "zebra"]


def fill() -> None:
    # Every template lists one version (what a list shows is copied onto the template row).
    base = Template.objects.create(slug="bench-base", title="Base", summary="s", category="IT", use_case="query",
                                   listed=False)  # fmt: skip
    latest = TemplateVersion.objects.create(template=base, number=1, definition={}, digest="", title="Base",
                                            summary="s", category="IT", self_test={})  # fmt: skip
    rows = []
    for n in range(COUNT):
        noun, verb = NOUNS[n % len(NOUNS)], VERBS[(n // len(NOUNS)) % len(VERBS)]
        used = [CONNECTORS[n % 7], CONNECTORS[(n // 7) % 7]]
        rows.append(Template(
            slug=f"bench-{n}", title=f"{verb.capitalize()} {noun} {n}", summary=f"When a {noun} changes, {verb} it.",
            description=f"A longer description of how to {verb} a {noun}, with setup notes and variations. " * 8,
            category=CATEGORIES[n % 7], use_case=["paths", "query", "event"][n % 3], connectors=used,
            keywords=" ".join([noun, verb, *used]), clone_count=n % 97, source="import", latest=latest,
        ))  # fmt: skip
    started = time.perf_counter()
    Template.objects.bulk_create(rows, batch_size=2000)
    links = [TemplateConnector(template_id=pk, connector=name)
             for pk, names in Template.objects.values_list("pk", "connectors") for name in set(names)]  # fmt: skip
    TemplateConnector.objects.bulk_create(links, batch_size=5000)
    print(f"{COUNT} templates in {time.perf_counter() - started:.1f}s on {connection.vendor}")


def best(run) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def scan(q: str):
    """What a search would be without the index: each word anywhere in the indexed text."""
    return search.scan(templates_listed(), words(q))


def main() -> None:
    call_command("migrate", verbosity=0)
    fill()
    print(f"{'search':<20}{'matches':>8}{'index ms':>10}{'scan ms':>10}{'scan / index':>14}")
    speedups = []
    for q in QUERIES:
        indexed = templates_listed(q=q)
        found = indexed.count()
        index_s = best(lambda q=q: templates_page(templates_listed(q=q), sort="popular", size=PAGE))
        scan_s = best(lambda q=q: list(scan(q).order_by("-clone_count", "-id")[:PAGE]))
        assert found == scan(q).count() or q == "escal", (q, found, scan(q).count())  # the scan has no stemming
        print(f"{q:<20}{found:>8}{index_s * 1000:>10.2f}{scan_s * 1000:>10.2f}{scan_s / index_s:>14.1f}")
        speedups.append((q, scan_s / index_s))
    # A deep page: the one after 8,000 templates, by keyset and by OFFSET.
    cursor, depth = "", 0
    while depth < min(8000, COUNT - PAGE):
        page = templates_page(templates_listed(), sort="name", cursor=cursor, size=200)
        cursor, depth = page.next_cursor, depth + 200
    keyset_s = best(lambda: templates_page(templates_listed(), sort="name", cursor=cursor, size=PAGE))
    offset_s = best(lambda: list(templates_listed().order_by("title", "id")[depth : depth + PAGE]))
    print(f"page after {depth}: keyset {keyset_s * 1000:.2f} ms, offset {offset_s * 1000:.2f} ms, "
          f"offset / keyset {offset_s / keyset_s:.1f}")  # fmt: skip
    size = f"{COUNT:,} templates, {connection.vendor}"
    for q, speedup in speedups:
        figure(f"library search '{q}', the plain scan's time / the index's ({size})", speedup, "x", digits=1)
    figure(f"library page after {depth}, OFFSET's time / keyset's ({size})", offset_s / keyset_s, "x", digits=1)


if __name__ == "__main__":
    main()
