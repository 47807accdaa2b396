"""A published API to call: a running recipe behind an endpoint of a collection, and a client
whose access profile may call it, with a key."""

import base64

import pytest
from django.test import Client

from builder.apiplatform import services
from builder.apiplatform.counters import counters
from builder.recipes.services import recipe_create, recipe_start

GREET = {
    "format": "stepwise.recipe/1",
    "name": "Greet",
    "trigger": {
        "kind": "api_request",
        "mode": "sync",
        "request_schema": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string", "minLength": 1}, "email": {"type": "string", "format": "email"}},
        },
        "response_schema": {"type": "object", "required": ["greeting"], "properties": {"greeting": {"type": "string"}}},
    },
    "steps": [{"id": "reply", "respond": {"status": 200, "body": {"greeting": "Hello {{ trigger.body.name }}"}}}],
}


def make_recipe(workspace, definition=GREET, *, start=True):
    recipe = recipe_create(workspace=workspace, definition=definition)
    if start:
        recipe_start(recipe=recipe)
    return recipe


class Api:
    """One workspace's published API and a key that may call it."""

    def __init__(self, workspace, definition=GREET, *, method="POST", path="/greetings", **endpoint):
        self.workspace = workspace
        self.recipe = make_recipe(workspace, definition)
        self.collection = services.collection_create(workspace=workspace, data={"name": "People", "slug": "people"})
        self.endpoint = services.endpoint_create(collection=self.collection, data={
            "name": "Greet", "method": method, "path": path, "recipe": self.recipe.pk, **endpoint})  # fmt: skip
        self.client = services.client_create(workspace=workspace, data={"name": "Chat assistant"})
        profile = {"name": "Default", "collections": [self.collection.pk]}
        self.profile = services.profile_create(client=self.client, data=profile)
        self.key, self.secret = services.key_create(profile=self.profile, name="main")
        self.http = Client()

    @property
    def base(self) -> str:
        return f"/apim/{self.collection.slug}/v{self.collection.version}"

    def call(self, method="POST", path="/greetings", body=None, *, secret=None, auth="header", headers=None, **extra):
        secret = self.secret if secret is None else secret
        sent = dict(headers or {})
        if secret and auth == "header":
            sent["API-Token"] = secret
        elif secret and auth == "bearer":
            sent["Authorization"] = f"Bearer {secret}"
        elif secret and auth == "basic":
            sent["Authorization"] = "Basic " + base64.b64encode(f"api-token:{secret}".encode()).decode()
        data = body if isinstance(body, str | bytes) else (None if body is None else __import__("json").dumps(body))
        kwargs = {"content_type": "application/json"} if data is not None else {}
        return self.http.generic(method, self.base + path, data or b"", headers=sent, **kwargs, **extra)


@pytest.fixture(autouse=True)
def fresh_counters(db):
    counters().reset()
    return


@pytest.fixture
def api(personas):
    return Api(personas.a)
