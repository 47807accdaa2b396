"""Full-text search of the library with the database's own index: SQLite's FTS5 (a table the
database keeps in step with triggers), PostgreSQL's tsvector (a generated column with a GIN
index). Both index the title, summary, description and keywords (tags, connectors, category)
with English stemming, and match every word of the query, by its stem or as a prefix."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

MAX_WORDS = 12
COLUMNS = ("title", "summary", "description", "keywords")

# SQLite rebuilds a table to alter it, and its triggers go with the old one: a later migration
# that alters library_template on SQLite runs SQLITE_DROP before and SQLITE_CREATE after.
SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE library_template_fts USING fts5(title, summary, description, keywords, "
    "content='library_template', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER library_template_fts_insert AFTER INSERT ON library_template BEGIN "
    "INSERT INTO library_template_fts(rowid, title, summary, description, keywords) "
    "VALUES (new.id, new.title, new.summary, new.description, new.keywords); END",
    "CREATE TRIGGER library_template_fts_delete AFTER DELETE ON library_template BEGIN "
    "INSERT INTO library_template_fts(library_template_fts, rowid, title, summary, description, keywords) "
    "VALUES ('delete', old.id, old.title, old.summary, old.description, old.keywords); END",
    # Only when an indexed column changes: a clone's count is no reason to reindex.
    "CREATE TRIGGER library_template_fts_update AFTER UPDATE OF title, summary, description, keywords "
    "ON library_template BEGIN "
    "INSERT INTO library_template_fts(library_template_fts, rowid, title, summary, description, keywords) "
    "VALUES ('delete', old.id, old.title, old.summary, old.description, old.keywords); "
    "INSERT INTO library_template_fts(rowid, title, summary, description, keywords) "
    "VALUES (new.id, new.title, new.summary, new.description, new.keywords); END",
    "INSERT INTO library_template_fts(library_template_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS library_template_fts_insert",
    "DROP TRIGGER IF EXISTS library_template_fts_delete",
    "DROP TRIGGER IF EXISTS library_template_fts_update",
    "DROP TABLE IF EXISTS library_template_fts",
]
POSTGRES_CREATE = [
    "ALTER TABLE library_template ADD COLUMN search tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') || "
    # Keywords (tags, connectors, the category) without stop words: "IT" is one in English.
    "setweight(to_tsvector('simple'::regconfig, coalesce(keywords, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'D')) STORED",
    "CREATE INDEX library_template_search ON library_template USING gin (search)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS library_template_search",
    "ALTER TABLE library_template DROP COLUMN IF EXISTS search",
]


def index_statements(vendor: str, *, create: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if vendor == "postgresql":
        return POSTGRES_CREATE if create else POSTGRES_DROP
    return []


def words(query: str) -> list[str]:
    """The words of a search box's text: letters and digits only, so no query syntax of
    either database can be typed into it."""
    return re.findall(r"[^\W_]+", query.lower())[:MAX_WORDS]


def matching(templates: QuerySet, query: str) -> QuerySet:
    """The templates whose indexed text has every word of `query` (a word's prefix matches)."""
    found = words(query)
    if not found:
        return templates
    if connection.vendor == "postgresql":
        # Each word by its English stem, or as it is (a stop word in the keywords, such as "it").
        each = "search @@ (to_tsquery('english'::regconfig, %s) || to_tsquery('simple'::regconfig, %s))"
        sql = f"SELECT id FROM library_template WHERE {' AND '.join([each] * len(found))}"  # noqa: S608 (no input in it)
        params = [f"{word}:*" for word in found for _ in range(2)]
        return templates.filter(id__in=RawSQL(sql, params))  # noqa: S611 (the words are bound parameters)
    if connection.vendor == "sqlite":
        match = " ".join(f'"{word}"*' for word in found)
        sql = "SELECT rowid FROM library_template_fts WHERE library_template_fts MATCH %s"
        return templates.filter(id__in=RawSQL(sql, [match]))  # noqa: S611 (the words are a bound parameter)
    return scan(templates, found)  # another database: correct if slow


def scan(templates: QuerySet, found: list[str]) -> QuerySet:
    """The templates whose indexed columns hold every word, read row by row: what the index
    saves (bench/library.py measures both)."""
    for word in found:
        templates = templates.filter(Q(title__icontains=word) | Q(summary__icontains=word)
                                     | Q(description__icontains=word) | Q(keywords__icontains=word))  # fmt: skip
    return templates
