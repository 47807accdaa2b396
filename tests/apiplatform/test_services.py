"""What the services refuse whoever calls them (the API and the pages check first, too)."""

import pytest
from django.core.exceptions import ValidationError

from builder.apiplatform import services
from builder.apiplatform.models import ApiCollection


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda api: services.collection_update(collection=api.collection, data={"name": "  "}), "name"),
        (lambda api: services.endpoint_update(endpoint=api.endpoint, data={"name": ""}), "name"),
        (lambda api: services.profile_update(profile=api.profile, data={"name": " "}), "name"),
        (lambda api: services.client_update(client=api.client, data={"name": ""}), "name"),
        (lambda api: services.endpoint_update(endpoint=api.endpoint, data={"recipe": 2**70}), "recipe"),
        (lambda api: services.profile_update(profile=api.profile, data={"collections": [2**70]}), "collections"),
        (lambda api: services.key_rotate(key=api.key, grace_hours=-1), "grace_hours"),
    ],
)
def test_bad_updates_are_refused_naming_the_field(api, change, field):
    with pytest.raises(ValidationError) as refused:
        change(api)
    assert field in refused.value.message_dict


def test_a_refused_update_changes_nothing(api):
    with pytest.raises(ValidationError):
        services.collection_update(collection=api.collection, data={"name": "Renamed", "version": 0})
    assert ApiCollection.objects.get(pk=api.collection.pk).name == "People"


def test_a_rotated_key_cannot_be_rotated_again(api):
    services.key_rotate(key=api.key)
    with pytest.raises(ValidationError):
        services.key_rotate(key=api.key)
