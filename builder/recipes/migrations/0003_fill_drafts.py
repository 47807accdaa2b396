"""Drafts and live versions, step 2 of 3: every recipe's current version becomes its draft,
and stays its live version where it ran: for a running recipe, and for a function recipe
(a `call` step ran it whatever its state). A stopped recipe keeps its versions; its first
start publishes its draft (that same last version, not a copy)."""

import hashlib
import json

from django.db import migrations


# As builder.recipes.definitions' digest and name, copied: a migration must not change with the code.
def _digest(definition) -> str:
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _name(definition) -> str:
    name = definition.get("name") if isinstance(definition, dict) else None
    return ((name if isinstance(name, str) else "").strip() or "Untitled recipe")[:200]


def forwards(apps, schema_editor):
    Recipe = apps.get_model("recipes", "Recipe")
    RecipeVersion = apps.get_model("recipes", "RecipeVersion")
    for version in RecipeVersion.objects.filter(digest="").iterator():
        version.digest, version.name = _digest(version.definition), _name(version.definition)
        version.save(update_fields=["digest", "name"])
    for recipe in Recipe.objects.select_related("live_version").iterator():
        current = recipe.live_version
        recipe.draft = current.definition if current else {}
        recipe.draft_digest = current.digest if current else _digest({})
        recipe.draft_saved_by_id = current.author_id if current else recipe.created_by_id
        recipe.draft_saved_at = current.created_at if current else recipe.updated_at
        if recipe.state != "running" and recipe.trigger_kind != "function":
            recipe.live_version = None
        recipe.save(update_fields=["draft", "draft_digest", "draft_saved_by", "draft_saved_at", "live_version"])


def backwards(apps, schema_editor):
    # The code before drafts showed and ran each recipe's last version, and every recipe had
    # one: a draft that is not its last version becomes one, so that no edit is lost.
    Recipe = apps.get_model("recipes", "Recipe")
    RecipeVersion = apps.get_model("recipes", "RecipeVersion")
    for recipe in Recipe.objects.iterator():
        last = RecipeVersion.objects.filter(recipe=recipe).order_by("-number").first()
        if last is None or last.digest != recipe.draft_digest:
            last = RecipeVersion.objects.create(
                recipe=recipe, number=(last.number if last else 0) + 1, definition=recipe.draft,
                digest=recipe.draft_digest, name=_name(recipe.draft), author_id=recipe.draft_saved_by_id,
                comment="The draft, kept when drafts were migrated back",
            )  # fmt: skip
        recipe.live_version = last
        recipe.save(update_fields=["live_version"])


class Migration(migrations.Migration):
    dependencies = [("recipes", "0002_drafts")]

    operations = [migrations.RunPython(forwards, backwards)]
