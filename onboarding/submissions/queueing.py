"""Queuing a step: its record says it is queued; its task is only a nudge, sent after commit."""

import datetime
import hashlib
import json
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onboarding.accounts.models import User
from onboarding.cases.lifecycle import StepState, step_reviewed
from onboarding.cases.models import Case, DuplicateDecision
from onboarding.submissions import sql
from onboarding.submissions.models import Step
from onboarding.submissions.signals import step_held

log = logging.getLogger(__name__)

QUEUE_FIELDS = (
    "state",
    "queued_at",
    "run_after",
    "lease_expires_at",
    "attempts",
    "started_at",
    "finished_at",
)
PAYLOAD_FIELDS = ("payload", "payload_version")


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.SUBMISSION_LEASE_SECONDS)


def queue_mark(step: Step, *, fresh: bool = False, countdown: float = 0.0) -> None:
    """Marks the step queued; `fresh` when a person (or a success before it) queues it.

    A retry keeps `queued_at`, from which `SUBMISSION_MAX_SECONDS` is counted.
    """
    now = timezone.now()
    step.state = StepState.QUEUED
    step.run_after = now + datetime.timedelta(seconds=countdown)
    step.lease_expires_at = None
    if fresh:
        step.queued_at = now
        step.attempts = 0
        step.started_at = None
        step.finished_at = None


def queue_now(step: Step, *, also: tuple[str, ...] = ()) -> None:
    """Queues the step afresh, saving the fields `also` in the same write, and sends its task
    once the transaction commits."""
    queue_mark(step, fresh=True)
    sql.step_save(step, fields=[*QUEUE_FIELDS, *also, "updated_at"])
    send_on_commit(step)


def payload_digest(payload: Any) -> str:
    """A body's fingerprint: what an approval seals, whatever the order of its keys."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def case_linked(case: Case) -> bool:
    """Linked to a contact Altafid already had, rather than one its create made."""
    return case.duplicate_decision == DuplicateDecision.LINKED


def needs_review(step: Step) -> bool:
    return step_reviewed(step.kind, round=step.round, linked=case_linked(step.case))


def gate_passed(step: Step) -> bool:
    """Whether the step may be sent: not reviewed, or approved with exactly this body."""
    if not needs_review(step):
        return True
    return bool(step.approved_digest) and step.approved_digest == payload_digest(step.payload)


def hold_mark(step: Step) -> None:
    step.state = StepState.IN_REVIEW
    step.run_after = None
    step.lease_expires_at = None


def hold_now(step: Step) -> None:
    """Holds the step for review in one write; the caller announces it (`hold_announce`)."""
    hold_mark(step)
    sql.step_save(step, fields=[*QUEUE_FIELDS, "updated_at"])


def hold_announce(step: Step, *, actor: User | None) -> None:
    """Tells the review (onboarding/kyc) that this step waits for a compliance officer."""
    step_held.send(sender=Step, step=step, actor=actor)


def queue_or_hold(step: Step, *, actor: User | None) -> bool:
    """Queues the step, or holds it for review when its body is not approved; True if queued."""
    if gate_passed(step):
        queue_now(step)
        return True
    hold_now(step)
    hold_announce(step, actor=actor)
    return False


def send_on_commit(step: Step, countdown: float = 0.0) -> None:
    step_id = step.pk
    transaction.on_commit(lambda: send(step_id, countdown))


def send(step_id: int, countdown: float) -> None:
    """Sends the step's task; with the broker down, the sweeper sends it once it is back."""
    from onboarding.submissions.tasks import run_step

    try:
        run_step.apply_async(args=(step_id,), countdown=countdown, retry=False)
    except Exception:  # the step is queued in the database, which is what counts
        log.warning("could not send the task of step %s; the sweeper will", step_id, exc_info=True)
