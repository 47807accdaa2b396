"""/api/clients/: who may call the API platform's endpoints, with their access profiles
(/api/clients/<id>/profiles/) and keys (/api/clients/<id>/keys/). A key's secret is shown once."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from builder.api.apiplatform import WorkspaceFilter
from builder.api.inputs import (
    WORKSPACE_FOR_CREATE,
    JsonInput,
    id_field,
    padded,
    read_query,
    refuse_changes,
    text_field,
    write_body,
)
from builder.api.openapi import errors
from builder.apiplatform import services
from builder.apiplatform.models import AccessProfile, ApiClient, ApiKey
from builder.apiplatform.selectors import clients_for_user, keys_of, profiles_of
from builder.apiplatform.services import MAX_ROTATION_GRACE_HOURS
from builder.errors import Conflict, NoSuchObject
from builder.workspaces.access import access_in_workspace, access_workspace_for_create, parse_id
from builder.workspaces.models import Role

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4_RANGE = padded(rf"{_OCTET}(?:\.{_OCTET}){{3}}/(?:3[0-2]|[12]?[0-9])")


@extend_schema_field(
    {
        "anyOf": [
            {"type": "string", "format": "ipv4"},
            {"type": "string", "format": "ipv6"},
            {"type": "string", "pattern": IPV4_RANGE},
        ]
    }
)
class AddressField(serializers.CharField):
    """An IP address or a CIDR range; the service checks it."""


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccessProfile
        fields = ["id", "name", "collections", "rate_limit_per_minute", "quota_per_day", "ip_allowlist", "active",
                  "created_at"]  # fmt: skip
        read_only_fields = fields


class ProfileWriteSerializer(JsonInput):
    name = text_field(max_length=100)
    collections = serializers.ListField(child=id_field(), required=False, help_text="Collections it may call.")
    rate_limit_per_minute = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=1_000_000, help_text="null: no limit."
    )
    quota_per_day = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=1_000_000_000, help_text="null: no quota."
    )
    ip_allowlist = serializers.ListField(child=AddressField(), required=False, max_length=100,
                                         help_text="Addresses or CIDR ranges; empty allows any address.")  # fmt: skip
    active = serializers.BooleanField(required=False)


class ClientSerializer(serializers.ModelSerializer):
    profiles = ProfileSerializer(many=True, read_only=True)

    class Meta:
        model = ApiClient
        fields = ["id", "workspace", "name", "description", "created_at", "profiles"]
        read_only_fields = fields


class ClientWriteSerializer(JsonInput):
    workspace = id_field(help_text=WORKSPACE_FOR_CREATE)
    name = text_field(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ClientUpdateSerializer(ClientWriteSerializer):
    workspace = None


class KeySerializer(serializers.ModelSerializer):
    active = serializers.SerializerMethodField(help_text="Neither revoked nor expired.")

    class Meta:
        model = ApiKey
        fields = ["id", "profile", "name", "prefix", "created_at", "last_used_at", "revoked_at", "expires_at",
                  "replaced_by", "active"]  # fmt: skip
        read_only_fields = fields

    def get_active(self, key) -> bool:
        return key.revoked_at is None and (key.expires_at is None or key.expires_at > timezone.now())


class KeyCreatedSerializer(KeySerializer):
    secret = serializers.CharField(read_only=True, help_text="The key. It is shown only in this answer.")

    class Meta(KeySerializer.Meta):
        fields = KeySerializer.Meta.fields + ["secret"]
        read_only_fields = fields


class KeyRotatedSerializer(KeyCreatedSerializer):
    old_key = KeySerializer(read_only=True, help_text="The key it replaces, valid until its expires_at.")

    class Meta(KeyCreatedSerializer.Meta):
        fields = KeyCreatedSerializer.Meta.fields + ["old_key"]
        read_only_fields = fields


class KeyCreateSerializer(JsonInput):
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    profile = id_field(help_text="Which access profile; a client with one only may leave it out (else a 409).")


class KeyRotateSerializer(JsonInput):
    grace_hours = serializers.FloatField(
        required=False,
        min_value=0,
        max_value=MAX_ROTATION_GRACE_HOURS,
        help_text="How long the old key stays valid; 24 if left out.",
    )


def _clients(user):
    return clients_for_user(user).prefetch_related("profiles__collections")


def access_client(user, client_id, *, role=Role.VIEWER) -> ApiClient:
    return access_in_workspace(user, _clients(user), client_id, role=role, name="client")


class ClientViewSet(viewsets.GenericViewSet):
    """API clients of your workspaces: each has access profiles, and keys under a profile."""

    queryset = ApiClient.objects.none()  # for the OpenAPI file; every method checks access itself
    serializer_class = ClientSerializer
    pagination_class = None

    @extend_schema(parameters=[WorkspaceFilter], responses=ClientSerializer(many=True))
    def list(self, request):
        clients = _clients(request.user)
        if "workspace" in (filters := read_query(WorkspaceFilter, request)):
            clients = clients.filter(workspace_id=filters["workspace"])
        return Response(ClientSerializer(clients, many=True).data)

    @extend_schema(responses=ClientSerializer)
    def retrieve(self, request, pk=None):
        return Response(ClientSerializer(access_client(request.user, pk)).data)

    @extend_schema(request=ClientWriteSerializer, responses={201: ClientSerializer, **errors(404, 409)})
    def create(self, request):
        body = write_body(ClientWriteSerializer, request)
        workspace = access_workspace_for_create(request.user, body.pop("workspace", None))
        client = services.client_create(workspace=workspace, data=body)
        return Response(ClientSerializer(client).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClientUpdateSerializer, responses=ClientSerializer)
    def partial_update(self, request, pk=None):
        client = access_client(request.user, pk, role=Role.BUILDER)
        body = write_body(ClientUpdateSerializer, request)
        refuse_changes(request, {"workspace": "A client cannot move to another workspace."})
        services.client_update(client=client, data=body)
        return Response(ClientSerializer(access_client(request.user, pk)).data)

    def destroy(self, request, pk=None):
        services.client_delete(client=access_client(request.user, pk, role=Role.BUILDER))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _profile(client: ApiClient, profile_id) -> AccessProfile:
    profile = profiles_of(client).filter(pk=parse_id(profile_id)).first()
    if profile is None:
        raise Http404("No such access profile.")
    return profile


class ProfileViewSet(viewsets.GenericViewSet):
    """Access profiles of one client: which collections it may call, its limits and addresses."""

    queryset = AccessProfile.objects.none()
    serializer_class = ProfileSerializer
    pagination_class = None

    @extend_schema(responses=ProfileSerializer(many=True))
    def list(self, request, client_pk=None):
        return Response(ProfileSerializer(profiles_of(access_client(request.user, client_pk)), many=True).data)

    @extend_schema(request=ProfileWriteSerializer, responses={201: ProfileSerializer, **errors(404)})
    def create(self, request, client_pk=None):
        client = access_client(request.user, client_pk, role=Role.BUILDER)
        profile = services.profile_create(client=client, data=write_body(ProfileWriteSerializer, request))
        return Response(ProfileSerializer(_profile(client, profile.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ProfileSerializer)
    def retrieve(self, request, client_pk=None, pk=None):
        return Response(ProfileSerializer(_profile(access_client(request.user, client_pk), pk)).data)

    @extend_schema(request=ProfileWriteSerializer, responses=ProfileSerializer)
    def partial_update(self, request, client_pk=None, pk=None):
        client = access_client(request.user, client_pk, role=Role.BUILDER)
        services.profile_update(profile=_profile(client, pk), data=write_body(ProfileWriteSerializer, request))
        return Response(ProfileSerializer(_profile(client, pk)).data)

    def destroy(self, request, client_pk=None, pk=None):
        client = access_client(request.user, client_pk, role=Role.BUILDER)
        services.profile_delete(profile=_profile(client, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _key(client: ApiClient, key_id) -> ApiKey:
    key = keys_of(client).filter(pk=parse_id(key_id)).first()
    if key is None:
        raise Http404("No such key.")
    return key


def _profile_for_new_key(client: ApiClient, profile_id: int | None) -> AccessProfile:
    if profile_id is not None:
        profile = profiles_of(client).filter(pk=profile_id).first()
        if profile is None:
            raise NoSuchObject({"profile": f"{client.name} has no access profile {profile_id}."})
        return profile
    profiles = list(profiles_of(client)[:2])
    if not profiles:
        raise Conflict({"profile": f"{client.name} has no access profile; create an access profile first."})
    if len(profiles) > 1:
        raise Conflict({"profile": f"{client.name} has several access profiles; say which one."})
    return profiles[0]


class KeyViewSet(viewsets.GenericViewSet):
    """Keys of one client. Only a hash is kept: the secret is in the answer that creates the key, and nowhere else."""

    queryset = ApiKey.objects.none()
    serializer_class = KeySerializer
    pagination_class = None

    @extend_schema(responses=KeySerializer(many=True))
    def list(self, request, client_pk=None):
        return Response(KeySerializer(keys_of(access_client(request.user, client_pk)), many=True).data)

    @extend_schema(request=KeyCreateSerializer, responses={201: KeyCreatedSerializer, **errors(409)})
    def create(self, request, client_pk=None):
        client = access_client(request.user, client_pk, role=Role.BUILDER)
        body = write_body(KeyCreateSerializer, request)
        profile = _profile_for_new_key(client, body.get("profile"))
        key, secret = services.key_create(profile=profile, name=body.get("name", ""))
        key.secret = secret
        return Response(KeyCreatedSerializer(key).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=KeySerializer)
    def revoke(self, request, client_pk=None, pk=None):
        """The key stops working at once."""
        key = _key(access_client(request.user, client_pk, role=Role.BUILDER), pk)
        return Response(KeySerializer(services.key_revoke(key=key)).data)

    @extend_schema(request=KeyRotateSerializer, responses={201: KeyRotatedSerializer, **errors(409)})
    def rotate(self, request, client_pk=None, pk=None):
        """A new key for the same profile; the old one keeps working for grace_hours, so callers can move."""
        key = _key(access_client(request.user, client_pk, role=Role.BUILDER), pk)
        body = write_body(KeyRotateSerializer, request)
        new, secret = services.key_rotate(key=key, **body)
        new.secret, new.old_key = secret, ApiKey.objects.get(pk=key.pk)
        return Response(KeyRotatedSerializer(new).data, status=status.HTTP_201_CREATED)
