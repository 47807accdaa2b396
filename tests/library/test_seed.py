"""The seed library: at least 20 templates covering the three use cases and every built-in
connector, each self-test passing; loading it twice changes nothing; and each template comes
back equal from a round trip: clone it, publish the clone back to the library, clone that."""

import json

import pytest

from builder.library.document import parse_template
from builder.library.models import Template
from builder.library.publishing import template_publish
from builder.library.screening import screen
from builder.library.selftest import run_self_test
from builder.library.services import SEED_DIR, seed_load, template_clone
from connectors.registry import registry

SEEDS = sorted(SEED_DIR.glob("*.json"))


def test_the_seed_covers_the_use_cases_and_every_built_in_connector():
    specs = [parse_template(json.loads(path.read_text())) for path in SEEDS]
    assert len(specs) >= 20
    assert {spec.use_case for spec in specs} == {"paths", "query", "event"}
    assert {name for spec in specs for name in spec.connectors} >= set(registry())
    assert [spec.slug for spec in specs] == [path.stem for path in SEEDS]
    kinds = {spec.definition["trigger"]["kind"] for spec in specs}
    assert kinds == {"api_request", "webhook", "schedule", "poll"}


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_a_seed_templates_self_test_passes_and_its_samples_are_clean(path):
    spec = parse_template(json.loads(path.read_text()))
    result = run_self_test(spec)
    assert result["passed"], [(c["name"], c["problems"]) for c in result["cases"]]
    assert screen(spec.self_test) == []
    assert all(spec.setup_notes.get(slot) for slot in spec.definition.get("connections", {}))


@pytest.mark.django_db
def test_loading_the_seed_twice_changes_nothing():
    first = seed_load()
    assert first == {"stored": len(SEEDS), "unchanged": 0, "skipped": []}
    assert seed_load() == {"stored": 0, "unchanged": len(SEEDS), "skipped": []}
    assert Template.objects.exclude(verified_on="").count() == len(SEEDS)


@pytest.mark.django_db
def test_every_seed_template_survives_clone_publish_back_and_clone(personas):
    seed_load()
    for template in Template.objects.select_related("latest").order_by("slug"):
        version = template.latest
        clone = template_clone(template=template, workspace=personas.a, author=personas.owner)
        published = template_publish(recipe=clone, author=personas.owner, title=version.title, summary=version.summary,
                                     category=version.category, description=version.description, tags=version.tags,
                                     setup_notes=version.setup_notes, self_test=version.self_test)  # fmt: skip
        assert published.template.workspace_id == personas.a.pk
        assert published.test_result["passed"], template.slug
        again = template_clone(template=published.template, workspace=personas.b, author=personas.outsider)
        assert again.draft == version.definition, template.slug
        assert again.bindings == {}
