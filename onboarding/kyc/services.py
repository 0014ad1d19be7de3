"""The four-eyes KYC review: opening a review, assigning it, and deciding it.

A reviewed step (lifecycle `reviewed`) that reaches its turn without an approval of its exact
body is held (`submissions.queueing.queue_or_hold`), which opens a review here. A compliance
officer of the tenant who never edited the client's KYC data approves it, which seals the step
with the body's digest and queues it in the same transaction, or returns it to the RM.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onboarding.accounts.models import Tenant, User
from onboarding.accounts.permissions import Can, user_may, user_must, users_who_may
from onboarding.accounts.services import tenants_for_user
from onboarding.audit.models import EventKind
from onboarding.audit.services import event_new, event_record
from onboarding.audit.sql import events_append
from onboarding.cases.completeness import rules_wire
from onboarding.cases.lifecycle import (
    FIRST_ROUND,
    OWN_SECTION,
    SECTIONS,
    CaseStatus,
    Section,
    StepKind,
    StepState,
    reviewed_sections,
)
from onboarding.cases.locks import case_lock
from onboarding.cases.models import Case, DuplicateDecision, SectionRevision
from onboarding.cases.services import case_sections, sections_complete
from onboarding.core.compiled import CompiledGet, CompiledRead, instance
from onboarding.documents.models import Document, DocumentKind
from onboarding.documents.services import documents_of_case
from onboarding.kyc.flags import Flag, flags_of
from onboarding.kyc.hits import (
    HitRefused,
    case_screen_for_review,
    hits_of_case,
    hits_undecided,
    screening_facts,
)
from onboarding.kyc.models import (
    DocumentCheck,
    HitDecision,
    ReturnReason,
    Review,
    ReviewApproval,
    ReviewKind,
    ReviewState,
    ScreeningHit,
    Verdict,
)
from onboarding.kyc.notify import News, review_notices_after_commit
from onboarding.kyc.presenters import Note, notes_placed
from onboarding.kyc.rating import Rating, RiskLevel, ScreeningFacts, rating_facts, rating_for
from onboarding.submissions.models import Step
from onboarding.submissions.plans import contact_fields
from onboarding.submissions.queueing import (
    QUEUE_FIELDS,
    case_linked,
    hold_announce,
    hold_mark,
    payload_digest,
    queue_now,
)
from onboarding.submissions.status import case_status_refresh

# What a row of the queue shows: no encrypted body, draft or payload is read, let alone decrypted.
QUEUE_COLUMNS = (
    "id",
    "opened_at",
    "flags",
    "rating",
    "rating_reasons",
    "state",
    "assignee__id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
    "case__id",
    "case__client_name",
    "case__status",
    "case__owner__id",
    "case__owner__first_name",
    "case__owner__last_name",
    "case__owner__email",
    "step__id",
    "step__round",
    "step__state",
)


class ReviewNotOpen(Exception):
    """The review was decided, replaced or changed since the page was shown."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    # The answer's status when a page posted it: the request was sound but the review's
    # state refuses it (409), or what was sent is not enough (422).
    status = 422


class DocumentsNotVerified(ReviewNotOpen):
    """Approval waits until every document the review needs is verified."""

    status = 409


class ReviewNotTaken(ReviewNotOpen):
    """Only the officer who took the review approves it."""

    status = 409


class AlreadyApproved(ReviewNotOpen):
    """A high-risk review's second approval is another officer's."""

    status = 409


class AttestationMissing(ReviewNotOpen):
    """Approval asks the officer to attest what they checked."""


APPROVED_ALREADY = gettext_lazy(
    "You already approved this review: a second compliance officer must give the other approval."
)


class HitsNotDecided(ReviewNotOpen):
    """Approval waits until every screening hit is decided, and none as the client."""

    status = 409


@dataclass(frozen=True)
class Returned:
    """Why a review went back to the RM, as the sections show it."""

    review: Review
    reasons: list[str]
    comment: str
    fields: dict[str, str]
    # The notes on fields, each placed where the RM fixes it.
    notes: list[Note]
    # Where the RM starts: the first section with a note, else the returned call's own.
    first_section: Section
    # The kinds of document the officer asked for ("Missing document"), as labels.
    missing: list[str] = field(default_factory=list)


def _authors_read(linked: bool) -> CompiledRead:
    return CompiledRead(
        lambda case_id: SectionRevision.objects.filter(
            case_id=case_id, applied=True, section__in=reviewed_sections(linked=linked)
        ).values_list("saved_by_id")
    )


# Read by every approval (`core.compiled`), one read per set of reviewed sections.
_AUTHORS = {linked: _authors_read(linked) for linked in (False, True)}


def kyc_authors(*, case: Case) -> set[int]:
    """Everyone who entered or changed data the reviewed calls send, the case's owner first."""
    authors = {author for (author,) in _AUTHORS[case_linked(case)].rows(case.pk)}
    return {case.owner_id, *authors}


def four_eyes_check(*, user: User, case: Case) -> None:
    """The person who approves must not be one who edited the client's KYC data."""
    if user.pk in kyc_authors(case=case):
        raise PermissionDenied(
            _(
                "You entered or changed this client's KYC data, so another compliance "
                "officer must approve it."
            )
        )


def reviews_for_user(*, user: User) -> QuerySet[Review]:
    """Reviews this person may open: compliance officers and admins of the tenant."""
    if not user_may(user=user, can=Can.SEE_REVIEWS):
        return Review.objects.none()
    return (
        Review.objects.filter(tenant__in=tenants_for_user(user=user))
        .select_related("case", "case__owner", "assignee", "decided_by", "step")
        .defer("case__drafts", "step__payload")
    )


def reviews_waiting(
    *,
    tenant: Tenant,
    owner_id: int | None = None,
    flag: str = "",
    older_than_days: int = 0,
    assigned: str = "",
    user: User | None = None,
    rating: RiskLevel | None = None,
    by_rating: bool = False,
) -> QuerySet[Review]:
    """The queue: reviews waiting for a decision, oldest first, or highest rating first (the
    oldest first within a level, unrated last)."""
    reviews = (
        Review.objects.filter(tenant=tenant, state=ReviewState.WAITING)
        .select_related("case", "case__owner", "assignee", "step")
        .only(*QUEUE_COLUMNS)
    )
    if by_rating:
        reviews = reviews.order_by(F("rating").desc(nulls_last=True), "opened_at", "id")
    else:
        reviews = reviews.order_by("opened_at", "id")
    if rating is not None:
        reviews = reviews.filter(rating=rating)
    if owner_id:
        reviews = reviews.filter(case__owner_id=owner_id)
    if flag in Flag.values:
        reviews = reviews.filter(flags__contains=f",{flag},")
    if older_than_days > 0:
        since = timezone.now() - datetime.timedelta(days=older_than_days)
        reviews = reviews.filter(opened_at__lte=since)
    if assigned == "me" and user is not None:
        reviews = reviews.filter(assignee=user)
    elif assigned == "nobody":
        reviews = reviews.filter(assignee__isnull=True)
    return reviews


def reviews_close(*, case: Case, actor: User | None) -> None:
    """A cancelled submission leaves nothing to review: its waiting reviews are voided."""
    for review in Review.objects.select_for_update().filter(case=case, state=ReviewState.WAITING):
        _void(review, actor, reason="cancelled")


def reviews_waiting_owners(*, tenant: Tenant) -> list[User]:
    """The queue's RM filter: the tenant's relationship managers."""
    return list(
        users_who_may(can=Can.CHANGE, tenant=tenant)
        .only("id", "first_name", "last_name", "email")
        .order_by("first_name", "last_name", "email")
    )


def reviews_waiting_count(*, tenant: Tenant) -> int:
    return reviews_waiting(tenant=tenant).count()


# Read at every review's opening, or by an officer's every action: built once (`core.compiled`).
_CASE_WITH_TENANT = CompiledGet(Case, "tenant")
_IDENTITY_ELSEWHERE = CompiledRead(
    lambda tenant_id, identity_hash, case_id: (
        Case.objects.filter(tenant_id=tenant_id, identity_hash=identity_hash)
        .exclude(pk=case_id)
        .exclude(status=CaseStatus.DISCARDED)
        .values_list("id")[:1]
    )
)
_DOCUMENTS_SEEN = CompiledRead(
    lambda case_id: (
        documents_of_case(case=Case(pk=case_id))
        .order_by("kind", "uid")
        .values_list("id", "uid", "kind", "sha256")
    )
)
_DOCUMENT_ON_CASE = CompiledRead(
    lambda case_id, document_id: (
        documents_of_case(case=Case(pk=case_id)).filter(pk=document_id).values_list("id")[:1]
    )
)
_WAITING = CompiledRead(
    lambda step_id: (
        Review.objects.filter(step_id=step_id, state=ReviewState.WAITING)
        .select_for_update()
        .values_list("id", "digest")
    )
)


def review_flags(*, case: Case, step: Step, picture: dict[str, Any]) -> dict[Flag, list[str]]:
    """The risk flags of the KYC data; none for another call reviewed because the case is
    linked to a contact Altafid already had (its body is not the KYC data)."""
    if step.kind != StepKind.COMPLIANCE:
        return {}
    elsewhere = bool(case.identity_hash) and bool(
        _IDENTITY_ELSEWHERE.rows(case.tenant_id, case.identity_hash, case.pk)
    )
    # The deployment's list (KYC_HIGH_RISK_COUNTRIES) adds to every tenant's own.
    tenant = case.tenant
    # Binding every section costs more than the rest of a review's opening: only a case
    # with something blocking can have an unmet rule to name.
    unmet = (
        []
        if sections_complete(case.section_states or {})
        else [unmet for bound in case_sections(case=case).values() for unmet in bound.check().unmet]
    )
    return flags_of(
        picture,
        identity_elsewhere=elsewhere,
        high_risk_countries=tenant.high_risk_country_codes | settings.KYC_HIGH_RISK_COUNTRIES,
        today=timezone.localdate(),
        incomplete=rules_wire(unmet),
        declared_different=case.duplicate_decision == DuplicateDecision.NEW_CONTACT,
    )


def review_previous(*, review: Review) -> Review | None:
    """What was last reviewed before this review: the latest decided review of the case's
    same call (a linked case's sales update is reviewed apart from its compliance update)."""
    return (
        Review.objects.filter(
            case_id=review.case_id, decided_at__isnull=False, step__kind=review.step.kind
        )
        .filter(Q(opened_at__lt=review.opened_at) | Q(opened_at=review.opened_at, pk__lt=review.pk))
        .order_by("-opened_at", "-id")
        .first()
    )


def _picture(step: Step, body: dict[str, Any]) -> dict[str, Any]:
    if step.round == FIRST_ROUND:
        return dict(body)
    approved = (
        Review.objects.filter(case_id=step.case_id, state=ReviewState.APPROVED)
        .order_by("-decided_at", "-id")
        .first()
    )
    base = contact_fields(approved.picture) if approved is not None else {}
    merged = {**base, **contact_fields(body)}
    picture: dict[str, Any] = {}
    for key, value in merged.items():
        if key.startswith("addresses:"):
            picture.setdefault("addresses", []).extend(value or [])
        else:
            picture[key] = value
    return picture


def review_open(*, step: Step, actor: User | None) -> Review:
    """Opens a review of the held step's body, unless one of exactly this body is waiting.

    A waiting review of another body is voided (the RM submitted other data since), and so is
    an approval of another body: what is sent is always what an officer approved.
    """
    case = _CASE_WITH_TENANT.get(step.case_id)
    body = step.payload or {}
    digest = payload_digest(body)
    waiting = _WAITING.rows(step.pk)
    for review_id, waiting_digest in waiting:
        if waiting_digest == digest:
            return Review.objects.get(pk=review_id)
    if waiting:
        for review in Review.objects.filter(pk__in=[review_id for review_id, _d in waiting]):
            _void(review, actor, reason="resubmitted")
    if step.approved_digest and step.approved_digest != digest:
        approved = Review.objects.filter(
            step=step, state=ReviewState.APPROVED, digest=step.approved_digest
        )
        for review in approved:
            _void(review, actor, reason="changed")
        Step.objects.filter(pk=step.pk).update(
            approved_digest="", approved_by=None, approved_at=None
        )
    case_screen_for_review(case=case, actor=actor)
    picture = _picture(step, body)
    flags = review_flags(case=case, step=step, picture=picture)
    rating = _rating(
        picture, [str(f) for f in flags], tenant=case.tenant, screening=screening_facts(case=case)
    )
    review = Review.objects.create(
        tenant_id=case.tenant_id,
        case=case,
        step=step,
        body=body,
        digest=digest,
        picture=picture,
        flags="," + ",".join(flags) + "," if flags else "",
        documents=documents_seen(case=case),
        rating=rating.level,
        rating_reasons=rating.codes,
    )
    event_record(
        kind=EventKind.REVIEW_REQUESTED,
        tenant=case.tenant_id,
        actor=actor,
        case=case,
        data={
            "review": review.pk,
            "round": step.round,
            "flags": [str(f) for f in flags],
            "rating": rating.level.code,
            "rating_reasons": rating.codes,
        },
    )
    review_notices_after_commit(review_id=review.pk, news=News.WAITING, actor=actor)
    return review


def _rating(
    picture: dict[str, Any], flags: list[str], *, tenant: Tenant, screening: ScreeningFacts
) -> Rating:
    return rating_for(
        rating_facts(
            picture,
            flags=flags,
            high_risk_countries=tenant.high_risk_country_codes | settings.KYC_HIGH_RISK_COUNTRIES,
            wealth_above=tenant.risk_wealth_above,
            screening=screening,
        )
    )


def review_rate(*, review: Review, screening: ScreeningFacts) -> Rating:
    """Rates the review from its KYC data and flags, the tenant's high-risk countries and
    amount threshold, and what screening found (`kyc.rating`), and stores the rating.

    Rating again (screening decided a hit, say) records the change in the audit trail."""
    tenant = Tenant.objects.only("high_risk_countries", "risk_wealth_above").get(
        pk=review.tenant_id
    )
    rating = _rating(review.picture, review.flag_codes, tenant=tenant, screening=screening)
    was = review.rating
    Review.objects.filter(pk=review.pk).update(rating=rating.level, rating_reasons=rating.codes)
    review.rating, review.rating_reasons = rating.level, rating.codes
    if was is not None and was != rating.level:
        event_record(
            kind=EventKind.REVIEW_RATED,
            tenant=review.tenant_id,
            actor=None,
            case=review.case,
            data={
                "review": review.pk,
                "was": RiskLevel(was).code,
                "rating": rating.level.code,
                "rating_reasons": rating.codes,
            },
        )
    return rating


def review_hit_decide(
    *, review: Review, hit: ScreeningHit, user: User, decision: str, reason: str
) -> ScreeningHit:
    """Records the officer's decision on a hit of the review's case (again: replaces it), and
    rates the review again on it: a possible match or the client raises the rating, and with
    it the approvals needed."""
    if decision not in HitDecision.values:
        raise HitRefused(_("Choose a decision for the hit."))
    reason = reason.strip()
    if decision == HitDecision.NOT_CLIENT and not reason:
        raise HitRefused(_("Say why this is not the client."))
    with transaction.atomic():
        locked = _review_locked(review)
        user_must(user=user, can=Can.DECIDE, case=locked.case)
        if locked.state != ReviewState.WAITING:
            raise HitRefused(_("This review was decided or replaced meanwhile."))
        if locked.assignee_id not in (None, user.pk):
            raise HitRefused(_("Another officer has taken this review."))
        if not hits_of_case(case=locked.case).filter(pk=hit.pk).exists():
            raise HitRefused(_("This hit is no longer found for the client."))
        ScreeningHit.objects.filter(pk=hit.pk).update(
            decision=decision,
            reason=reason,
            decided_by=user,
            decided_at=timezone.now(),
            review=locked,
        )
        event_record(
            kind=EventKind.SCREENING_HIT_DECIDED,
            tenant=locked.tenant_id,
            actor=user,
            case=locked.case,
            data={"review": locked.pk, "hit": hit.pk, "decision": decision},
        )
        review_rate(review=locked, screening=screening_facts(case=locked.case))
    hit.refresh_from_db()
    return hit


# Read by every officer's action on a review (`core.compiled`).
_APPROVERS = CompiledRead(
    lambda review_id: ReviewApproval.objects.filter(review_id=review_id).values_list("officer_id")
)


def _approvers(review: Review) -> list[int]:
    """The officers who approved the review so far."""
    return [officer_id for (officer_id,) in _APPROVERS.rows(review.pk)]


def review_approvals(*, review: Review) -> list[ReviewApproval]:
    """The approvals given so far, first first, with their officers."""
    return list(ReviewApproval.objects.filter(review=review).select_related("officer"))


def _void(review: Review, actor: User | None, *, reason: str) -> None:
    Review.objects.filter(pk=review.pk).update(state=ReviewState.VOIDED)
    event_record(
        kind=EventKind.REVIEW_VOIDED,
        tenant=review.tenant_id,
        actor=actor,
        case=review.case,
        data={"review": review.pk, "was": review.state, "reason": reason},
    )


# Every officer's action reads these, locked (`core.compiled`).
_STEP_LOCKED = CompiledGet(Step, lock=True)
_REVIEW_LOCKED = CompiledGet(Review, defer=("body", "picture", "notes"), lock=True)


def _review_locked(review: Review) -> Review:
    """The review with its case and step, locked in the order every writer of a case locks
    them (`cases.locks`: the case, then its steps, then its reviews), as they are now.

    An officer's action decides on the review's digest, never reads the client's data: the
    drafts and the review's bodies are read (and decrypted) only if something reads them."""
    case = case_lock(case_id=review.case_id, drafts=False)
    step = _STEP_LOCKED.get(review.step_id) if review.step_id is not None else None
    if step is None:
        raise Step.DoesNotExist
    locked = _REVIEW_LOCKED.get(review.pk)
    if locked is None:
        raise Review.DoesNotExist
    locked.case = case
    locked.step = step
    step.case = case
    return locked


def _still_waiting(review: Review) -> None:
    if not review.is_open:
        raise ReviewNotOpen(_("This review was decided or replaced meanwhile."))


def review_assign(*, review: Review, user: User) -> None:
    with transaction.atomic():
        review = _review_locked(review)
        user_must(user=user, can=Can.DECIDE, case=review.case)
        _still_waiting(review)
        if review.assignee_id == user.pk:
            return
        if review.assignee_id is not None:
            raise ReviewNotOpen(_("Someone else took this review meanwhile."))
        if user.pk in _approvers(review):
            # The second approval is another officer's: taking it would only keep it from them.
            raise AlreadyApproved(str(APPROVED_ALREADY))
        Review.objects.filter(pk=review.pk).update(assignee=user, assigned_at=timezone.now())
        event_record(
            kind=EventKind.REVIEW_ASSIGNED,
            tenant=review.tenant_id,
            actor=user,
            case=review.case,
            data={"review": review.pk},
        )


def review_release(*, review: Review, user: User) -> None:
    with transaction.atomic():
        review = _review_locked(review)
        user_must(user=user, can=Can.DECIDE, case=review.case)
        _still_waiting(review)
        if review.assignee_id != user.pk:
            raise ReviewNotOpen(_("Only the officer who took this review can release it."))
        Review.objects.filter(pk=review.pk).update(assignee=None, assigned_at=None)
        event_record(
            kind=EventKind.REVIEW_RELEASED,
            tenant=review.tenant_id,
            actor=user,
            case=review.case,
            data={"review": review.pk},
        )


def _decide_check(review: Review, user: User, digest: str) -> None:
    user_must(user=user, can=Can.DECIDE, case=review.case)
    _still_waiting(review)
    if review.assignee_id not in (None, user.pk):
        raise ReviewNotOpen(_("Another officer has taken this review."))
    if digest != review.digest or payload_digest(review.step.payload or {}) != review.digest:
        raise ReviewNotOpen(_("The data changed since this page was shown. Look at it again."))


def review_approve(*, review: Review, user: User, digest: str, attested: bool) -> bool:
    """Records the officer's approval, with their attestation that they checked the documents
    and every screening hit. With as many approvals as the review needs (two officers for a
    high-risk one), seals the step with the body's digest and queues it, in one transaction,
    and answers True; a first approval of two releases the review for a second officer and
    keeps the step held (False).

    The approver must have taken the review and never edited the client's KYC data, and
    approves once."""
    with transaction.atomic():
        review = _review_locked(review)
        _decide_check(review, user, digest)
        four_eyes_check(user=user, case=review.case)
        given = _approvers(review)
        if user.pk in given:
            raise AlreadyApproved(str(APPROVED_ALREADY))
        if review.assignee_id != user.pk:
            raise ReviewNotTaken(_("Take this review (Assign to me) before approving it."))
        if not attested:
            raise AttestationMissing(
                _("Tick that you checked the documents and every screening hit.")
            )
        if review.kind == ReviewKind.SCREENING:
            _screening_review_close(review, user)
            return True
        seen = _documents_verified(review)
        if waits := hits_undecided(review=review):
            raise HitsNotDecided(waits)
        now = timezone.now()
        ReviewApproval.objects.create(review=review, officer=user, attested_at=now, documents=seen)
        approvals, needed = len(given) + 1, review.approvals_needed
        if approvals < needed:
            Review.objects.filter(pk=review.pk).update(assignee=None, assigned_at=None)
            event_record(
                kind=EventKind.REVIEW_FIRST_APPROVAL,
                tenant=review.tenant_id,
                actor=user,
                case=review.case,
                data={"review": review.pk, "approvals": approvals, "needed": needed},
            )
            review_notices_after_commit(review_id=review.pk, news=News.WAITING, actor=user)
            return False
        step = review.step
        step.approved_digest = review.digest
        step.approved_by = user
        step.approved_at = now
        queue_now(step, also=("approved_digest", "approved_by", "approved_at"))
        Review.objects.filter(pk=review.pk).update(
            state=ReviewState.APPROVED,
            decided_by=user,
            decided_at=now,
            assignee=user.pk,
            documents=seen,
        )
        events_append(
            [
                event_new(
                    kind=EventKind.REVIEW_APPROVED,
                    tenant=review.tenant_id,
                    actor=user,
                    case=review.case,
                    data={"review": review.pk, "digest": review.digest, "approvals": approvals},
                ),
                event_new(
                    kind=EventKind.STEP_QUEUED,
                    tenant=review.tenant_id,
                    actor=user,
                    case=review.case,
                    data={"step": step.kind, "round": step.round},
                ),
            ]
        )
        review_notices_after_commit(review_id=review.pk, news=News.DECIDED, actor=user)
        case_status_refresh(case_id=review.case_id)
        return True


def _screening_review_close(review: Review, user: User) -> None:
    """A screening review ends once every hit is decided: nothing goes to Altafid. A hit
    decided as the client stays on record, in the audit trail and on the case's reviews."""
    hits = ScreeningHit.objects.filter(case=review.case, active=True)
    if hits.filter(decision="").exists():
        raise HitsNotDecided(_("Decide every screening hit before closing the review."))
    Review.objects.filter(pk=review.pk).update(
        state=ReviewState.APPROVED,
        decided_by=user,
        decided_at=timezone.now(),
        assignee=review.assignee_id or user.pk,
    )
    event_record(
        kind=EventKind.REVIEW_APPROVED,
        tenant=review.tenant_id,
        actor=user,
        case=review.case,
        data={
            "review": review.pk,
            "kind": ReviewKind.SCREENING.value,
            "confirmed": hits.filter(decision=HitDecision.CLIENT).count(),
        },
    )
    review_notices_after_commit(review_id=review.pk, news=News.CLOSED, actor=user)


def review_return(
    *,
    review: Review,
    user: User,
    digest: str,
    reasons: list[str],
    comment: str,
    field_notes: dict[str, str],
    missing: list[str] | None = None,
) -> None:
    """Sends the case back to its RM with the reasons; their Submit opens a new review.

    `missing` names the kinds of document the RM is to attach: it goes with the reason
    "Missing document", which needs at least one."""
    missing = [kind for kind in DocumentKind.values if kind in (missing or [])]
    if missing and ReturnReason.MISSING_DOCUMENT not in reasons:
        reasons = [*reasons, ReturnReason.MISSING_DOCUMENT]
    if not reasons or any(reason not in ReturnReason.values for reason in reasons):
        raise ReviewNotOpen(_("Choose at least one reason."))
    if ReturnReason.MISSING_DOCUMENT in reasons and not missing:
        raise ReviewNotOpen(_("Choose which documents are missing."))
    with transaction.atomic():
        review = _review_locked(review)
        _decide_check(review, user, digest)
        now = timezone.now()
        notes = {
            "comment": comment.strip(),
            "fields": {key: text.strip() for key, text in field_notes.items() if text.strip()},
            "documents": missing,
        }
        Review.objects.filter(pk=review.pk).update(
            state=ReviewState.RETURNED,
            decided_by=user,
            decided_at=now,
            reasons=reasons,
            notes=notes,
            assignee=review.assignee_id or user.pk,
            documents=documents_seen(case=review.case),
        )
        Step.objects.filter(pk=review.step_id).update(state=StepState.RETURNED, updated_at=now)
        event_record(
            kind=EventKind.REVIEW_RETURNED,
            tenant=review.tenant_id,
            actor=user,
            case=review.case,
            data={
                "review": review.pk,
                "reasons": reasons,
                "fields": sorted(notes["fields"]),
                "documents": missing,
            },
        )
        review_notices_after_commit(review_id=review.pk, news=News.DECIDED, actor=user)
        case_status_refresh(case_id=review.case_id)


def review_returned(*, case: Case) -> Returned | None:
    """Why the case is back with its RM, while it is (its reviewed step is returned)."""
    review = (
        Review.objects.filter(case=case, state=ReviewState.RETURNED, step__state=StepState.RETURNED)
        .select_related("step", "decided_by")
        .defer("body", "picture", "step__payload")
        .order_by("-decided_at")
        .first()
    )
    if review is None:
        return None
    notes = review.notes or {}
    labels = dict(ReturnReason.choices)
    fields = notes.get("fields", {})
    own = OWN_SECTION[StepKind(review.step.kind)]
    placed = notes_placed(fields=fields, case=case, own=own)
    noted = [note.section for note in placed if note.section is not None]
    return Returned(
        review=review,
        reasons=[str(labels.get(code, code)) for code in review.reasons],
        comment=notes.get("comment", ""),
        fields=fields,
        notes=placed,
        first_section=min(noted, key=SECTIONS.index) if noted else own,
        missing=[str(DocumentKind(kind).label) for kind in notes.get("documents", [])],
    )


def returned_counts(*, case_ids: list[int]) -> dict[int, int]:
    """For the RM's list: how many things each returned case has to fix (at least one)."""
    reviews = Review.objects.filter(
        case_id__in=case_ids, state=ReviewState.RETURNED, step__state=StepState.RETURNED
    ).only("case_id", "notes", "reasons")
    return {
        review.case_id: max(1, len((review.notes or {}).get("fields", {}))) for review in reviews
    }


def documents_seen(*, case: Case) -> list[dict[str, str]]:
    """The documents on the case now, as a review records them: opaque IDs, kinds and the
    SHA-256 of their bytes, in a fixed order so that two records compare equal."""
    return _seen(_DOCUMENTS_SEEN.rows(case.pk))


def _seen(rows: list[tuple[Any, ...]]) -> list[dict[str, str]]:
    return [{"uid": str(uid), "kind": kind, "sha256": sha256} for _id, uid, kind, sha256 in rows]


def documents_to_verify(*, case: Case) -> list[Document]:
    """The documents an officer verifies before approving: every one attached to the case.

    The rule set of which kinds a case needs (`documents.rules.documents_required`) decides
    whether the RM may submit; once submitted, every document on the case is evidence the
    approval stands on, so none is left unlooked at."""
    return list(documents_of_case(case=case).order_by("kind", "uploaded_at", "id"))


def review_checks(*, review: Review) -> dict[int, DocumentCheck]:
    """The officer's findings in this review, by document."""
    return {
        check.document_id: check
        for check in DocumentCheck.objects.filter(review=review).select_related("checked_by")
    }


def documents_unverified(
    documents: list[Document], checks: dict[int, DocumentCheck]
) -> list[Document]:
    """Those of `documents` without a "verified" finding in `checks` (`review_checks`)."""
    return [
        document
        for document in documents
        if document.pk not in checks or checks[document.pk].verdict != Verdict.VERIFIED
    ]


# What an approval reads to check that every document is verified (`core.compiled`): the
# findings' verdicts, not the whole rows the review page shows.
_VERDICTS = CompiledRead(
    lambda review_id: DocumentCheck.objects.filter(review_id=review_id).values_list(
        "document_id", "verdict"
    )
)


def _documents_verified(review: Review) -> list[dict[str, str]]:
    """Checks that every document on the case is verified; returns them as the approval
    records them (`documents_seen`): the documents checked are the documents recorded."""
    rows = _DOCUMENTS_SEEN.rows(review.case_id)
    documents = [
        instance(Document, ("id", "kind"), (document_id, kind))
        for document_id, _uid, kind, _sha256 in rows
    ]
    checks = {
        document_id: DocumentCheck(document_id=document_id, verdict=verdict)
        for document_id, verdict in _VERDICTS.rows(review.pk)
    }
    unverified = documents_unverified(documents, checks)
    if unverified:
        kinds = sorted({str(document.get_kind_display()) for document in unverified})
        raise DocumentsNotVerified(
            _("Verify every document before approving. Not verified yet: %(kinds)s.")
            % {"kinds": ", ".join(kinds)}
        )
    return _seen(rows)


def document_check(
    *, review: Review, document: Document, user: User, verdict: str, note: str
) -> DocumentCheck:
    """Records the officer's finding on a document of the review's case (again: replaces it)."""
    if verdict not in Verdict.values:
        raise ReviewNotOpen(_("Choose a finding for the document."))
    with transaction.atomic():
        review = _review_locked(review)
        user_must(user=user, can=Can.DECIDE, case=review.case)
        _still_waiting(review)
        if review.assignee_id not in (None, user.pk):
            raise ReviewNotOpen(_("Another officer has taken this review."))
        if not _DOCUMENT_ON_CASE.rows(review.case_id, document.pk):
            raise ReviewNotOpen(_("This document was replaced or removed meanwhile."))
        check = DocumentCheck(
            review=review,
            document=document,
            verdict=verdict,
            note=note.strip(),
            checked_by=user,
            checked_at=timezone.now(),
        )
        # One statement (INSERT … ON CONFLICT) where update_or_create takes five.
        DocumentCheck.objects.bulk_create(
            [check],
            update_conflicts=True,
            unique_fields=["review", "document"],
            update_fields=["verdict", "note", "checked_by", "checked_at"],
        )
        event_record(
            kind=EventKind.REVIEW_DOCUMENT_CHECKED,
            tenant=review.tenant_id,
            actor=user,
            case=review.case,
            data={"review": review.pk, "document": str(document.uid), "verdict": verdict},
        )
        return check


# A step a worker is not sending and has not sent: its approval can still be taken back.
UNSENT = (StepState.WAITING, StepState.QUEUED, StepState.FAILED, StepState.NEEDS_ATTENTION)


def reviews_documents_changed(*, case: Case, actor: User | None) -> None:
    """A document was attached, replaced or removed: an approval of other documents no longer
    holds, as when the data changes. The step it sealed is held for a new review at once when
    it waits in the queue; a failed one is held when it is retried. Called under the case's
    lock (`documents.services`)."""
    seen = documents_seen(case=case)
    _first_approvals_void(case, seen, actor)
    steps = {
        step.pk: step
        for step in Step.objects.select_for_update().filter(case=case, state__in=UNSENT)
    }
    approved = Review.objects.select_for_update().filter(
        case=case, state=ReviewState.APPROVED, step_id__in=list(steps)
    )
    for review in approved:
        step = steps[review.step_id]
        if review.documents == seen or step.approved_digest != review.digest:
            continue
        _void(review, actor, reason="documents")
        step.approved_digest = ""
        step.approved_by = None
        step.approved_at = None
        step.case = case
        fields = ["approved_digest", "approved_by", "approved_at", "updated_at"]
        if step.state == StepState.QUEUED:
            hold_mark(step)
            fields += QUEUE_FIELDS
        step.save(update_fields=fields)
        if step.state == StepState.IN_REVIEW:
            hold_announce(step, actor=actor)
        case_status_refresh(case_id=case.pk)


def _first_approvals_void(case: Case, seen: list[dict[str, str]], actor: User | None) -> None:
    """A first approval of a waiting review stood on the documents as they were: once they
    change, the review needs its approvals again."""
    stale = [
        approval
        for approval in ReviewApproval.objects.select_for_update()
        .filter(review__case=case, review__state=ReviewState.WAITING)
        .select_related("review")
        if approval.documents != seen
    ]
    for approval in stale:
        approval.delete()
        event_record(
            kind=EventKind.REVIEW_APPROVAL_VOIDED,
            tenant=case.tenant_id,
            actor=actor,
            case=case,
            data={"review": approval.review_id, "officer": approval.officer_id},
        )
