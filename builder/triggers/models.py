"""What event triggers keep between events: a recipe's secret webhook URL, the events seen
(so that a redelivery runs once), and a polling recipe's cursor. Schedules live in
django-celery-beat's PeriodicTask, one per recipe (see schedules.py)."""

from django.db import models

from builder.jobs.models import Job
from builder.recipes.models import Recipe


class WebhookHook(models.Model):
    recipe = models.OneToOneField(Recipe, on_delete=models.CASCADE, related_name="webhook")
    token = models.CharField(max_length=64, unique=True)
    # A second URL for sample events while building: captured, never run.
    test_token = models.CharField(max_length=64, unique=True)
    sample = models.JSONField(null=True, blank=True)
    sample_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    regenerated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"webhook of {self.recipe_id}"


class TriggerEvent(models.Model):
    """An event a recipe has taken: `hook:<event id>`, `tick:<time>` or `item:<id>`. The
    unique key is what makes a redelivered event, a double tick or a re-polled item run once."""

    recipe = models.ForeignKey(Recipe, on_delete=models.CASCADE, related_name="trigger_events")
    key = models.CharField(max_length=300)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipe", "key"], name="trigger_event_once")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.recipe_id}:{self.key}"


class PollState(models.Model):
    recipe = models.OneToOneField(Recipe, on_delete=models.CASCADE, related_name="poll_state")
    cursor = models.JSONField(null=True, blank=True)
    # The first start's choice: pick up events from this time ("from now" is the start time).
    since = models.DateTimeField()
    # One poll at a time: a poll holds this lease; a crashed poll's lease runs out.
    polling_until = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)  # in a row
    last_error = models.TextField(blank=True, default="")
    items_taken = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"poll of {self.recipe_id}"
