"""Every change that can alter how the gateway answers bumps the shared generation, after
commit; each web process then drops its cached routes and keys on its next call."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from builder.apiplatform.counters import counters
from builder.apiplatform.models import AccessProfile, ApiClient, ApiCollection, ApiEndpoint, ApiKey
from builder.connections.models import Connection
from builder.recipes.models import Recipe, RecipeVersion

WATCHED = (ApiCollection, ApiEndpoint, ApiClient, AccessProfile, ApiKey, Recipe, RecipeVersion, Connection)


def bump_generation(sender=None, update_fields=None, **_kwargs) -> None:
    if sender is Recipe and update_fields and set(update_fields) <= Recipe.UNRUN_FIELDS:
        return  # an autosave of a draft, a folder: nothing the gateway runs changed
    # Now, so that this process stops using what it cached; and again after commit, so that a
    # process that reloaded the old rows in between does not keep them.
    counters().bump()
    transaction.on_commit(lambda: counters().bump())


for model in WATCHED:
    post_save.connect(bump_generation, sender=model, dispatch_uid=f"apim-save-{model.__name__}")
    post_delete.connect(bump_generation, sender=model, dispatch_uid=f"apim-delete-{model.__name__}")
m2m_changed.connect(bump_generation, sender=AccessProfile.collections.through, dispatch_uid="apim-m2m")
