"""What a worker does with a step: claim it, make its call, record the try, start what follows.

The rules that make it safe (docs/architecture.md, "How a submission flows"):
- a worker claims a step with a conditional update, so it runs at most once at a time;
- a succeeded step is never sent again, and the contact UUID is stored as soon as it is known;
- a create call that may have happened (no answer came) is reconciled through the v2 contact
  search before anything is sent again; when the search cannot decide, a person must;
- a create is preceded by a search for the same person, unless the RM already decided.
"""

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onboarding.altafid.client import AltafidClient, client_for_tenant
from onboarding.altafid.contacts import (
    ContactCreate,
    ContactFilter,
    contact_amend,
    contact_duplicates,
    contact_search,
)
from onboarding.altafid.errors import AltafidConflict, AltafidError
from onboarding.audit.models import EventKind
from onboarding.audit.sql import NewEvent, events_append
from onboarding.cases.lifecycle import (
    FIRST_ROUND,
    SPEC,
    STOPPED,
    Performed,
    StepKind,
    StepState,
    following,
    step_reviewed,
)
from onboarding.cases.models import Case, DuplicateDecision
from onboarding.lookups.services import lookups_refresh, lookups_refused
from onboarding.submissions import sql
from onboarding.submissions.masking import masked
from onboarding.submissions.models import UNKNOWN_EFFECT, Attempt, AttemptOutcome, Step
from onboarding.submissions.queueing import (
    QUEUE_FIELDS,
    case_linked,
    gate_passed,
    hold_announce,
    hold_now,
    lease,
    queue_mark,
    queue_now,
    send_on_commit,
)
from onboarding.submissions.signals import step_recovered, step_stopped
from onboarding.submissions.status import case_status_refresh

log = logging.getLogger(__name__)


class NeedsAttention(Exception):
    """The step cannot safely go on without a person deciding."""

    def __init__(self, message: str, *, code: str = "", **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.details = details


# Codes of `NeedsAttention`, kept in the step's last error for the pages to explain.
POSSIBLE_DUPLICATE = "possible_duplicate"
UNANSWERED_CREATE = "unanswered_create"


@dataclass(frozen=True)
class Outcome:
    http_status: int | None
    received: Any
    outcome: AttemptOutcome = AttemptOutcome.SUCCEEDED


def step_run(*, step_id: int, run_next: bool = False) -> Step | None:
    """Runs one queued step, if this worker wins the claim; records the attempt and what follows.

    With `run_next`, the step that follows a success is claimed for this caller instead of
    being queued, and returned: the caller runs it at once with `step_execute`, saving a trip
    through the broker. Should the caller die, the lease runs out and the sweeper queues it
    again.
    """
    now = timezone.now()
    step = sql.step_claim(step_id=step_id, now=now, lease_until=now + lease())
    if step is None:
        return None
    return step_execute(step=step, run_next=run_next)


def step_execute(*, step: Step, run_next: bool = False) -> Step | None:
    """Makes the call of a step this caller has claimed (it is running, under its lease)."""
    if not gate_passed(step):
        _hold_unapproved(step)
        return None
    # Written once the try ends; a try lost with its worker is written by the sweeper.
    attempt = Attempt(
        step=step, number=step.tries, started_at=timezone.now(), sent=masked(step.payload)
    )
    client = client_for_tenant(step.case.tenant.altafid_uuid)
    try:
        outcome = PERFORM[SPEC[step.kind].performed](client, step)
    except NeedsAttention as problem:
        error = {"message": str(problem), "code": problem.code, **problem.details}
        _finish(step, attempt, StepState.NEEDS_ATTENTION, AttemptOutcome.NEEDS_ATTENTION, error)
    except AltafidError as error:
        _failed(step, attempt, error)
    else:
        return _finish(
            step,
            attempt,
            StepState.SUCCEEDED,
            outcome.outcome,
            http_status=outcome.http_status,
            received=outcome.received,
            run_next=run_next,
        )
    return None


def _hold_unapproved(step: Step) -> None:
    """A reviewed step whose body is not the one an officer approved (it changed after the
    approval, or was queued some other way) goes back to review instead of to Altafid: the
    check at queuing time is checked again at the moment of sending."""
    with transaction.atomic():
        # The case first, as every writer of a case and its reviews locks it (`cases.locks`).
        sql.case_lock(case_id=step.case_id)
        held = Step.objects.filter(pk=step.pk, state=StepState.RUNNING).update(
            state=StepState.IN_REVIEW, lease_expires_at=None, run_after=None
        )
        if not held:
            return
        step.state = StepState.IN_REVIEW
        log.warning("step %s was not sent: its body is not the one approved", step.pk)
        hold_announce(step, actor=None)
        case_status_refresh(case_id=step.case_id)


def _create(client: AltafidClient, step: Step) -> Outcome:
    case = step.case
    if case.contact_uuid:
        return Outcome(None, {"contactUuid": case.contact_uuid}, AttemptOutcome.ADOPTED)
    spec = SPEC[step.kind]
    assert spec.body is not None
    assert spec.send is not None
    payload = spec.body.model_validate(step.payload)
    assert isinstance(payload, ContactCreate)
    if (
        step.tries > 1
        and not step.reconciled
        and step.history.filter(outcome__in=UNKNOWN_EFFECT).exists()
    ):
        found = _contact_find(client, payload)
        if found:
            _contact_uuid_store(case, found)
            return Outcome(None, {"contactUuid": found}, AttemptOutcome.ADOPTED)
    elif case.duplicate_decision != DuplicateDecision.NEW_CONTACT:
        candidates = contact_duplicates(
            client, identity_id=payload.identity_id, email=payload.preferred_email
        )
        if candidates:
            raise NeedsAttention(
                "Altafid already has a contact with this identity number or e-mail.",
                code=POSSIBLE_DUPLICATE,
                candidates=[contact.contact_uuid for contact in candidates],
            )
    contact = spec.send(client, payload=payload)
    _contact_uuid_store(case, contact.contact_uuid)
    return Outcome(201, {"contactUuid": contact.contact_uuid})


def _contact_find(client: AltafidClient, payload: ContactCreate) -> str | None:
    """The contact an unanswered create made, if the search can tell; raises if it cannot."""
    if not payload.preferred_email:
        raise NeedsAttention(
            "A create call may have reached Altafid, and without an e-mail the search cannot "
            "tell this client from others of the same name.",
            code=UNANSWERED_CREATE,
        )
    filters = [
        ContactFilter(field="preferredEmail", value=payload.preferred_email),
        ContactFilter(field="firstName", value=payload.first_name),
        ContactFilter(field="paternalLastName", value=payload.paternal_last_name),
    ]
    page = contact_search(client, filters=filters, size=5)
    if len(page.content) > 1 or page.total_elements > 1:
        raise NeedsAttention(
            "A create call may have reached Altafid and several contacts match this client.",
            code=UNANSWERED_CREATE,
            candidates=[contact.contact_uuid for contact in page.content],
        )
    return page.content[0].contact_uuid if page.content else None


def _contact_uuid_store(case: Case, contact_uuid: str) -> None:
    # Outside any transaction: once Altafid has answered, the UUID must survive a crash.
    sql.case_contact_uuid_set(case_id=case.pk, contact_uuid=contact_uuid)
    case.contact_uuid = contact_uuid


def _update(client: AltafidClient, step: Step) -> Outcome:
    if step.round == FIRST_ROUND:
        spec = SPEC[step.kind]
        assert spec.body is not None
        assert spec.send is not None
        payload = spec.body.model_validate(step.payload)
        contact = spec.send(client, contact_uuid=step.case.contact_uuid, payload=payload)
    else:
        # An amendment: only the fields that changed, checked when it was planned.
        contact = contact_amend(
            client, contact_uuid=step.case.contact_uuid, fields=step.payload or {}
        )
    return Outcome(200, {"contactUuid": getattr(contact, "contact_uuid", None)})


def _credentials(client: AltafidClient, step: Step) -> Outcome:
    try:
        send = SPEC[step.kind].send
        assert send is not None
        send(client, contact_uuid=step.case.contact_uuid)
    except AltafidConflict:
        # An earlier try that got no answer did initialise them: that is the effect we wanted.
        if step.history.filter(outcome__in=UNKNOWN_EFFECT).exists():
            return Outcome(409, None, AttemptOutcome.ADOPTED)
        raise
    return Outcome(200, None)


# How each manner of step (`StepSpec.performed`) is carried out.
PERFORM: dict[Performed, Callable[[AltafidClient, Step], Outcome]] = {
    Performed.CREATE: _create,
    Performed.UPDATE: _update,
    Performed.CREDENTIALS: _credentials,
}

_OUTCOME_EVENTS = {
    StepState.SUCCEEDED: EventKind.STEP_SUCCEEDED,
    StepState.FAILED: EventKind.STEP_FAILED,
    StepState.NEEDS_ATTENTION: EventKind.STEP_NEEDS_ATTENTION,
}


def _event(step: Step, kind: EventKind, **data: Any) -> NewEvent:
    return NewEvent(
        tenant_id=step.case.tenant_id,
        case_id=step.case_id,
        kind=kind,
        data={"step": step.kind, "round": step.round, **data},
    )


def _following(step: Step) -> StepKind | None:
    if step.round == FIRST_ROUND:
        return following(step.kind)
    kinds = Step.objects.filter(case_id=step.case_id, round=step.round).values_list(
        "kind", flat=True
    )
    return following(step.kind, among=frozenset(kinds))


def _finish(
    step: Step,
    attempt: Attempt,
    state: StepState,
    outcome: AttemptOutcome,
    error: dict[str, Any] | None = None,
    *,
    http_status: int | None = None,
    received: Any = None,
    run_next: bool = False,
) -> Step | None:
    """Closes the attempt and the step; after a success, queues (or claims) what follows."""
    now = timezone.now()
    with transaction.atomic():
        _attempt_fill(attempt, outcome, http_status=http_status, received=received)
        # Only while still ours: if the lease ran out and the sweeper took the step back, the
        # try that runs now decides (after a search, where the create may have happened). The
        # try is stored either way. The case is locked first: closing may move its status,
        # and a Submit holding it waits for the steps this transaction locks next.
        still_ours = sql.step_close(
            step_id=step.pk,
            case_id=step.case_id,
            state=state,
            now=now,
            error=error,
            attempt=attempt,
            event=_event(step, _OUTCOME_EVENTS[state], outcome=outcome.value, **_code(error)),
        )
        if not still_ours:
            return None
        next_kind = _following(step) if state == StepState.SUCCEEDED else None
        claimed = None
        held = None
        goes_on = False
        reviewed = next_kind is not None and step_reviewed(
            next_kind, round=step.round, linked=case_linked(step.case)
        )
        if next_kind is not None and run_next and not reviewed:
            claimed = sql.step_claim_following(
                case=step.case,
                round=step.round,
                kind=next_kind,
                now=now,
                lease_until=now + lease(),
            )
            goes_on = claimed is not None
        elif next_kind is not None:
            next_step = sql.step_waiting_locked(
                case_id=step.case_id, round=step.round, kind=next_kind
            )
            if next_step is not None:
                next_step.case = step.case
                if gate_passed(next_step):
                    queue_now(next_step)
                    events_append([_event(next_step, EventKind.STEP_QUEUED)], now=now)
                    goes_on = True
                else:
                    hold_now(next_step)
                    held = next_step
        if held is not None:
            hold_announce(held, actor=None)
        if state in STOPPED:
            step_stopped.send(sender=Step, step=step)
        elif state == StepState.SUCCEEDED and _recovered(step):
            step_recovered.send(sender=Step, step=step)
        if not goes_on:
            # The chain ends here (or stops): the case's status follows from its steps.
            case_status_refresh(case_id=step.case_id)
        return claimed


def _recovered(step: Step) -> bool:
    """Whether tries before the last fresh queuing stopped it, and a person queued it again
    (not an update that had succeeded, sent again with changed data)."""
    before = step.tries - step.attempts
    return (
        before > 0
        and not step.history.filter(
            number=before, outcome__in=(AttemptOutcome.SUCCEEDED, AttemptOutcome.ADOPTED)
        ).exists()
    )


def _code(error: dict[str, Any] | None) -> dict[str, Any]:
    if not error:
        return {}
    return {key: error[key] for key in ("status", "code") if error.get(key) is not None}


def _attempt_fill(
    attempt: Attempt,
    outcome: AttemptOutcome,
    *,
    http_status: int | None = None,
    received: Any = None,
) -> None:
    """The try's end, as it is stored (`sql.attempt_store`): one the sweeper already wrote as
    lost gets its real outcome."""
    attempt.finished_at = timezone.now()
    attempt.outcome = outcome
    attempt.http_status = http_status
    attempt.received = masked(received)


def _failed(step: Step, attempt: Attempt, error: AltafidError) -> None:
    # The body's version, so that the RM's fixes are told apart from what Altafid refused.
    record = {**error.to_dict(), "payload_version": step.payload_version}
    if not (error.retryable or error.ambiguous):
        _finish(
            step, attempt, StepState.FAILED, AttemptOutcome.FAILED, record, http_status=error.status
        )
        refused = lookups_refused(error.field_errors)
        if refused:
            # A code Altafid calls unknown or disabled: the RM is sent to a dropdown that
            # must offer the tenant's current values.
            lookups_refresh(tenant=step.case.tenant, kinds=refused)
        return
    elapsed = (timezone.now() - (step.queued_at or timezone.now())).total_seconds()
    exhausted = (
        step.attempts >= settings.SUBMISSION_MAX_ATTEMPTS
        or elapsed >= settings.SUBMISSION_MAX_SECONDS
    )
    if not error.ambiguous:
        # The last try says it failed: no try follows it.
        outcome = AttemptOutcome.FAILED if exhausted else AttemptOutcome.RETRY
    elif error.status is None:
        outcome = AttemptOutcome.AMBIGUOUS
    else:
        outcome = AttemptOutcome.SERVER_ERROR
    if exhausted:
        state = (
            StepState.NEEDS_ATTENTION
            if error.ambiguous and step.kind == StepKind.CREATE
            else StepState.FAILED
        )
        _finish(step, attempt, state, outcome, record, http_status=error.status)
        return
    countdown = retry_countdown(attempts=step.attempts, retry_after=error.retry_after)
    now = timezone.now()
    with transaction.atomic():
        _attempt_fill(attempt, outcome, http_status=error.status)
        sql.attempt_store(attempt)
        queue_mark(step, countdown=countdown)
        step.last_error = record
        # Only while still ours, as when closing: if the sweeper took the step back
        # meanwhile, the try it queued decides.
        requeued = Step.objects.filter(pk=step.pk, state=StepState.RUNNING).update(
            **{field: getattr(step, field) for field in (*QUEUE_FIELDS, "last_error")},
            updated_at=now,
        )
        if not requeued:
            return
        events_append(
            [
                _event(
                    step,
                    EventKind.STEP_RETRY,
                    attempt=step.tries,
                    retry_in=round(countdown, 1),
                    **_code(record),
                )
            ],
            now=now,
        )
        send_on_commit(step, countdown)
    log.info(
        "step %s attempt %s failed (%s), retry in %.1fs", step.pk, step.attempts, error, countdown
    )


def retry_countdown(*, attempts: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter, at least Retry-After, and never longer than a
    step may keep trying (`SUBMISSION_MAX_SECONDS`)."""
    ceiling = min(
        settings.SUBMISSION_BACKOFF_MAX_SECONDS,
        settings.SUBMISSION_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0),
    )
    countdown = random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not secrets
    if retry_after:
        countdown = max(countdown, retry_after)
    return min(countdown, float(settings.SUBMISSION_MAX_SECONDS))
