"""What admins do with failed submissions that the steps themselves do not record."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from onboarding.submissions.models import Step


class Resolution(models.Model):
    """An admin marked a failed step resolved, with a note: it leaves the failure queue.

    It applies to the failure it was written for: should the step fail again later, the new
    failure is in the queue again.
    """

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="resolutions")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # When the failure it settles happened (the step's `finished_at` then).
    failed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField()

    class Meta:
        ordering = ("-at",)

    def __str__(self) -> str:
        return f"resolution of step {self.step_id}"


class IncidentKind(models.TextChoices):
    FAILURE_RATE = "failure_rate", "Failure rate"
    STUCK = "stuck", "Needs attention too long"
    NO_WORKER = "no_worker", "No worker"


class Incident(models.Model):
    """Something wrong that admins were told of by e-mail; closed (and told) when it clears."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=IncidentKind.choices)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-opened_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_incident_per_tenant_and_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for tenant {self.tenant_id}"
