"""Storing templates: import is idempotent and versions a changed file; search uses the
database's full-text index; pages are keyset pages in each sort order."""

import json

import pytest
from django.core.exceptions import ValidationError

from builder.errors import Conflict
from builder.library.models import Template, TemplateConnector
from builder.library.selectors import templates_listed, templates_page
from builder.library.services import template_file, template_import, template_verify
from builder.version import VERSION
from tests.library.conftest import greet_document

pytestmark = pytest.mark.django_db


def test_the_same_file_twice_makes_one_version_and_a_changed_one_the_next(greet):
    first, made = template_import(document=greet)
    assert (first.number, made) == (1, True)
    again, made = template_import(document=greet_document())
    assert (again.pk, made) == (first.pk, False)
    changed, made = template_import(document=greet_document(summary="Greets and welcomes."))
    assert (changed.number, made) == (2, True)
    template = Template.objects.get(slug="greet-a-new-hire")
    assert (template.latest_id, template.summary, template.read_only) == (changed.pk, "Greets and welcomes.", True)


def test_an_imported_template_is_verified_on_this_version_and_lists_its_connectors(greet):
    version, _ = template_import(document=greet)
    template = version.template
    assert template.verified_on == VERSION
    assert version.test_result["passed"] is True
    assert sorted(TemplateConnector.objects.filter(template=template).values_list("connector", flat=True)) == [
        "data", "moveworks"]  # fmt: skip


def test_a_failing_self_test_is_stored_but_never_verified(greet):
    greet["self_test"]["cases"][0]["expect"]["calls"]["tell"][0]["message"] = "Hi"
    version, _ = template_import(document=greet)
    assert version.template.verified_on == ""
    assert version.test_result["passed"] is False
    assert list(templates_listed(verified=True)) == []


def test_running_the_self_test_again_keeps_its_result(greet):
    version, _ = template_import(document=greet)
    Template.objects.filter(pk=version.template_id).update(verified_on="0.0.1")
    assert template_verify(template=version.template)["passed"] is True
    assert Template.objects.get(pk=version.template_id).verified_on == VERSION


def test_a_file_reads_back_to_the_same_template(greet):
    version, _ = template_import(document=greet)
    again, made = template_import(document=template_file(version))
    assert (again.pk, made) == (version.pk, False)


def test_a_bad_file_stores_nothing(greet):
    greet["category"] = "Nope"
    with pytest.raises(ValidationError):
        template_import(document=greet)
    assert not Template.objects.exists()


def test_a_workspaces_slug_is_not_taken_over_by_an_import(greet, personas):
    Template.objects.create(slug="greet-a-new-hire", workspace=personas.a, title="t", summary="s", category="HR",
                            use_case="query")  # fmt: skip
    with pytest.raises(Conflict):
        template_import(document=greet)


def _many(count: int) -> None:
    for n in range(count):
        template_import(document=greet_document(slug=f"t-{n:02d}", title=f"Template {n:02d}",
                                                summary=f"Number {n}", tags=["even" if n % 2 else "odd"]))  # fmt: skip


def test_search_finds_every_word_by_its_stem_or_prefix():
    _many(3)
    template_import(document=greet_document(slug="pto", title="Look up a PTO balance", summary="Answers days left.",
                                            tags=["leave"], category="HR"))  # fmt: skip
    titles = lambda q: sorted(t.title for t in templates_listed(q=q))  # noqa: E731
    assert titles("balances") == ["Look up a PTO balance"]
    assert titles("bal") == ["Look up a PTO balance"]
    assert titles("pto leave") == ["Look up a PTO balance"]
    assert titles("pto slack") == []
    assert len(titles("moveworks")) == 4  # a connector's name is indexed
    assert len(titles('"*:() & | ! (')) == 4  # no query syntax reaches the database: no words, no filter
    assert titles("pto) OR (slack") == []


def test_the_index_follows_a_new_version():
    _many(1)
    template_import(document=greet_document(slug="t-00", title="Renamed entirely", summary="Number 0"))
    assert [t.slug for t in templates_listed(q="renamed")] == ["t-00"]
    assert [t.slug for t in templates_listed(q="Template")] == []


@pytest.mark.parametrize("sort", ["popular", "new", "name"])
def test_keyset_pages_walk_every_template_once_in_order(sort):
    _many(7)
    for n, template in enumerate(Template.objects.order_by("id")):
        Template.objects.filter(pk=template.pk).update(clone_count=n % 3)
    seen, cursor = [], ""
    while True:
        page = templates_page(templates_listed(), sort=sort, cursor=cursor, size=3)
        seen += page.templates
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len({t.pk for t in seen}) == len(seen) == 7
    key = {"popular": lambda t: (-t.clone_count, -t.pk), "new": lambda t: (-t.created_at.timestamp(), -t.pk),
           "name": lambda t: (t.title, t.pk)}[sort]  # fmt: skip
    assert seen == sorted(seen, key=key)


@pytest.mark.parametrize("cursor", ["nonsense", "WzEsMl0", "eyJhIjogMX0"])
def test_a_cursor_no_page_gave_is_refused(cursor):
    with pytest.raises(ValidationError) as caught:
        templates_page(templates_listed(), sort="name", cursor=cursor)
    assert "cursor" in caught.value.message_dict


def test_filters_by_category_use_case_and_connector():
    _many(2)
    template_import(document=greet_document(slug="it-one", category="IT"))
    assert [t.slug for t in templates_listed(category="IT")] == ["it-one"]
    assert [t.slug for t in templates_listed(q="it")] == ["it-one"]  # a stop word in English, a category here
    assert len(templates_listed(use_case="query")) == 3
    assert len(templates_listed(use_case="paths")) == 0
    assert len(templates_listed(connector="moveworks")) == 3
    assert len(templates_listed(connector="slack")) == 0
    with pytest.raises(ValidationError):
        templates_listed(category="Gardening")


def test_a_template_without_a_version_is_neither_listed_nor_shown(greet, personas, api_as):
    version, _ = template_import(document=greet)
    Template.objects.filter(pk=version.template_id).update(latest=None)
    client = api_as(personas.owner)
    assert client.get("/api/templates/").json()["results"] == []
    for url in ("", "file/", "self-test/", "clone/"):
        method = client.get if url in ("", "file/") else client.post
        assert method(f"/api/templates/{version.template_id}/{url}").status_code == 404, url


def test_long_titles_in_other_scripts_page_by_name(personas, api_as):
    for n in range(3):
        template_import(document=greet_document(slug=f"ru-{n}", title=f"{'Приветствие нового сотрудника ' * 3}{n}"))
    client = api_as(personas.owner)
    page = client.get("/api/templates/?sort=name&page_size=1").json()
    seen = [t["slug"] for t in page["results"]]
    while page["next"]:
        page = client.get(f"/api/templates/?sort=name&page_size=1&cursor={page['next']}").json()
        seen += [t["slug"] for t in page["results"]]
    assert seen == ["ru-0", "ru-1", "ru-2"]


def test_a_seed_file_whose_slug_a_workspace_took_is_skipped_and_setup_goes_on(personas, monkeypatch, tmp_path):
    from builder.library import services

    (tmp_path / "greet-a-new-hire.json").write_text(json.dumps(greet_document()))
    (tmp_path / "pto.json").write_text(json.dumps(greet_document(slug="pto")))
    Template.objects.create(slug="greet-a-new-hire", workspace=personas.a, title="t", summary="s", category="HR",
                            use_case="query")  # fmt: skip
    monkeypatch.setattr(services, "SEED_DIR", tmp_path)
    counts = services.seed_load()
    assert (counts["stored"], len(counts["skipped"])) == (1, 1)
    assert "greet-a-new-hire.json" in counts["skipped"][0]


def test_only_builders_run_a_self_test_again(greet, personas, api_as):
    version, _ = template_import(document=greet)
    assert api_as(personas.viewer).post(f"/api/templates/{version.template_id}/self-test/").status_code == 403
    assert api_as(personas.owner).post(f"/api/templates/{version.template_id}/self-test/").status_code == 200
