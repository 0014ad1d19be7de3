"""The four-eyes KYC review: one `Review` each time a reviewed step is held for a decision.

A review keeps the exact body it is about (`body`, encrypted) and its digest, so that an
approval seals exactly what is sent, and the next review can show what changed since.
"""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import Tenant
from onboarding.cases.models import Case
from onboarding.core.crypto import EncryptedJSONField
from onboarding.documents.models import Document
from onboarding.kyc.rating import RiskLevel
from onboarding.submissions.models import Step


class ReviewState(models.TextChoices):
    WAITING = "waiting", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned to the relationship manager")
    # Replaced by a later submission of other data before anyone decided, or an approval
    # voided because the data changed before it was sent.
    VOIDED = "voided", _("Voided by a change")


class ReturnReason(models.TextChoices):
    MISSING_DOCUMENT = "missing_document", _("Missing document")
    INCONSISTENT_DATA = "inconsistent_data", _("Inconsistent data")
    IDENTITY_NOT_VERIFIED = "identity_not_verified", _("Identity not verified")
    OTHER = "other", _("Other")


class Review(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reviews")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="reviews")
    state = models.CharField(
        max_length=20, choices=ReviewState.choices, default=ReviewState.WAITING
    )
    opened_at = models.DateTimeField(default=timezone.now)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The body this review is about, as the step will send it, and its digest.
    body = EncryptedJSONField()
    digest = models.CharField(max_length=64)
    # The client's KYC data as a whole after this body: the body itself for a first
    # submission, the last reviewed picture with an amendment's changes on top otherwise.
    picture = EncryptedJSONField()
    # Risk flag codes, comma-wrapped (",pep,minor,") so that a filter is a plain LIKE anywhere.
    flags = models.CharField(max_length=300, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    # {"comment": "...", "fields": {"<wire key>": "..."}}: free text, so encrypted.
    notes = EncryptedJSONField(null=True, blank=True)
    # The documents on the case as this review saw them, when it opened and again when it was
    # decided: [{"uid", "kind", "sha256"}], opaque IDs only. An approval is of these documents
    # too: a later change to them voids it, and the next review lists what changed.
    documents = models.JSONField(default=list, blank=True)
    # The risk rating when the review opened (`kyc.rating`), and the codes of the rules that
    # gave it. Empty for a review opened before ratings existed.
    rating = models.PositiveSmallIntegerField(choices=RiskLevel.choices, null=True, blank=True)
    rating_reasons = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("opened_at", "id")
        indexes = [
            models.Index(fields=["tenant", "state", "opened_at"]),
            models.Index(fields=["case", "-opened_at"]),
            # The queue's and the officer's home counts by who took a review.
            models.Index(fields=["tenant", "state", "assignee"]),
            # The queue by rating: filtered on one level, or sorted highest first.
            models.Index(
                F("tenant"),
                F("state"),
                F("rating").desc(nulls_last=True),
                F("opened_at"),
                F("id"),
                name="kyc_review_rating_idx",
            ),
            # The waiting-time figures of the last days, from the index alone.
            models.Index(
                fields=["tenant", "decided_at", "state", "opened_at"],
                condition=models.Q(decided_at__isnull=False),
                name="kyc_review_decided_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"review {self.pk} of case {self.case_id}: {self.state}"

    @property
    def flag_codes(self) -> list[str]:
        return [code for code in self.flags.split(",") if code]

    @property
    def level(self) -> RiskLevel | None:
        return RiskLevel(self.rating) if self.rating is not None else None

    @property
    def approvals_needed(self) -> int:
        """A high-risk review needs two officers' approvals; any other one."""
        return 2 if self.rating == RiskLevel.HIGH else 1


class ReviewApproval(models.Model):
    """One officer's approval of a review, with their attestation: a review is approved (its
    step sealed and queued) once it has as many as it needs (`Review.approvals_needed`)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="approvals")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # When they ticked "I checked the documents and every screening hit" and approved.
    attested_at = models.DateTimeField(default=timezone.now)
    # The documents as this approval saw them: a change before the last approval voids it.
    documents = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("attested_at", "id")
        constraints = [
            models.UniqueConstraint(fields=["review", "officer"], name="kyc_approval_once")
        ]

    def __str__(self) -> str:
        return f"approval of review {self.review_id} by {self.officer_id}"


class Verdict(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    ILLEGIBLE = "illegible", _("Illegible")
    MISMATCH = "mismatch", _("Does not match the data")
    EXPIRED = "expired", _("Expired")


class DocumentCheck(models.Model):
    """The officer's finding on one document of the case, in one review: approval waits until
    every document the review needs is verified."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="checks")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(_("finding"), max_length=20, choices=Verdict.choices)
    # Free text about a client's document: encrypted.
    note = EncryptedJSONField(_("note"), default="", blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "document"], name="kyc_check_once")
        ]

    def __str__(self) -> str:
        return f"check of document {self.document_id} in review {self.review_id}: {self.verdict}"
