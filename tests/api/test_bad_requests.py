"""Requests Django itself refuses (too many parameters) answer in the API's JSON error shape."""

import pytest
from django.test import Client

from tests.apiplatform.test_gateway_query import MANY
from tests.triggers.conftest import hook_recipe

pytestmark = pytest.mark.django_db


def test_too_many_query_parameters_on_the_management_api_is_json(personas, api_as):
    response = api_as(personas.owner).get(f"/api/jobs/?{MANY}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_parameters"


def test_too_many_query_parameters_on_a_webhook_is_json(personas, sent):
    recipe = hook_recipe(personas.a)
    response = Client().post(f"/hooks/{recipe.webhook.token}/?{MANY}", b"{}", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_parameters"
    assert not recipe.jobs.exists()
