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
