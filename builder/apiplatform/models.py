"""The API platform: collections of endpoints that call recipes, the clients that may call
them (access profiles, keys), the call log and idempotency records."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from builder.jobs.models import Job
from builder.recipes.models import Recipe
from builder.workspaces.models import Workspace


class ApiCollection(models.Model):
    """Published under /apim/<slug>/v<version>/. The slug and version are global, since the
    gateway's URL does not name a workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_collections")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60)
    version = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(999)])
    description = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "version", "id"]
        constraints = [models.UniqueConstraint(fields=["slug", "version"], name="collection_slug_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def base_path(self) -> str:
        return f"/apim/{self.slug}/v{self.version}"


class Method(models.TextChoices):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"


class Mode(models.TextChoices):
    SYNC = "sync", "Sync: answers with the recipe's response"
    ASYNC = "async", "Async: answers 202 with a job id"


class OnTimeout(models.TextChoices):
    ERROR = "error", "Answer 504"
    HANDOVER = "handover", "Hand the job to a worker and answer 202"


MAX_SYNC_TIMEOUT = 10.0


class ApiEndpoint(models.Model):
    collection = models.ForeignKey(ApiCollection, on_delete=models.CASCADE, related_name="endpoints")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, default="")
    method = models.CharField(max_length=6, choices=Method.choices, default=Method.POST)
    # Relative to the collection, with parameters in braces: /tickets/{id}
    path = models.CharField(max_length=300)
    # A recipe an endpoint calls cannot be deleted; the recipe's trigger holds the schemas.
    recipe = models.ForeignKey(Recipe, on_delete=models.PROTECT, related_name="endpoints")
    mode = models.CharField(max_length=5, choices=Mode.choices, default=Mode.SYNC)
    timeout_seconds = models.FloatField(
        default=MAX_SYNC_TIMEOUT, validators=[MinValueValidator(0.1), MaxValueValidator(MAX_SYNC_TIMEOUT)]
    )
    on_timeout = models.CharField(max_length=8, choices=OnTimeout.choices, default=OnTimeout.ERROR)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["collection_id", "path", "method", "id"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "method", "path"], name="endpoint_method_path_unique")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def workspace_id(self) -> int:
        return self.collection.workspace_id


class ApiClient(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_clients")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class AccessProfile(models.Model):
    """What a client may call and under which policies. Keys belong to a profile."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="profiles")
    name = models.CharField(max_length=100)
    collections = models.ManyToManyField(ApiCollection, related_name="profiles", blank=True)
    rate_limit_per_minute = models.PositiveIntegerField(null=True, blank=True)
    quota_per_day = models.PositiveIntegerField(null=True, blank=True)
    # CIDRs ("10.0.0.0/8", "2001:db8::/32") or single addresses; empty means any address.
    ip_allowlist = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client_id", "name", "id"]

    def __str__(self) -> str:
        return f"{self.client} / {self.name}"

    @property
    def workspace_id(self) -> int:
        return self.client.workspace_id


class ApiKey(models.Model):
    """Only a hash of the secret is kept; the secret is shown once. A rotated key stays valid
    until `expires_at`, so that callers can move to the new one."""

    profile = models.ForeignKey(AccessProfile, on_delete=models.CASCADE, related_name="keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApiCall(models.Model):
    """One call of the gateway. Never holds the key, only its prefix."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_calls")
    collection = models.ForeignKey(ApiCollection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    endpoint = models.ForeignKey(ApiEndpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    key_prefix = models.CharField(max_length=16, blank=True, default="")
    request_id = models.CharField(max_length=36)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    caller_ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.PositiveSmallIntegerField()
    detail = models.CharField(max_length=300, blank=True, default="")
    latency_ms = models.FloatField()
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["workspace", "-id"]),
            models.Index(fields=["workspace", "endpoint", "-id"]),
            models.Index(fields=["workspace", "client", "-id"]),
            models.Index(fields=["workspace", "status", "-id"]),
            models.Index(fields=["workspace", "created_at"]),
            models.Index(fields=["created_at"]),
            models.Index(fields=["request_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class IdempotencyRecord(models.Model):
    """The first answer to a client's Idempotency-Key, replayed to a repeat within 24 hours."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    endpoint = models.ForeignKey(ApiEndpoint, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # null while the first call runs
    body = models.JSONField(null=True, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_client_key_unique")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.key}"
