"""E-mails waiting for a worker to send them.

A request or a task that decides something keeps its e-mail here, in its own transaction, and
a worker sends it once that commits: no page waits on a mail server, an e-mail never goes for
something rolled back, and one the mail server refused is tried again.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onboarding.core.crypto import EncryptedJSONField


class MailKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    PASSWORD_RESET = "password_reset", _("Password reset")
    TWO_FACTOR_CHANGE = "two_factor_change", _("Two-factor change")
    ACCESS_REQUEST = "access_request", _("Staff access request")
    ALERT = "alert", _("Alert")
    REVIEW_WAITING = "review_waiting", _("Reviews waiting")
    REVIEW_DECIDED = "review_decided", _("Review decided")
    STEP_STOPPED = "step_stopped", _("Step stopped")


class OutgoingMail(models.Model):
    kind = models.CharField(max_length=30, choices=MailKind.choices)
    # The staff member it is for, when it is for one person (their page says how it went).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Addresses, subject and body: names and single-use links, so encrypted, and emptied when
    # the mail is given up. A mail that went leaves no row.
    message = EncryptedJSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    tries = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(default=timezone.now)
    # Set by the worker sending it, so that a second worker leaves it alone meanwhile.
    claimed_until = models.DateTimeField(null=True, blank=True)
    # The type of the last failure (never its text, which can echo an address).
    last_error = models.CharField(max_length=100, blank=True)
    given_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_try_at"],
                condition=models.Q(given_up_at__isnull=True),
                name="outbox_mail_due_idx",
            ),
            models.Index(fields=["recipient", "kind", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} e-mail {self.pk}"
