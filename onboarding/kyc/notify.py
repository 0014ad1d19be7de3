"""A review's notices are made by a worker once the transaction that opened or decided the
review commits, never inside it: the decision does not wait on them, and a notice cannot
outlive a decision that was rolled back. The task carries the review's id, what it is to tell
and who acted, nothing of the client.

The task is acknowledged as it starts, so the broker never delivers it twice; one lost
between the commit and the broker, or with its worker, loses its notices, not the decision
(the review queue and the case's pages still say where the case is)."""

from enum import StrEnum

from onboarding.accounts.models import User
from onboarding.cases.models import Case
from onboarding.core.compiled import CompiledRead
from onboarding.core.tasks import task_after_commit
from onboarding.kyc.models import ReturnReason, Review, ReviewState
from onboarding.notices.models import NoticeKind
from onboarding.notices.services import (
    PERSON_FIELDS,
    notice_case,
    notice_person,
    notices_review_closed,
    notices_review_decided,
    notices_review_waiting,
)
from onboarding.submissions.models import Step


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
    task_after_commit(review_notices, review_id, news.value, actor_id)


# What the notices read of a review: never its bodies nor its case's drafts (decrypting them
# would be most of a notice's cost, and a notice names no client).
_REVIEW_COLUMNS = ("kind", "state", "reasons", "step__state", "case_id", "case__tenant_id")
_REVIEW_READ = CompiledRead(
    lambda review_id: Review.objects.filter(pk=review_id).values_list(
        *_REVIEW_COLUMNS,
        *(f"case__owner__{name}" for name in PERSON_FIELDS),
        *(f"decided_by__{name}" for name in PERSON_FIELDS),
    )
)
_REVIEW_STATE = CompiledRead(
    lambda review_id: Review.objects.filter(pk=review_id).values_list(
        "kind", "state", "step__state"
    )
)


def _review_open(kind: str, state: str, step_state: str | None) -> bool:
    step = Step(state=step_state) if step_state is not None else None
    return Review(kind=kind, state=state, step=step).is_open


def review_notices_make(*, review_id: int, news: News, actor_id: int | None) -> None:
    """The worker's side: the notices of what happened to the review."""
    row = _REVIEW_READ.first(review_id)
    if row is None:
        return
    kind, state, reasons, step_state, case_id, tenant_id = row[: len(_REVIEW_COLUMNS)]
    owner_at, decider_at = len(_REVIEW_COLUMNS), len(_REVIEW_COLUMNS) + len(PERSON_FIELDS)
    case = notice_case(
        case_id=case_id, tenant_id=tenant_id, owner=notice_person(row[owner_at:decider_at])
    )
    decided_by = notice_person(row[decider_at:]) if row[decider_at] is not None else None
    if news is News.WAITING:
        # Decided meanwhile: nobody is to be told that it waits.
        if _review_open(kind, state, step_state):
            notices_review_waiting(case=case, actor_id=actor_id)
            _waiting_checked(review_id, case)
    elif news is News.CLOSED:
        notices_review_closed(case=case)
    elif decided_by is None:
        return
    elif state == ReviewState.RETURNED:
        notices_review_decided(
            case=case,
            kind=NoticeKind.REVIEW_RETURNED,
            actor=decided_by,
            reasons=[ReturnReason(code).label for code in reasons],
        )
    elif state == ReviewState.APPROVED:
        notices_review_decided(case=case, kind=NoticeKind.REVIEW_APPROVED, actor=decided_by)


def _waiting_checked(review_id: int, case: Case) -> None:
    """The review is read again once its waiting notices are in: a decision that committed
    after the first reading had its own task mark waiting notices done, maybe before these
    were in, so they are marked done here. Either this reading sees the decision, or the
    decision's task runs after these notices committed and sees them."""
    again = _REVIEW_STATE.first(review_id)
    if again is None or not _review_open(*again):
        notices_review_closed(case=case)
