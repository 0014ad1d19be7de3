"""Submitting a case to Altafid, one recorded step at a time, with each effect exactly once.

The rules that make it safe (issue 4):
- a step is queued by writing its record; its task is sent on commit, carrying the step ID;
- a worker claims a step with a conditional update, so it runs at most once at a time;
- a succeeded step is never sent again, and the contact UUID is stored as soon as it is known;
- a create call that may have happened (no answer came) is reconciled through the v2 contact
  search before anything is sent again; when the search cannot decide, a person must.
"""

import datetime
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BaseModel

from onboarding.accounts.models import User
from onboarding.altafid.client import AltafidClient, client_for_tenant
from onboarding.altafid.contacts import (
    ComplianceUpdate,
    ContactCreate,
    ContactFilter,
    PrimaryEmailUpdate,
    SalesUpdate,
    contact_create,
    contact_init_credentials,
    contact_search,
    contact_set_primary_email,
    contact_update_compliance,
    contact_update_sales,
)
from onboarding.altafid.errors import AltafidConflict, AltafidError
from onboarding.cases.models import Case, CaseStatus, Section
from onboarding.cases.payloads import Call, case_payloads
from onboarding.cases.services import case_sections
from onboarding.submissions import sql
from onboarding.submissions.masking import masked
from onboarding.submissions.models import (
    STEP_ORDER,
    Attempt,
    AttemptOutcome,
    Step,
    StepKind,
    StepState,
)
from onboarding.submissions.refusals import Refusal, refusal_for_section

log = logging.getLogger(__name__)

SUBMIT_STEPS = (StepKind.CREATE, StepKind.SALES, StepKind.COMPLIANCE)
ACTIVATION_STEPS = (StepKind.PRIMARY_EMAIL, StepKind.CREDENTIALS)
# Until the four-eyes review lands, the compliance update follows the sales update directly.
FOLLOWS = {
    StepKind.CREATE: StepKind.SALES,
    StepKind.SALES: StepKind.COMPLIANCE,
    StepKind.PRIMARY_EMAIL: StepKind.CREDENTIALS,
}
OPEN_STATES = (StepState.QUEUED, StepState.RUNNING)


class CaseNotReady(Exception):
    """The case still has sections that block submission."""


class CaseChangedSinceReview(Exception):
    """The case was saved after the page the RM submitted from was shown."""


class ActivationNotAllowed(Exception):
    """Activation needs the compliance update to have succeeded first."""


class NeedsAttention(Exception):
    """The step cannot safely go on without a person deciding."""


SECTION_OF = {
    StepKind.CREATE: Section.CLIENT,
    StepKind.SALES: Section.SALES,
    StepKind.COMPLIANCE: Section.COMPLIANCE,
    StepKind.PRIMARY_EMAIL: Section.ACTIVATION,
    StepKind.CREDENTIALS: Section.ACTIVATION,
}


def case_steps(*, case: Case) -> list[Step]:
    return list(case.steps.order_by("position"))


@dataclass(frozen=True)
class Submission:
    """Where a case's submission stands, and what the RM may do next."""

    steps: list[tuple[StepKind, Step | None, Section]]
    running: bool
    can_submit: bool
    can_activate: bool
    submitted: bool


def case_submission(*, case: Case) -> Submission:
    steps = {step.kind: step for step in case_steps(case=case)}
    states = {kind: step.state for kind, step in steps.items()}
    return Submission(
        steps=[(kind, steps.get(kind.value), SECTION_OF[kind]) for kind in STEP_ORDER],
        running=any(state in OPEN_STATES for state in states.values()),
        can_submit=case.status == CaseStatus.READY and _startable(states, SUBMIT_STEPS),
        can_activate=states.get(StepKind.COMPLIANCE.value) == StepState.SUCCEEDED
        and _startable(states, ACTIVATION_STEPS),
        submitted=any(_started(step) for step in steps.values()),
    )


def _started(step: Step) -> bool:
    # A step the review page prepared a body for waits untouched until the RM submits.
    return step.state != StepState.WAITING or step.tries > 0


def case_submitted(*, case: Case) -> bool:
    return case.steps.exclude(state=StepState.WAITING, tries=0).exists()


def _startable(states: dict[str, str], kinds: tuple[StepKind, ...]) -> bool:
    """Whether queuing `kinds` starts something: none of them under way, one not succeeded."""
    chain = [states.get(kind.value, StepState.WAITING) for kind in kinds]
    return not any(state in OPEN_STATES for state in chain) and any(
        state != StepState.SUCCEEDED for state in chain
    )


@dataclass(frozen=True)
class Progress:
    """One case's submission in a word or two, for the RM's list."""

    state: str
    label: str


def case_progress(*, steps: Iterable[Step]) -> Progress | None:
    by_kind = {step.kind: step for step in steps}
    if not any(_started(step) for step in by_kind.values()):
        return None
    done = sum(step.state == StepState.SUCCEEDED for step in by_kind.values())
    for state in (StepState.NEEDS_ATTENTION, StepState.FAILED):
        ordered = sorted(by_kind.values(), key=attrgetter("position"))
        stuck = next((step for step in ordered if step.state == state), None)
        if stuck is not None:
            return Progress(state, f"{state.label}: {stuck.get_kind_display()}")
    if any(step.state in OPEN_STATES for step in by_kind.values()):
        return Progress(
            StepState.RUNNING,
            _("Submitting (%(done)s of %(total)s done)") % {"done": done, "total": len(STEP_ORDER)},
        )
    if done == len(STEP_ORDER):
        return Progress(StepState.SUCCEEDED, str(_("Activated")))
    return Progress("submitted", str(_("In Altafid, not activated")))


def section_refusal(*, case: Case, section: Section) -> Refusal | None:
    """What Altafid refused in this section at the last submission, if its step failed on it."""
    kinds = [kind for kind, of in SECTION_OF.items() if of is section]
    step = case.steps.filter(kind__in=kinds, state=StepState.FAILED).first()
    if step is None or not step.last_error:
        return None
    return refusal_for_section(
        section=section,
        field_errors=step.last_error.get("field_errors") or {},
        message=step.last_error.get("message") or "",
        current=step.last_error.get("payload_version", step.payload_version) == case.version,
    )


def _steps_ensure(case: Case) -> dict[str, Step]:
    """The case's five steps: those stored, locked, and the missing ones, not saved yet."""
    existing = {step.kind: step for step in _steps_locked(case)}
    for position, kind in enumerate(STEP_ORDER):
        existing.setdefault(kind.value, Step(case=case, kind=kind, position=position))
    return existing


def _steps_locked(case: Case) -> Iterable[Step]:
    # Not the bodies: they are only written here, and decrypting them is work.
    return case.steps.select_for_update().defer("payload")


def _case_locked(case: Case) -> Case:
    # What decides whether to go on; what the bodies are built from is read only if needed.
    return Case.objects.select_for_update().only("version", "status").get(pk=case.pk)


def submission_prepare(*, case: Case, calls: list[Call]) -> None:
    """Keeps the bodies the review page shows, so that Submit sends exactly those.

    Only for a case that could be submitted now, and only when the case changed since they
    were kept: the review page calls this on every view, and it writes once per version.
    """
    if case.status != CaseStatus.READY or any(call.problems for call in calls):
        return
    with transaction.atomic():
        steps = _steps_ensure(case)
        if any(step.state in OPEN_STATES for step in steps.values()):
            return
        kinds = (*SUBMIT_STEPS, *ACTIVATION_STEPS)
        _steps_write(steps, _payloads_fix(case, steps, kinds, calls))


def case_submit(*, case: Case, user: User, version: int) -> None:
    """Queues the first step of create, sales and compliance that has not succeeded yet.

    `version` is the case version the RM saw when pressing Submit: if the case was saved
    since, nothing is sent and `CaseChangedSinceReview` is raised. Submitting again after a
    failure resumes at the failed step; earlier steps are not repeated. Submitting while a
    step is queued or running changes nothing.
    """
    with transaction.atomic():
        case = _case_locked(case)
        if case.version != version:
            raise CaseChangedSinceReview
        if case.status != CaseStatus.READY:
            raise CaseNotReady
        steps = _steps_ensure(case)
        # All five: the RM reviewed all five bodies; activation rebuilds its own if edited since.
        changed = _payloads_fix(case, steps, (*SUBMIT_STEPS, *ACTIVATION_STEPS))
        _steps_start(steps, SUBMIT_STEPS, changed)


def case_activate(*, case: Case, user: User) -> None:
    """Queues setting the login e-mail, then initialising credentials; gives the client a login."""
    with transaction.atomic():
        steps = {step.kind: step for step in _steps_locked(case)}
        compliance = steps.get(StepKind.COMPLIANCE.value)
        if compliance is None or compliance.state != StepState.SUCCEEDED:
            raise ActivationNotAllowed
        current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).get()
        changed: list[Step] = []
        if any(steps[kind.value].payload_version != current for kind in ACTIVATION_STEPS):
            changed = _payloads_fix(_case_locked(case), steps, ACTIVATION_STEPS)
        _steps_start(steps, ACTIVATION_STEPS, changed)


def _payloads_fix(
    case: Case, steps: dict[str, Step], kinds: tuple[StepKind, ...], calls: list[Call] | None = None
) -> list[Step]:
    """Sets the body each unfinished step will send, unless it was built from this version.

    `calls` are the case's calls if already built (by the review page). Returns the steps
    whose body changed; `_steps_write` saves them.
    """
    pending = [
        steps[kind.value]
        for kind in kinds
        if steps[kind.value].state not in (*OPEN_STATES, StepState.SUCCEEDED)
        and steps[kind.value].payload_version != case.version
    ]
    if not pending:
        return []
    if calls is None:
        sources = Case.objects.select_related("tenant", "owner__staff_profile").get(pk=case.pk)
        calls = case_payloads(case=sources, sections=case_sections(case=sources))
    by_name = {call.name: call for call in calls}
    for step in pending:
        if by_name[step.kind].problems:
            raise CaseNotReady
        step.payload = by_name[step.kind].body
        step.payload_version = case.version
    return pending


def _steps_start(steps: dict[str, Step], kinds: tuple[StepKind, ...], changed: list[Step]) -> None:
    """Queues the first of `kinds` not yet succeeded, unless one of them is already under way."""
    first = None
    if _startable({step.kind: step.state for step in steps.values()}, kinds):
        first = next(steps[k.value] for k in kinds if steps[k.value].state != StepState.SUCCEEDED)
        _queue_mark(first, fresh=True)
    _steps_write(steps, changed, queued=first)
    if first is not None:
        _send_on_commit(first)


def _steps_write(steps: dict[str, Step], rebuilt: list[Step], queued: Step | None = None) -> None:
    """Inserts the steps not stored yet, then updates those given a new body or queued."""
    new = [step for step in steps.values() if step.pk is None]
    Step.objects.bulk_create(new)
    rebuilt = [step for step in rebuilt if step not in new]
    if rebuilt:
        Step.objects.bulk_update(rebuilt, [*_QUEUE_FIELDS, *_PAYLOAD_FIELDS])
    if queued is not None and queued not in new and queued not in rebuilt:
        queued.save(update_fields=[*_QUEUE_FIELDS, "updated_at"])


_QUEUE_FIELDS = (
    "state",
    "queued_at",
    "run_after",
    "lease_expires_at",
    "attempts",
    "started_at",
    "finished_at",
)
_PAYLOAD_FIELDS = ("payload", "payload_version")


def _queue_mark(step: Step, *, fresh: bool = False, countdown: float = 0.0) -> None:
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


def _queue(step: Step) -> None:
    """Queues the step afresh and sends its task once the transaction commits."""
    _queue_mark(step, fresh=True)
    step.save(update_fields=[*_QUEUE_FIELDS, "updated_at"])
    _send_on_commit(step)


def _send_on_commit(step: Step, countdown: float = 0.0) -> None:
    step_id = step.pk
    transaction.on_commit(lambda: _send(step_id, countdown))


def _send(step_id: int, countdown: float) -> None:
    """Sends the step's task; with the broker down, the sweeper sends it once it is back."""
    from onboarding.submissions.tasks import run_step

    try:
        run_step.apply_async(args=(step_id,), countdown=countdown, retry=False)
    except Exception:  # the step is queued in the database, which is what counts
        log.warning("could not send the task of step %s; the sweeper will", step_id, exc_info=True)


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
    step = sql.step_claim(step_id=step_id, now=now, lease_until=now + _lease())
    if step is None:
        return None
    # Not the drafts: the step sends its own stored body, and decrypting them is work.
    step.case = Case.objects.select_related("tenant").defer("drafts").get(pk=step.case_id)
    return step_execute(step=step, run_next=run_next)


def step_execute(*, step: Step, run_next: bool = False) -> Step | None:
    """Makes the call of a step this caller has claimed (it is running, under its lease)."""
    # Written once the try ends; a try lost with its worker is written by the sweeper.
    attempt = Attempt(
        step=step, number=step.tries, started_at=timezone.now(), sent=masked(step.payload)
    )
    client = client_for_tenant(step.case.tenant.altafid_uuid)
    try:
        outcome = PERFORM[StepKind(step.kind)](client, step)
    except NeedsAttention as problem:
        error = {"message": str(problem)}
        _finish(step, attempt, StepState.NEEDS_ATTENTION, AttemptOutcome.NEEDS_ATTENTION, error)
    except AltafidError as error:
        _failed(step, attempt, error)
    else:
        return _succeeded(step, attempt, outcome, run_next=run_next)
    return None


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.SUBMISSION_LEASE_SECONDS)


def _create(client: AltafidClient, step: Step) -> Outcome:
    case = step.case
    if case.contact_uuid:
        return Outcome(None, {"contactUuid": case.contact_uuid}, AttemptOutcome.ADOPTED)
    payload = ContactCreate.model_validate(step.payload)
    if step.tries > 1 and step.history.filter(outcome=AttemptOutcome.AMBIGUOUS).exists():
        found = _contact_find(client, payload)
        if found:
            _contact_uuid_store(case, found)
            return Outcome(None, {"contactUuid": found}, AttemptOutcome.ADOPTED)
    contact = contact_create(client, payload=payload)
    _contact_uuid_store(case, contact.contact_uuid)
    return Outcome(201, {"contactUuid": contact.contact_uuid})


def _contact_find(client: AltafidClient, payload: ContactCreate) -> str | None:
    """The contact an unanswered create made, if the search can tell; raises if it cannot."""
    if not payload.preferred_email:
        raise NeedsAttention(
            "A create call may have reached Altafid, and without an e-mail the search cannot "
            "tell this client from others of the same name."
        )
    filters = [
        ContactFilter(field="preferredEmail", value=payload.preferred_email),
        ContactFilter(field="firstName", value=payload.first_name),
        ContactFilter(field="paternalLastName", value=payload.paternal_last_name),
    ]
    page = contact_search(client, filters=filters, size=5)
    if len(page.content) > 1 or page.total_elements > 1:
        raise NeedsAttention(
            "A create call may have reached Altafid and several contacts match this client."
        )
    return page.content[0].contact_uuid if page.content else None


def _contact_uuid_store(case: Case, contact_uuid: str) -> None:
    # Outside any transaction: once Altafid has answered, the UUID must survive a crash.
    Case.objects.filter(pk=case.pk).update(contact_uuid=contact_uuid)
    case.contact_uuid = contact_uuid


def _update(
    perform: Callable[..., Any], model: type[BaseModel]
) -> Callable[[AltafidClient, Step], Outcome]:
    def run(client: AltafidClient, step: Step) -> Outcome:
        payload = model.model_validate(step.payload)
        contact = perform(client, contact_uuid=step.case.contact_uuid, payload=payload)
        return Outcome(200, {"contactUuid": getattr(contact, "contact_uuid", None)})

    return run


def _credentials(client: AltafidClient, step: Step) -> Outcome:
    try:
        contact_init_credentials(client, contact_uuid=step.case.contact_uuid)
    except AltafidConflict:
        # An earlier try that got no answer did initialise them: that is the effect we wanted.
        if step.history.filter(outcome=AttemptOutcome.AMBIGUOUS).exists():
            return Outcome(409, None, AttemptOutcome.ADOPTED)
        raise
    return Outcome(200, None)


PERFORM: dict[StepKind, Callable[[AltafidClient, Step], Outcome]] = {
    StepKind.CREATE: _create,
    StepKind.SALES: _update(contact_update_sales, SalesUpdate),
    StepKind.COMPLIANCE: _update(contact_update_compliance, ComplianceUpdate),
    StepKind.PRIMARY_EMAIL: _update(contact_set_primary_email, PrimaryEmailUpdate),
    StepKind.CREDENTIALS: _credentials,
}


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
        _attempt_record(attempt, outcome, http_status=http_status, received=received)
        # Only while still ours: if the lease ran out and the sweeper took the step back, the
        # try that runs now decides (after a search, where the create may have happened).
        still_ours = sql.step_close(step_id=step.pk, state=state, now=now, error=error)
        following = FOLLOWS.get(StepKind(step.kind))
        if not still_ours or state != StepState.SUCCEEDED or following is None:
            return None
        if not run_next:
            waiting = Step.objects.filter(case_id=step.case_id, kind=following).exclude(
                state__in=(*OPEN_STATES, StepState.SUCCEEDED)
            )
            next_step = waiting.select_for_update().first()
            if next_step is not None:
                _queue(next_step)
            return None
        claimed = sql.step_claim_following(
            case_id=step.case_id, kind=following, now=now, lease_until=now + _lease()
        )
        if claimed is not None:
            claimed.case = step.case
        return claimed


def _attempt_record(
    attempt: Attempt,
    outcome: AttemptOutcome,
    *,
    http_status: int | None = None,
    received: Any = None,
) -> None:
    """Stores the try; one the sweeper already wrote as lost gets its real outcome."""
    attempt.finished_at = timezone.now()
    attempt.outcome = outcome
    attempt.http_status = http_status
    attempt.received = masked(received)
    sql.attempt_store(attempt)


def _succeeded(
    step: Step, attempt: Attempt, outcome: Outcome, *, run_next: bool = False
) -> Step | None:
    return _finish(
        step,
        attempt,
        StepState.SUCCEEDED,
        outcome.outcome,
        http_status=outcome.http_status,
        received=outcome.received,
        run_next=run_next,
    )


def _failed(step: Step, attempt: Attempt, error: AltafidError) -> None:
    # The body's version, so that the RM's fixes are told apart from what Altafid refused.
    record = {**error.to_dict(), "payload_version": step.payload_version}
    if not (error.retryable or error.ambiguous):
        _finish(
            step, attempt, StepState.FAILED, AttemptOutcome.FAILED, record, http_status=error.status
        )
        return
    outcome = AttemptOutcome.AMBIGUOUS if error.ambiguous else AttemptOutcome.RETRY
    elapsed = (timezone.now() - (step.queued_at or timezone.now())).total_seconds()
    exhausted = (
        step.attempts >= settings.SUBMISSION_MAX_ATTEMPTS
        or elapsed >= settings.SUBMISSION_MAX_SECONDS
    )
    if exhausted:
        state = (
            StepState.NEEDS_ATTENTION
            if error.ambiguous and step.kind == StepKind.CREATE
            else StepState.FAILED
        )
        _finish(step, attempt, state, outcome, record, http_status=error.status)
        return
    countdown = retry_countdown(attempts=step.attempts, retry_after=error.retry_after)
    with transaction.atomic():
        _attempt_record(attempt, outcome, http_status=error.status)
        _queue_mark(step, countdown=countdown)
        step.last_error = record
        # Only while still ours, as when closing: if the sweeper took the step back
        # meanwhile, the try it queued decides.
        requeued = Step.objects.filter(pk=step.pk, state=StepState.RUNNING).update(
            **{field: getattr(step, field) for field in (*_QUEUE_FIELDS, "last_error")},
            updated_at=timezone.now(),
        )
        if not requeued:
            return
        _send_on_commit(step, countdown)
    log.info(
        "step %s attempt %s failed (%s), retry in %.1fs", step.pk, step.attempts, error, countdown
    )


def retry_countdown(*, attempts: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter, at least Retry-After, below the visibility timeout."""
    ceiling = min(
        settings.SUBMISSION_BACKOFF_MAX_SECONDS,
        settings.SUBMISSION_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0),
    )
    countdown = random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not secrets
    if retry_after:
        countdown = max(countdown, retry_after)
    return min(countdown, settings.CELERY_VISIBILITY_TIMEOUT * 0.8)


def steps_sweep() -> int:
    """Re-sends steps whose task was lost: queued but not started, or running past the lease.

    Returns how many steps it re-sent. A running create whose lease ran out counts as an
    unanswered attempt, so its retry searches Altafid before creating anything.
    """
    now = timezone.now()
    grace = datetime.timedelta(seconds=settings.SUBMISSION_SWEEP_GRACE_SECONDS)
    resent = 0
    lost = Step.objects.filter(state=StepState.QUEUED, run_after__lt=now - grace)
    for step_id in lost.values_list("pk", flat=True):
        _send(step_id, 0)
        resent += 1
    expired = Step.objects.filter(state=StepState.RUNNING, lease_expires_at__lt=now)
    for step in expired:
        with transaction.atomic():
            updated = Step.objects.filter(
                pk=step.pk, state=StepState.RUNNING, lease_expires_at__lt=now
            ).update(state=StepState.QUEUED, run_after=now, lease_expires_at=None)
            if not updated:
                continue
            lost_try = Attempt(
                step=step,
                number=step.tries,
                started_at=step.started_at or now,
                finished_at=now,
                outcome=AttemptOutcome.AMBIGUOUS,
                sent=masked(step.payload),
            )
            Attempt.objects.bulk_create([lost_try], ignore_conflicts=True)
            _send_on_commit(step)
        resent += 1
    return resent
