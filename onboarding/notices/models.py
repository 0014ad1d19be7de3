"""In-app notices to a person, and the e-mails that go with them.

A notice names its case; its words are made when it is shown, from the case's own record
(the client's name has one home), so a notice holds no personal data of its own.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import Tenant
from onboarding.cases.models import Case


class NoticeKind(models.TextChoices):
    REVIEW_WAITING = "review_waiting", _("Waiting for your KYC review")
    REVIEW_RETURNED = "review_returned", _("Returned by compliance")
    REVIEW_APPROVED = "review_approved", _("KYC approved")
    STEP_STOPPED = "step_stopped", _("Stopped: needs action")
    STEP_RECOVERED = "step_recovered", _("Went through after a retry")


class Notice(models.Model):
    # Not indexed alone: an index in Meta leads with it (each index is a write more per save).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices", db_index=False
    )
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    # Who caused it (the officer who decided), None for the system.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When its e-mail was handed over (sent, or left to the outbox when the mail server refused
    # it); waiting reviews are e-mailed in batches.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"]),
            models.Index(fields=["kind", "emailed_at"]),
            # The navigation's count on every page, from the index alone.
            models.Index(
                fields=["recipient", "tenant"],
                condition=models.Q(read_at__isnull=True),
                name="notices_notice_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} about case {self.case_id}"
