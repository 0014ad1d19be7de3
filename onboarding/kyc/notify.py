"""A review's notices are made by a worker once the transaction that opened or decided the
review commits, never inside it: the decision does not wait on them, and a notice cannot
outlive a decision that was rolled back. The task carries the review's id, what it is to tell
and who acted, nothing of the client.

The task is acknowledged as it starts, so the broker never delivers it twice; one lost
between the commit and the broker, or with its worker, loses its notices, not the decision
(the review queue and the case's pages still say where the case is)."""

from enum import StrEnum

from django.db import transaction

from onboarding.accounts.models import User
from onboarding.kyc.models import ReturnReason, Review, ReviewState
from onboarding.notices.models import NoticeKind
from onboarding.notices.services import (
    PERSON_FIELDS,
    notices_review_closed,
    notices_review_decided,
    notices_review_waiting,
)


class News(StrEnum):
    # The review waits for an officer (opened, or one of two approvals given).
    WAITING = "waiting"
    # Returned or approved: the RM hears it, and the officers' waiting notices are done.
    DECIDED = "decided"
    # A screening review closed: only the officers' waiting notices are done.
    CLOSED = "closed"


def review_notices_after_commit(*, review_id: int, news: News, actor: User | None) -> None:
    from onboarding.kyc.tasks import review_notices

    actor_id = actor.pk if actor is not None else None
    transaction.on_commit(lambda: review_notices.delay(review_id, news.value, actor_id))


# What the notices read of a review: never its bodies nor its case's drafts (decrypting them
# would be most of a notice's cost, and a notice names no client).
NOTICE_FIELDS = (
    "kind",
    "state",
    "reasons",
    "case__tenant_id",
    "step__state",
    *(f"case__owner__{name}" for name in PERSON_FIELDS),
    *(f"decided_by__{name}" for name in PERSON_FIELDS),
)


def review_notices_make(*, review_id: int, news: News, actor_id: int | None) -> None:
    """The worker's side: the notices of what happened to the review."""
    review = (
        Review.objects.select_related("case__owner", "step", "decided_by")
        .only(*NOTICE_FIELDS)
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        return
    if news is News.WAITING:
        # Decided meanwhile: nobody is to be told that it waits.
        if review.is_open:
            notices_review_waiting(case=review.case, actor_id=actor_id)
            _waiting_checked(review)
    elif news is News.CLOSED:
        notices_review_closed(case=review.case)
    elif review.decided_by is None:
        return
    elif review.state == ReviewState.RETURNED:
        notices_review_decided(
            case=review.case,
            kind=NoticeKind.REVIEW_RETURNED,
            actor=review.decided_by,
            reasons=[ReturnReason(code).label for code in review.reasons],
        )
    elif review.state == ReviewState.APPROVED:
        notices_review_decided(
            case=review.case, kind=NoticeKind.REVIEW_APPROVED, actor=review.decided_by
        )


def _waiting_checked(review: Review) -> None:
    """The review is read again once its waiting notices are in: a decision that committed
    after the first reading had its own task mark waiting notices done, maybe before these
    were in, so they are marked done here. Either this reading sees the decision, or the
    decision's task runs after these notices committed and sees them."""
    again = (
        Review.objects.select_related("step")
        .only("kind", "state", "step__state")
        .filter(pk=review.pk)
        .first()
    )
    if again is None or not again.is_open:
        notices_review_closed(case=review.case)
