"""The Django admin covers every model, behind staff login."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ["workspaces", "ops", "connections", "recipes"]


def our_models():
    return [model for label in OUR_APPS for model in apps.get_app_config(label).get_models()]


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m._meta.label)
def test_every_model_has_an_admin_page_for_staff(client, model):
    assert admin.site.is_registered(model)
    staff = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


def test_admin_is_closed_to_non_staff(client, personas):
    client.force_login(personas.owner)
    response = client.get(reverse("admin:workspaces_workspace_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
