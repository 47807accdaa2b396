from django.conf import settings
from django.db import models

from builder.workspaces.models import Workspace


class Connection(models.Model):
    """A workspace's credentials for one connector. Secret fields live only in `secrets`,
    encrypted (Fernet); `fields` holds the rest in clear."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connections")
    connector = models.CharField(max_length=64)
    name = models.CharField(max_length=100)
    fields = models.JSONField(default=dict, blank=True)
    secrets = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_tested_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True, blank=True)
    last_test_message = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="connection_name_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.connector})"
