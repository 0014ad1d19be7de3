"""The audit trail: an append-only event per thing that happened to a case or to staff.

Events carry no personal data: which fields changed, never what they hold (only the codes of a
few classification fields, see `services.VALUES_SHOWN`). On PostgreSQL a trigger refuses any
`UPDATE` or `DELETE` of the table (migration 0002); nothing in the app or Django admin edits one.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import Tenant
from onboarding.core.indexes import index_where_set


class EventKind(models.TextChoices):
    CASE_CREATED = "case_created", _("Onboarding started")
    SECTION_SAVED = "section_saved", _("Section saved")
    CONFLICT_APPLIED = "conflict_applied", _("Entries applied on top of a newer version")
    CASE_SUBMITTED = "case_submitted", _("Submitted to Altafid")
    AMENDMENT_SUBMITTED = "amendment_submitted", _("Amendment submitted")
    ACTIVATION_REQUESTED = "activation_requested", _("Activation requested")
    CASE_DISCARDED = "case_discarded", _("Draft discarded")
    CASE_REASSIGNED = "case_reassigned", _("Reassigned")
    CASE_CANCELLED = "case_cancelled", _("Submission cancelled")
    CONTACT_LINKED = "contact_linked", _("Linked to an existing Altafid contact")
    CONTACT_NEW_CONFIRMED = "contact_new_confirmed", _("Confirmed as a new Altafid contact")
    STEP_QUEUED = "step_queued", _("Step queued")
    STEP_STARTED = "step_started", _("Step started")
    STEP_SUCCEEDED = "step_succeeded", _("Step succeeded")
    STEP_RETRY = "step_retry", _("Step will be retried")
    STEP_FAILED = "step_failed", _("Step failed")
    STEP_NEEDS_ATTENTION = "step_needs_attention", _("Step needs attention")
    STEP_CANCELLED = "step_cancelled", _("Step cancelled")
    REVIEW_REQUESTED = "review_requested", _("Waiting for KYC review")
    REVIEW_ASSIGNED = "review_assigned", _("KYC review taken")
    REVIEW_RELEASED = "review_released", _("KYC review released")
    REVIEW_APPROVED = "review_approved", _("KYC approved")
    REVIEW_RETURNED = "review_returned", _("KYC returned to the relationship manager")
    REVIEW_VOIDED = "review_voided", _("KYC review voided by a change")
    REVIEW_DOCUMENT_CHECKED = "review_document_checked", _("KYC document checked")
    CASE_SCREENED = "case_screened", _("Client screened against the lists")
    SCREENING_HIT_DECIDED = "screening_hit_decided", _("Screening hit decided")
    REVIEW_RATED = "review_rated", _("KYC risk rating changed")
    REVIEW_FIRST_APPROVAL = "review_first_approval", _("KYC approved by a first officer")
    REVIEW_APPROVAL_VOIDED = "review_approval_voided", _("KYC first approval voided by a change")
    DOCUMENT_ATTACHED = "document_attached", _("Document attached")
    DOCUMENT_REPLACED = "document_replaced", _("Document replaced")
    DOCUMENT_REMOVED = "document_removed", _("Document removed")
    DOCUMENT_RESTORED = "document_restored", _("Removed document brought back")
    CONSENT_RECORDED = "consent_recorded", _("Client's consent recorded")
    FAILURE_RETRIED = "failure_retried", _("Failed step retried by an administrator")
    FAILURE_RESOLVED = "failure_resolved", _("Failure marked resolved")
    FAILURE_DECIDED = "failure_decided", _("Unanswered create settled by an administrator")
    CASE_ERASED = "case_erased", _("The client's data erased")
    STAFF_INVITED = "staff_invited", _("Staff member invited")
    STAFF_ROLE_CHANGED = "staff_role_changed", _("Role changed")
    STAFF_DEACTIVATED = "staff_deactivated", _("Staff member deactivated")
    STAFF_REACTIVATED = "staff_reactivated", _("Staff member reactivated")
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Two-factor sign-in set up")
    TWO_FACTOR_REPLACED = "two_factor_replaced", _("Two-factor authenticator replaced")
    TWO_FACTOR_RESET = (
        "two_factor_reset",
        _("Two-factor sign-in reset by a deployment administrator"),
    )


# A step's failed tries, as the failure chart counts them (an index holds only these).
FAILED_TRIES = (EventKind.STEP_RETRY, EventKind.STEP_FAILED, EventKind.STEP_NEEDS_ATTENTION)


class Event(models.Model):
    # None only for what happens to a deployment superuser who works in no tenant. Neither
    # this nor `case` has an index of its own: the composite indexes below lead with each, and
    # the trail is appended to several times a case.
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # Cases and staff are never deleted (discarded, deactivated), so their events always point
    # at them; PROTECT also keeps a delete from cascading into an UPDATE the trigger refuses.
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        db_index=False,
    )
    # Neither this nor `actor` is indexed for every event (Meta): an event about a case names
    # no staff member, and a worker's event no actor.
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_events",
        db_index=False,
    )
    # None: the system (a worker, the sweeper).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["case", "-created_at", "-id"]),
            models.Index(fields=["tenant", "-created_at"]),
            models.Index(
                fields=["tenant", "created_at"],
                condition=models.Q(kind__in=FAILED_TRIES),
                name="audit_event_failed_tries_idx",
            ),
            index_where_set("staff", name="audit_event_staff"),
            index_where_set("actor", name="audit_event_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.case_id or self.staff_id})"
