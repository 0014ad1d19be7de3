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
from onboarding.cases.lifecycle import StepState
from onboarding.cases.models import Case
from onboarding.core.crypto import EncryptedJSONField
from onboarding.core.indexes import PortableIndex, index_where_set
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


class ReviewKind(models.TextChoices):
    # A held step's body, sent once approved.
    STEP = "step", _("Data to send to Altafid")
    # A new screening hit on a client already in Altafid: nothing is sent; every hit is decided.
    SCREENING = "screening", _("New screening hit")


class Review(models.Model):
    # Not indexed alone: an index in Meta leads with it (each index is a write more per save).
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+", db_index=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reviews", db_index=False)
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(max_length=20, choices=ReviewKind.choices, default=ReviewKind.STEP)
    state = models.CharField(
        max_length=20, choices=ReviewState.choices, default=ReviewState.WAITING
    )
    opened_at = models.DateTimeField(default=timezone.now)
    # Both indexed only where set (Meta): a review opens with neither.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
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
            PortableIndex(
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
            index_where_set("assignee", name="kyc_review_assignee"),
            index_where_set("decided_by", name="kyc_review_decider"),
        ]

    def __str__(self) -> str:
        return f"review {self.pk} of case {self.case_id}: {self.state}"

    @property
    def flag_codes(self) -> list[str]:
        return [code for code in self.flags.split(",") if code]

    @property
    def is_open(self) -> bool:
        """Waiting for a decision: a step's review while its step is held, a screening
        review until it is closed."""
        held = self.kind == ReviewKind.SCREENING or self.step.state == StepState.IN_REVIEW
        return self.state == ReviewState.WAITING and held

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

    # Not indexed alone: an index in Meta leads with it (each index is a write more per save).
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="approvals", db_index=False
    )
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

    # Not indexed alone: an index in Meta leads with it (each index is a write more per save).
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="checks", db_index=False
    )
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


class HitDecision(models.TextChoices):
    NOT_CLIENT = "not_client", _("Not the client")
    POSSIBLE = "possible", _("Possible match: escalated")
    CLIENT = "client", _("The client")


class ScreeningHit(models.Model):
    """A listed person the client's names matched, with the officer's decision on it.

    One row per case, listed entity and version of that entity's data (`entity_digest`): a
    re-screening that finds the same entity unchanged finds this row again, decision and all,
    so the same false hit is not asked twice; a change to the entity's data makes a new,
    undecided row. `active` says whether the latest screening of the case found it."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="screening_hits")
    dataset = models.CharField(max_length=100)
    list_version = models.PositiveIntegerField()
    entity_id = models.CharField(max_length=200)
    entity_digest = models.CharField(max_length=64)
    score = models.FloatField()
    # Topic codes of the listed entity (sanction, role.pep, crime...), comma-wrapped.
    topics = models.CharField(max_length=300, blank=True)
    # How it matched: which of the client's names met which listed name, the score's parts,
    # the listed person's birth dates, countries and source. Holds the client's names: encrypted.
    explanation = EncryptedJSONField(default=dict)
    active = models.BooleanField(default=True)
    found_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=20, choices=HitDecision.choices, blank=True)
    # The officer's reason: free text about the client, encrypted.
    reason = EncryptedJSONField(default="", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The review in which it was decided.
    review = models.ForeignKey(
        Review, on_delete=models.SET_NULL, null=True, blank=True, related_name="hits_decided"
    )

    class Meta:
        ordering = ("-score", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "entity_id", "entity_digest"], name="kyc_hit_once"
            )
        ]
        indexes = [
            models.Index(fields=["case", "active"]),
            # The figures: hits found per week, and decisions, per tenant.
            models.Index(fields=["tenant", "found_at"]),
        ]

    def __str__(self) -> str:
        return f"hit {self.entity_id} on case {self.case_id}: {self.decision or 'undecided'}"

    @property
    def topic_codes(self) -> list[str]:
        return [code for code in self.topics.split(",") if code]

    @property
    def topic_labels(self) -> list[tuple[str, str]]:
        """(code, words) for each topic; a topic without words here shows its code."""
        return [(code, str(TOPIC_LABELS.get(code, code))) for code in self.topic_codes]

    @property
    def score_parts(self) -> list[tuple[str, float]]:
        parts: dict[str, float] = self.explanation.get("parts", {})
        return [(str(SCORE_PART_LABELS.get(part, part)), value) for part, value in parts.items()]


# FollowTheMoney's topics that the lists use most, in the officer's words.
TOPIC_LABELS = {
    "sanction": _("Sanctioned"),
    "sanction.linked": _("Linked to a sanctioned party"),
    "role.pep": _("Politically exposed person"),
    "role.rca": _("Close associate or relative of a PEP"),
    "crime": _("Crime"),
    "crime.fraud": _("Fraud"),
    "crime.terror": _("Terrorism"),
    "debarment": _("Debarred"),
    "wanted": _("Wanted"),
}
# The parts of a hit's score (`screening.matching.entity_score`).
SCORE_PART_LABELS = {
    "name": _("name"),
    "birth_date": _("birth date"),
    "country": _("country"),
}


class ScreeningReason(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted for review")
    CHANGED = "changed", _("The client's names, birth date or nationality changed")
    LISTS = "lists", _("A list changed")


class ScreeningRun(models.Model):
    """One screening of a case's client: when, why, and a keyed hash of what was screened, so a
    change to the names, birth date or nationality is seen without keeping them here."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    # Not indexed alone: an index in Meta leads with it (each index is a write more per save).
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="screenings", db_index=False
    )
    reason = models.CharField(max_length=20, choices=ScreeningReason.choices)
    person_digest = models.CharField(max_length=64)
    # The list versions screened against: {"<dataset>": <version pk>}.
    versions = models.JSONField(default=dict)
    hits = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    screened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("case_id", "-screened_at", "-id")
        indexes = [models.Index(fields=["case", "-screened_at"])]

    def __str__(self) -> str:
        return f"screening of case {self.case_id} ({self.reason})"


class Rescreening(models.Model):
    """Every client screened again after a list changed, in the background; its progress is
    on the health page."""

    dataset = models.CharField(max_length=100)
    list_version = models.PositiveIntegerField()
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    new_hits = models.PositiveIntegerField(default=0)
    # Listed people new or changed in the version, and the clients that any of them, or a
    # change to a listed person they had a hit on, has screened again; the others stand.
    changed_entities = models.PositiveIntegerField(default=0)
    screened = models.PositiveIntegerField(default=0)
    # Its list version was replaced before it ran; the next one compares the whole list.
    superseded = models.BooleanField(default=False)
    # The last case screened: a worker that stops goes on after it.
    last_case_id = models.PositiveIntegerField(default=0)
    # Held by the worker screening, renewed with the progress; past it, the worker was lost.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        return f"re-screening after {self.dataset} v{self.list_version}: {self.done}/{self.total}"
