"""What people do with a case's submission: submit (or amend), activate, decide, cancel.

Each service checks on the server that this person may do it (`accounts.permissions`), writes
the steps and the audit trail in one transaction, and sends the first step's task on commit.
The worker (`worker.py`) and the sweeper (`sweeper.py`) take it from there.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onboarding.accounts.models import User
from onboarding.accounts.permissions import Can, user_must
from onboarding.altafid.client import client_for_tenant
from onboarding.altafid.contacts import Contact, contact_duplicates
from onboarding.audit.models import EventKind
from onboarding.audit.services import event_record
from onboarding.cases.lifecycle import (
    CLOSED,
    FINAL,
    FIRST_ROUND,
    OPEN,
    ORDER,
    STARTABLE,
    CaseStatus,
    Phase,
    StepKind,
    StepState,
    in_flight,
    phase_kinds,
    position,
)
from onboarding.cases.locks import case_locked
from onboarding.cases.models import Case, DuplicateDecision
from onboarding.cases.payloads import case_payloads
from onboarding.cases.services import case_sections, contact_holders
from onboarding.submissions.models import Step
from onboarding.submissions.plans import Plan, submission_plan
from onboarding.submissions.queueing import (
    PAYLOAD_FIELDS,
    QUEUE_FIELDS,
    gate_passed,
    hold_announce,
    hold_mark,
    queue_mark,
    queue_now,
    queue_or_hold,
    send_on_commit,
)
from onboarding.submissions.reads import startable
from onboarding.submissions.signals import submission_cancelled
from onboarding.submissions.status import case_status_refresh
from onboarding.submissions.worker import POSSIBLE_DUPLICATE


class CaseNotReady(Exception):
    """Something stands in the way of submitting; `problems` says what."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class SubmissionUnderWay(CaseNotReady):
    """Steps of the case are being sent: most often, this Submit is a second click."""


class CaseChangedSinceReview(Exception):
    """What Submit would send is not what the page the RM submitted from showed."""


class ActivationNotAllowed(Exception):
    """Activation needs the compliance update to have succeeded first."""


def _steps_locked(case: Case) -> list[Step]:
    return list(case.steps.select_for_update().order_by("round", "position"))


def case_submit(*, case: Case, user: User, digest: str) -> Plan:
    """Sends what review showed: the first submission (or its resumption), or an amendment.

    `digest` is the plan's digest as the review page showed it; if the plan is any different
    now (a save since, a step that moved on), nothing is sent and `CaseChangedSinceReview` is
    raised. Returns the plan that was carried out.
    """
    with case_locked(case=case):
        user_must(user=user, can=Can.CHANGE, case=case)
        steps = _steps_locked(case)
        if in_flight(steps):
            raise SubmissionUnderWay(
                [_("Steps are being sent to Altafid; wait until they finish.")]
            )
        plan = submission_plan(case=case, steps=steps)
        if plan.digest != digest:
            raise CaseChangedSinceReview
        if not plan.ready:
            raise CaseNotReady(plan.problems or [p for c in plan.sends for p in c.problems])
        # A new version: whatever was checked against the case before this Submit (a save's
        # form, a recount) is told it changed. The steps' bodies are of this version.
        case.version += 1
        Case.objects.filter(pk=case.pk).update(version=case.version, unsent_changes=False)
        if plan.amendment:
            _returned_replace(case, steps)
            _amendment_start(case, user, plan)
        else:
            _first_start(case, user, plan, steps)
        case_status_refresh(case_id=case.pk)
    return plan


def _first_start(case: Case, user: User, plan: Plan, steps: list[Step]) -> None:
    existing = {step.kind: step for step in steps if step.round == FIRST_ROUND}
    bodies = {call.kind.value: call.body for call in plan.sends}
    kinds = phase_kinds(Phase.SUBMIT)
    rebuilt = []
    again = False
    for kind in ORDER:
        step = existing.get(kind.value)
        if step is None:
            step = existing[kind.value] = Step(
                case=case, round=FIRST_ROUND, kind=kind, position=position(kind)
            )
        if step.state in OPEN or kind.value not in bodies:
            continue
        # An update that succeeded is sent again when its data changed since (the plan
        # says so); the steps after it in the chain then wait to follow it.
        again = again or step.state == StepState.SUCCEEDED
        if again and kind in kinds:
            step.state = StepState.WAITING
        step.payload = bodies[kind.value]
        step.payload_version = case.version
        rebuilt.append(step)
    event_record(
        kind=EventKind.CASE_SUBMITTED,
        tenant=case.tenant_id,
        actor=user,
        case=case,
        data={"version": case.version, "first_step": _first_startable(existing, kinds)},
    )
    _steps_start(existing, kinds, rebuilt, user)


def _returned_replace(case: Case, steps: list[Step]) -> None:
    """An amendment compliance returned is replaced by the one sent back: what of it was not
    sent never will be, and the case no longer reads as returned."""
    rounds = {s.round for s in steps if s.round > FIRST_ROUND and s.state == StepState.RETURNED}
    if rounds:
        Step.objects.filter(case=case, round__in=rounds).exclude(state__in=FINAL).update(
            state=StepState.CANCELLED, updated_at=timezone.now()
        )


def _amendment_start(case: Case, user: User, plan: Plan) -> None:
    fields = [change.field for call in plan.sends for change in call.changes]
    event_record(
        kind=EventKind.AMENDMENT_SUBMITTED,
        tenant=case.tenant_id,
        actor=user,
        case=case,
        data={"round": plan.round, "fields": fields, "version": case.version},
    )
    if not plan.sends:
        return
    steps = [
        Step(
            case=case,
            round=plan.round,
            kind=call.kind,
            position=position(call.kind),
            payload=call.body,
            payload_version=case.version,
        )
        for call in plan.sends
    ]
    Step.objects.bulk_create(steps)
    for step in steps:
        step.case = case
    if queue_or_hold(steps[0], actor=user):
        _queued_event(steps[0], user)


def _steps_start(
    steps: dict[str, Step], kinds: tuple[StepKind, ...], changed: list[Step], user: User
) -> Step | None:
    """Queues the first of `kinds` a person may start, unless one of them is under way.

    A reviewed step whose body no compliance officer approved is held for review instead.
    """
    first = None
    if startable({step.kind: step.state for step in steps.values()}, kinds):
        first = next(steps[k.value] for k in kinds if steps[k.value].state in STARTABLE)
        if gate_passed(first):
            queue_mark(first, fresh=True)
        else:
            hold_mark(first)
    new = [step for step in steps.values() if step.pk is None]
    Step.objects.bulk_create(new)
    rebuilt = [step for step in changed if step not in new]
    if rebuilt:
        Step.objects.bulk_update(rebuilt, [*QUEUE_FIELDS, *PAYLOAD_FIELDS])
    if first is not None and first not in new and first not in rebuilt:
        first.save(update_fields=[*QUEUE_FIELDS, "updated_at"])
    if first is not None and first.state == StepState.IN_REVIEW:
        hold_announce(first, actor=user)
    elif first is not None:
        send_on_commit(first)
        _queued_event(first, user)
    return first


def _first_startable(steps: dict[str, Step], kinds: tuple[StepKind, ...]) -> str | None:
    if not startable({step.kind: step.state for step in steps.values()}, kinds):
        return None
    return next(k.value for k in kinds if steps[k.value].state in STARTABLE)


def _queued_event(step: Step, user: User | None) -> None:
    event_record(
        kind=EventKind.STEP_QUEUED,
        tenant=step.case.tenant_id,
        actor=user,
        case=step.case,
        data={"step": step.kind, "round": step.round},
    )


def case_activate(*, case: Case, user: User) -> None:
    """Queues setting the login e-mail, then initialising credentials; gives the client a login."""
    with case_locked(case=case):
        user_must(user=user, can=Can.CHANGE, case=case)
        steps = {step.kind: step for step in _steps_locked(case) if step.round == FIRST_ROUND}
        compliance = steps.get(StepKind.COMPLIANCE.value)
        if compliance is None or compliance.state != StepState.SUCCEEDED:
            raise ActivationNotAllowed
        kinds = phase_kinds(Phase.ACTIVATE)
        _activation_check(case, steps, kinds)
        changed: list[Step] = []
        if any(steps[kind.value].payload_version != case.version for kind in kinds):
            bodies = {
                call.name: call
                for call in case_payloads(case=case, sections=case_sections(case=case))
            }
            for kind in kinds:
                step = steps[kind.value]
                if step.state in (*OPEN, *FINAL):
                    continue
                if bodies[kind.value].problems:
                    raise CaseNotReady(bodies[kind.value].problems)
                step.payload = bodies[kind.value].body
                step.payload_version = case.version
                changed.append(step)
        event_record(
            kind=EventKind.ACTIVATION_REQUESTED, tenant=case.tenant_id, actor=user, case=case
        )
        _steps_start(steps, kinds, changed, user)
        case_status_refresh(case_id=case.pk)


def _activation_check(case: Case, steps: dict[str, Step], kinds: tuple[StepKind, ...]) -> None:
    """An activation another click (or tab) started, or that is over, is not started again."""
    if case.status in CLOSED:
        raise CaseNotReady([_("This onboarding is closed: nothing more is sent to Altafid.")])
    states = {kind: step.state for kind, step in steps.items()}
    if any(states.get(kind.value) in OPEN for kind in kinds):
        raise SubmissionUnderWay([_("The client's login is being set up: see its steps below.")])
    if not startable(states, kinds):
        raise CaseNotReady([_("The client's login was set up already.")])


def contacts_matching(*, case: Case, identity_id: str | None, email: str | None) -> list[Contact]:
    """Contacts Altafid already has with this identity number or e-mail (a read)."""
    client = client_for_tenant(case.tenant.altafid_uuid)
    return contact_duplicates(client, identity_id=identity_id, email=email)


class DecisionNotAllowed(Exception):
    """The contact was already created, or the one chosen is not among those found."""


class ReasonRequired(DecisionNotAllowed):
    """Saying the client is not the contact Altafid has needs a reason."""


class ContactHeld(DecisionNotAllowed):
    """Another open or activated onboarding of the tenant holds the contact (`holder`)."""

    def __init__(self, holder: Case) -> None:
        super().__init__(holder.pk)
        self.holder = holder

    @property
    def message(self) -> str:
        """Who to ask, and nothing about the client: the holder may be a colleague's case."""
        return _(
            "Another onboarding already holds this Altafid contact: %(owner)s's "
            "(%(status)s). Ask %(owner)s, or an administrator, who can hand it over to you."
        ) % {"owner": self.holder.owner, "status": self.holder.get_status_display()}


def contact_hold_check(*, case: Case, contact_uuid: str) -> None:
    """Refuses a contact that another onboarding of the tenant holds (ContactHeld); the
    database's constraint refuses the same when two links race."""
    holder = contact_holders(
        tenant_id=case.tenant_id, contact_uuids=[contact_uuid], excluding=case.pk
    ).get(contact_uuid)
    if holder is not None:
        raise ContactHeld(holder)


def contact_decide(
    *,
    case: Case,
    user: User,
    decision: DuplicateDecision,
    contact_uuid: str = "",
    candidates: list[str],
    reason: str = "",
) -> None:
    """Records the RM's decision about a contact Altafid already had, and goes on with it.

    `candidates` are the contacts a search found just now: linking is only to one of them.
    Saying the client is someone else needs `reason`, which the compliance officer sees.
    A create step that stopped for this decision is queued again.
    """
    with case_locked(case=case):
        user_must(user=user, can=Can.CHANGE, case=case)
        steps = {s.kind: s for s in _steps_locked(case) if s.round == FIRST_ROUND}
        create = steps.get(StepKind.CREATE.value)
        if case.status in CLOSED or (create is not None and create.state in (*OPEN, *FINAL)):
            raise DecisionNotAllowed
        if case.contact_uuid and case.duplicate_decision != DuplicateDecision.LINKED:
            raise DecisionNotAllowed
        fields: dict[str, Any] = {"duplicate_decision": decision}
        data: dict[str, Any] = {"candidates": len(candidates)}
        if decision == DuplicateDecision.LINKED:
            if contact_uuid not in candidates:
                raise DecisionNotAllowed
            contact_hold_check(case=case, contact_uuid=contact_uuid)
            fields["contact_uuid"] = contact_uuid
            fields["duplicate_reason"] = None
            data["contact_uuid"] = contact_uuid
            kind = EventKind.CONTACT_LINKED
        else:
            if not reason.strip():
                raise ReasonRequired
            fields["contact_uuid"] = ""
            fields["duplicate_reason"] = reason.strip()
            kind = EventKind.CONTACT_NEW_CONFIRMED
        try:
            with transaction.atomic():
                Case.objects.filter(pk=case.pk).update(**fields, updated_at=timezone.now())
        except IntegrityError:
            # Another case linked to the same contact since the check above.
            contact_hold_check(case=case, contact_uuid=contact_uuid)
            raise
        event_record(kind=kind, tenant=case.tenant_id, actor=user, case=case, data=data)
        if (
            create is not None
            and create.state == StepState.NEEDS_ATTENTION
            and (create.last_error or {}).get("code") == POSSIBLE_DUPLICATE
        ):
            create.case = case
            queue_now(create)
            _queued_event(create, user)
            case_status_refresh(case_id=case.pk)


def submission_cancel(*, case: Case, user: User) -> None:
    """Stops the case's submission for good: nothing more is sent (an admin's decision)."""
    with case_locked(case=case):
        user_must(user=user, can=Can.OPERATE, case=case)
        if case.status in CLOSED:
            return  # cancelled (or discarded) meanwhile: nothing is left to stop
        steps = [s for s in _steps_locked(case) if s.state not in FINAL]
        Step.objects.filter(pk__in=[s.pk for s in steps]).update(
            state=StepState.CANCELLED, lease_expires_at=None, updated_at=timezone.now()
        )
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CANCELLED)
        event_record(
            kind=EventKind.CASE_CANCELLED,
            tenant=case.tenant_id,
            actor=user,
            case=case,
            data={"steps": [s.kind for s in steps]},
        )
        submission_cancelled.send(sender=Step, case=case, actor=user)
