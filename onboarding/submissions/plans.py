"""What Submit will send: the calls of the first submission, or an amendment's changed fields.

Altafid holds one contact. What it holds, as far as we know, is every succeeded body merged in
the order they were sent (`held_contact`). An amendment compares that with the bodies the case
gives now and sends each changed field once, in the call that carries it (the compliance
update first, so KYC data always travels in the call compliance reviews). Review shows the
plan; Submit builds it again and goes ahead only if its digest is the one review showed.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from onboarding.cases.lifecycle import (
    AMEND_PRECEDENCE,
    CLOSED,
    FIRST_ROUND,
    ORDER,
    SPEC,
    Phase,
    StepKind,
    StepState,
    in_flight,
    phase_kinds,
)
from onboarding.cases.mapping import CREATE_NAMES
from onboarding.cases.models import Case, Section
from onboarding.cases.payloads import Call, case_payloads
from onboarding.cases.sections import BoundSection
from onboarding.cases.services import case_sections
from onboarding.documents.rules import documents_missing
from onboarding.submissions.models import Step
from onboarding.submissions.queueing import payload_digest

# The create call names a few fields differently from the updates (docs/altafid-contract.md).
ALIASES = CREATE_NAMES
# Which call sends a field that several amendable calls carry.
PRECEDENCE = AMEND_PRECEDENCE
ADDRESSES = "addresses"


def contact_fields(body: dict[str, Any] | None) -> dict[str, Any]:
    """A body as contact fields: create's names aliased, addresses keyed by their kind."""
    fields: dict[str, Any] = {}
    for key, value in (body or {}).items():
        if key == ADDRESSES:
            for address in value or []:
                kind = address.get("contactAddressType", "")
                fields.setdefault(f"{ADDRESSES}:{kind}", []).append(address)
        else:
            fields[ALIASES.get(key, key)] = value
    return fields


def held_contact(steps: Iterable[Step]) -> dict[str, Any]:
    """The contact as Altafid holds it after every succeeded step, in the order they ran."""
    held: dict[str, Any] = {}
    done = [step for step in steps if step.state == StepState.SUCCEEDED]
    for step in sorted(done, key=lambda s: (s.round, s.position)):
        held.update(contact_fields(step.payload))
    return held


def to_body(fields: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key, value in fields.items():
        if key.startswith(f"{ADDRESSES}:"):
            body.setdefault(ADDRESSES, []).extend(value or [])
        else:
            body[key] = value
    return body


class Problem(str):
    """What stands in the way of submitting, with where it is put right (`href`), if anywhere."""

    href: str

    def __new__(cls, message: str, href: str = "") -> "Problem":
        problem = super().__new__(cls, message)
        problem.href = href
        return problem


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class PlannedCall:
    kind: StepKind
    method: str
    path: str
    body: dict[str, Any] | None
    problems: list[str]
    # Already in Altafid (a first submission resumed after a failure): not sent again.
    sent: bool = False
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    amendment: bool
    round: int
    calls: list[PlannedCall]
    problems: list[str]
    sections: dict[Any, BoundSection]
    digest: str = ""

    @property
    def sends(self) -> list[PlannedCall]:
        return [call for call in self.calls if not call.sent]

    @property
    def ready(self) -> bool:
        return not self.problems and not any(call.problems for call in self.sends)

    @property
    def empty(self) -> bool:
        return self.amendment and not self.sends


def submission_plan(*, case: Case, steps: list[Step] | None = None) -> Plan:
    """What Submit would send now, and what stands in its way. Reads only."""
    steps = list(case.steps.all()) if steps is None else steps
    sections = case_sections(case=case)
    calls = {call.name: call for call in case_payloads(case=case, sections=sections)}
    problems = _problems(case, steps, sections)
    first = {step.kind: step for step in steps if step.round == FIRST_ROUND}
    submitted = all(
        first.get(kind.value) is not None and first[kind.value].state == StepState.SUCCEEDED
        for kind in phase_kinds(Phase.SUBMIT)
    )
    if not submitted:
        # What the calls still to be sent carry: a change to it travels in them.
        coming = {
            key
            for kind in phase_kinds(Phase.SUBMIT)
            if not _succeeded(first.get(kind.value))
            for key in contact_fields(calls[kind.value].body)
        }
        planned = [
            _planned(
                calls[kind.value],
                sent=_sent_as_is(first.get(kind.value), calls[kind.value], coming=coming),
            )
            for kind in ORDER
        ]
        return _digested(Plan(False, FIRST_ROUND, planned, problems, sections))
    planned = _amendment(calls, steps, first)
    next_round = max(step.round for step in steps) + 1
    return _digested(Plan(True, next_round, planned, problems, sections))


def _succeeded(step: Step | None) -> bool:
    return step is not None and step.state == StepState.SUCCEEDED


def _sent_as_is(step: Step | None, call: Call, *, coming: set[str]) -> bool:
    """Whether Altafid already has this call of a first submission, as far as it needs to.

    A resumed first submission (compliance returned it, or Altafid refused a later call)
    sends an update that succeeded again when a value that no call still to come carries
    changed since: a fix made in its section meanwhile would otherwise never reach Altafid.
    A value a call still to come carries travels in it (the compliance update, reviewed).
    The create is never sent twice.
    """
    if not _succeeded(step):
        return False
    assert step is not None
    if not SPEC[step.kind].amendable:
        return True
    before, now = contact_fields(step.payload), contact_fields(call.body)
    changed = {
        key
        for key in before.keys() | now.keys()
        if payload_digest(before.get(key)) != payload_digest(now.get(key))
    }
    return not changed - coming


def _planned(call: Call, *, sent: bool = False) -> PlannedCall:
    return PlannedCall(
        StepKind(call.name), call.method, call.path, call.body, call.problems, sent=sent
    )


def _amendment(
    calls: dict[str, Call], steps: list[Step], first: dict[str, Step]
) -> list[PlannedCall]:
    held = held_contact(steps)
    amendable = [
        kind for kind in PRECEDENCE if SPEC[kind.value].amendable and _succeeded(first.get(kind))
    ]
    carried: dict[StepKind, set[str]] = {}
    wanted: dict[StepKind, dict[str, Any]] = {}
    for kind in amendable:
        wanted[kind] = contact_fields(calls[kind.value].body)
        sent_before = [s for s in steps if s.kind == kind.value and _succeeded(s)]
        carried[kind] = set(wanted[kind]).union(*(contact_fields(s.payload) for s in sent_before))
    changed: dict[StepKind, list[Change]] = {kind: [] for kind in amendable}
    claimed: set[str] = set()
    for kind in amendable:
        for key in sorted(carried[kind] - claimed):
            claimed.add(key)
            new = wanted[kind].get(key)
            if new != held.get(key):
                changed[kind].append(Change(key, held.get(key), new))
    planned = []
    for kind in ORDER:
        if kind not in changed or (not changed[kind] and not calls[kind.value].problems):
            continue
        call = calls[kind.value]
        body = to_body({change.field: change.new for change in changed[kind]})
        planned.append(
            PlannedCall(kind, call.method, call.path, body, call.problems, changes=changed[kind])
        )
    return planned


def _problems(case: Case, steps: list[Step], sections: dict[Section, BoundSection]) -> list[str]:
    problems = []
    if case.status in CLOSED:
        problems.append(_("This onboarding is closed: nothing more is sent to Altafid."))
    if in_flight(steps):
        problems.append(_("Steps are being sent to Altafid; wait until they finish."))
    # Judged now, on the sections as they are (a rule added since a save counts too).
    if not all(bound.form.is_bound and not bound.blocking for bound in sections.values()):
        problems.append(_("Some sections still block submission."))
    problems += [
        Problem(missing.message, missing.href(case.pk))
        for missing in documents_missing(case=case, sections=sections)
    ]
    return problems


def _digested(plan: Plan) -> Plan:
    content = [plan.amendment, plan.round, [(call.kind, call.body) for call in plan.sends]]
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    return Plan(plan.amendment, plan.round, plan.calls, plan.problems, plan.sections, digest)
