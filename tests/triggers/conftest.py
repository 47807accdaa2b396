from builder.connections.services import connection_create
from builder.recipes.services import recipe_create, recipe_start


def hook_recipe(workspace, *, signing_secret=None, event_id_header="X-Event-Id", start=True):
    """A recipe started by a push; with a signing secret, through a webhooks connection."""
    definition = {
        "format": "stepwise.recipe/1",
        "name": "On push",
        "trigger": {"kind": "webhook", "input": {"event_id_header": event_id_header}},
        "steps": [{"id": "note", "action": "data.log", "input": {"message": "got {{ trigger.body }}"}}],
    }
    bindings = {}
    if signing_secret:
        definition["connections"] = {"hook": {"connector": "webhooks"}}
        definition["trigger"]["connection"] = "hook"
        connection = connection_create(workspace=workspace, connector="webhooks", name="Signed",
                                       fields={"signing_secret": signing_secret})  # fmt: skip
        bindings = {"hook": connection.pk}
    recipe = recipe_create(workspace=workspace, definition=definition, bindings=bindings)
    if start:
        recipe_start(recipe=recipe)
    return recipe
