"""The five Altafid steps of a case, each a record: the database, not the broker, says what ran.

A step is queued by writing its state; the task that runs it carries only the step's ID and is
sent after the transaction commits. Every try is an `Attempt` with masked copies of what went
out and what came back.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onboarding.cases.lifecycle import (
    FIRST_ROUND,
    HELD,
    OPEN,
    ORDER,
    STOPPED,
    StepKind,
    StepState,
)
from onboarding.cases.models import Case
from onboarding.core.crypto import EncryptedJSONField
from onboarding.core.indexes import index_where_set

__all__ = ["STEP_ORDER", "Attempt", "AttemptOutcome", "Step", "StepKind", "StepState"]

STEP_ORDER = ORDER
# Steps in someone's hands: a worker's, an admin's or a compliance officer's. Their number
# follows the work under way, not the history (every waiting, cancelled or succeeded step).
ACTIVE = (*OPEN, *STOPPED, *HELD)


class Step(models.Model):
    # Not indexed alone: an index in Meta leads with it (each index is a write more per save).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps", db_index=False)
    # 1: the submission and activation; 2 and up: amendments, each sending what changed.
    round = models.PositiveSmallIntegerField(default=FIRST_ROUND)
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    position = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=20, choices=StepState.choices, default=StepState.WAITING)
    # Tries since a person last queued the step, and tries ever (`Attempt.number`).
    attempts = models.PositiveIntegerField(default=0)
    tries = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)
    run_after = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The exact body this step sends, fixed when the RM submits (what they reviewed), and the
    # case version it was built from, so that a later edit is noticed before activation. An
    # amendment's body holds only the fields that changed.
    payload = EncryptedJSONField(null=True, blank=True)
    payload_version = models.PositiveIntegerField(null=True, blank=True)
    # The four-eyes seal of a reviewed step (lifecycle `reviewed`): the digest of the body a
    # compliance officer approved, who and when. It is sent only while its body has that digest.
    approved_digest = models.CharField(max_length=64, blank=True)
    # Indexed only where set (Meta): most steps are never approved.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # A person settled what unanswered tries of this create did ("none of those contacts is
    # this client"): it is not searched for again before creating.
    reconciled = models.BooleanField(default=False)
    # AltafidError.to_dict(), or {"message", "problems"} for a refusal of our own.
    last_error = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # By column, not by the case: ordering by a relation joins it and sorts by its own ordering.
        ordering = ("case_id", "round", "position")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "round", "kind"], name="one_step_of_a_kind_per_case_round"
            )
        ]
        indexes = [
            models.Index(fields=["state", "run_after"]),
            # The failure queue and its counts, read from the index alone (a few thousand
            # entries, where the table holds every step ever).
            models.Index(
                fields=["case", "id", "finished_at", "state", "kind"],
                condition=models.Q(state__in=STOPPED),
                name="submissions_step_stopped_idx",
            ),
            models.Index(
                fields=["case", "kind", "state"],
                condition=models.Q(state__in=ACTIVE),
                name="submissions_step_active_idx",
            ),
            index_where_set("approved_by", name="submissions_step_approver"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.round}:{self.kind}:{self.state}"


class AttemptOutcome(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    ADOPTED = "adopted", _("Found in Altafid and adopted")
    RETRY = "retry", _("Failed, will retry")
    # A write whose effect is unknown: Altafid never answered, or answered with a server error.
    AMBIGUOUS = "ambiguous", _("No answer: may or may not have happened")
    SERVER_ERROR = "server_error", _("Altafid answered with an error: may or may not have happened")
    FAILED = "failed", _("Failed")
    NEEDS_ATTENTION = "needs_attention", _("Needs attention")


# Tries after which Altafid may hold what was sent, though it did not say so.
UNKNOWN_EFFECT = (AttemptOutcome.AMBIGUOUS, AttemptOutcome.SERVER_ERROR)


class Attempt(models.Model):
    # Not indexed alone: an index in Meta leads with it (each index is a write more per save).
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="history", db_index=False)
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    sent = models.JSONField(null=True, blank=True)
    received = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ("step_id", "number")
        constraints = [
            models.UniqueConstraint(fields=["step", "number"], name="one_attempt_number_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.step_id}#{self.number}:{self.outcome or 'running'}"
