"""The drafts migration keeps every existing recipe's behaviour: its last version becomes its
draft, and stays live where it ran (a running recipe, a function recipe)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from builder.recipes.definitions import digest

BEFORE = [("recipes", "0001_initial"), ("jobs", "0001_initial")]
AFTER = [("recipes", "0004_draft_required"), ("jobs", "0002_job_draft")]


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
