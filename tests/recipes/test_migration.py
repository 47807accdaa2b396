"""The drafts migration keeps every existing recipe's behaviour: its last version becomes its
draft, and stays live where it ran (a running recipe, a function recipe)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from builder.recipes.definitions import digest

BEFORE = [("recipes", "0001_initial"), ("jobs", "0001_initial")]
AFTER = [("recipes", "0004_draft_required"), ("jobs", "0003_drafts_back_to_versions")]


def definition(name: str, kind: str = "manual") -> dict:
    return {"format": "stepwise.recipe/1", "name": name, "trigger": {"kind": kind},
            "steps": [{"id": "note", "action": "data.log", "input": {"message": name}}]}  # fmt: skip


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_each_recipes_last_version_becomes_its_draft_and_stays_live_where_it_ran():
    old = migrate(BEFORE)
    try:
        Workspace, Recipe = old.get_model("workspaces", "Workspace"), old.get_model("recipes", "Recipe")
        Version, Job = old.get_model("recipes", "RecipeVersion"), old.get_model("jobs", "Job")
        workspace = Workspace.objects.create(name="Old", slug="old")
        made = {}
        for name, state, kind in [("Running", "running", "manual"), ("Stopped", "stopped", "manual"),
                                  ("Function", "stopped", "function")]:  # fmt: skip
            recipe = Recipe.objects.create(workspace=workspace, name=name, state=state, trigger_kind=kind)
            Version.objects.create(recipe=recipe, number=1, definition=definition(f"{name} v1", kind))
            last = Version.objects.create(recipe=recipe, number=2, definition=definition(f"{name} v2", kind),
                                          comment="edited")  # fmt: skip
            recipe.current_version = last
            recipe.save()
            made[name] = recipe.pk
        job = Job.objects.create(workspace=workspace, recipe_id=made["Running"], version=last, trigger_kind="manual")

        new = migrate(AFTER)
        Recipe = new.get_model("recipes", "Recipe")
        recipes = {r.name: r for r in Recipe.objects.select_related("live_version")}
        for name in made:
            recipe = recipes[name]
            assert recipe.draft == definition(f"{name} v2", recipe.trigger_kind)
            assert recipe.revision == 1
            assert recipe.draft_digest == digest(recipe.draft)  # as the code computes it: publish reuses v2
            assert recipe.versions.count() == 2
        assert recipes["Running"].live_version.number == 2
        assert recipes["Running"].live_version.digest == recipes["Running"].draft_digest  # no unpublished changes
        assert recipes["Function"].live_version.number == 2  # a call step still reaches it
        assert recipes["Stopped"].live_version is None  # its first start publishes its draft: version 2 itself
        assert new.get_model("jobs", "Job").objects.get(pk=job.pk).version.number == 2
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_migrating_back_keeps_every_draft_as_a_version(sent):
    from builder.jobs.services import job_enqueue
    from builder.recipes.drafts import draft_save, draft_test_run
    from builder.recipes.services import recipe_create
    from tests.factories import WorkspaceFactory, published_recipe

    workspace = WorkspaceFactory()
    edited = published_recipe(workspace=workspace, definition=definition("Edited v1"))
    draft_save(recipe=edited, definition=definition("Edited draft"))
    fresh = recipe_create(workspace=workspace, definition=definition("Fresh"))
    test_run = draft_test_run(recipe=fresh, trigger={})
    live_job = job_enqueue(recipe=edited, trigger={}, trigger_kind="manual")
    try:
        old = migrate(BEFORE)
        Recipe, Job = old.get_model("recipes", "Recipe"), old.get_model("jobs", "Job")
        assert Recipe.objects.get(pk=edited.pk).current_version.definition == definition("Edited draft")
        assert Recipe.objects.get(pk=fresh.pk).current_version.definition == definition("Fresh")
        assert Job.objects.get(pk=test_run.pk).version.definition == definition("Fresh")
        assert Job.objects.get(pk=live_job.pk).version.definition == definition("Edited v1")
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
