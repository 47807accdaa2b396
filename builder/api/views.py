"""Thin viewsets: parse, check access, call one service, render."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from builder.api import serializers as s
from builder.api.errors import error_response
from builder.api.openapi import errors
from builder.api.throttles import CredentialsRateThrottle
from builder.workspaces import services
from builder.workspaces.access import access_api_token, access_member, access_membership, access_workspace
from builder.workspaces.models import Role
from builder.workspaces.selectors import api_tokens_for_user, members_of, memberships_for_user, workspaces_for_user


@extend_schema(request=s.TokenCreateSerializer, responses={201: s.ApiTokenCreatedSerializer, **errors(401, 429)})
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([CredentialsRateThrottle])
def token_create(request):
    """Exchange a username and password for an API token (shown once). Rate-limited per caller."""
    data = s.TokenCreateSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    user = authenticate(request, username=data.validated_data["username"], password=data.validated_data["password"])
    if user is None:
        return error_response(status_code=401, code="invalid_credentials", message="Wrong username or password.")
    token, key = services.api_token_create(user=user, name=data.validated_data.get("name", ""))
    token.token = key
    return Response(s.ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your own API tokens. DELETE revokes one: it stops working at once."""

    serializer_class = s.ApiTokenSerializer

    def get_queryset(self):
        return api_tokens_for_user(self.request.user)

    def get_object(self):
        return access_api_token(self.request.user, self.kwargs["pk"])

    def destroy(self, request, pk=None):
        services.api_token_revoke(token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(responses=s.UserSerializer)
@api_view(["GET"])
def me(request):
    """Who you are, and your workspaces with your role in each."""
    body = s.UserSerializer(request.user).data
    body["workspaces"] = [
        {"id": m.workspace_id, "name": m.workspace.name, "role": m.role} for m in memberships_for_user(request.user)
    ]
    return Response(body)


class WorkspaceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The workspaces you belong to. Creating one makes you its owner; renaming needs the owner role."""

    serializer_class = s.WorkspaceSerializer

    def get_queryset(self):
        return workspaces_for_user(self.request.user).order_by("id")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["roles"] = dict(self.request.user.memberships.values_list("workspace_id", "role"))
        return context

    def get_object(self):
        role = Role.VIEWER if self.request.method in ("GET", "HEAD", "OPTIONS") else Role.OWNER
        return access_workspace(self.request.user, self.kwargs["pk"], role=role)

    def perform_create(self, serializer):
        serializer.instance = services.workspace_create(name=serializer.validated_data["name"], owner=self.request.user)
        serializer.context["roles"][serializer.instance.pk] = Role.OWNER

    def perform_update(self, serializer):
        name = serializer.validated_data.get("name", serializer.instance.name)
        services.workspace_rename(workspace=serializer.instance, name=name)


class MemberViewSet(viewsets.GenericViewSet):
    """Members of one workspace. Everyone in it may list them; owners add, change and remove."""

    serializer_class = s.MembershipSerializer

    def get_queryset(self):
        return members_of(access_workspace(self.request.user, self.kwargs["workspace_pk"])).order_by("id")

    def list(self, request, workspace_pk=None):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=s.MemberAddSerializer, responses={201: s.MembershipSerializer, **errors(409)})
    def create(self, request, workspace_pk=None):
        workspace = access_workspace(request.user, workspace_pk, role=Role.OWNER)
        data = s.MemberAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.member_add(workspace=workspace, **data.validated_data)
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MemberRoleSerializer, responses={200: s.MembershipSerializer, **errors(409)})
    def partial_update(self, request, workspace_pk=None, pk=None):
        member = access_member(request.user, workspace_pk, pk)
        data = s.MemberRoleSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "role" in data.validated_data:
            member = services.member_set_role(membership=member, role=data.validated_data["role"])
        return Response(self.get_serializer(member).data)

    def retrieve(self, request, workspace_pk=None, pk=None):
        access_membership(request.user, workspace_pk)
        return Response(self.get_serializer(access_member(request.user, workspace_pk, pk, role=Role.VIEWER)).data)

    @extend_schema(responses={204: None, **errors(409)})
    def destroy(self, request, workspace_pk=None, pk=None):
        services.member_remove(membership=access_member(request.user, workspace_pk, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
