"""A case's lifecycle in one table: its states, the Altafid steps in order, and what each reads.

The services, the worker's SQL, the templates and the list filter all read these; nothing else
knows the order of the steps. A step whose body a compliance officer must approve before it
is sent is marked `reviewed` in `STEPS`: the chain stops before it (`IN_REVIEW`) until one
approves exactly that body (the four-eyes KYC review, `onboarding/kyc/`).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Section(models.TextChoices):
    CLIENT = "client", _("Client")
    SALES = "sales", _("Sales profile")
    COMPLIANCE = "compliance", _("Compliance (KYC)")
    ACTIVATION = "activation", _("Activation")


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    READY = "ready", _("Ready to submit")
    SUBMITTED = "submitted", _("Sending to Altafid")
    FAILED = "failed", _("Needs action")
    IN_REVIEW = "in_review", _("Waiting for KYC review")
    RETURNED = "returned", _("Returned by compliance")
    IN_ALTAFID = "in_altafid", _("In Altafid, not activated")
    ACTIVATED = "activated", _("Activated")
    AMENDING = "amending", _("Changes not sent yet")
    CANCELLED = "cancelled", _("Cancelled")
    DISCARDED = "discarded", _("Discarded")


# Never submitted: sections are plain drafts, and the RM may discard the case.
UNSENT = (CaseStatus.DRAFT, CaseStatus.READY)
# Nothing more is ever sent, and nothing can be edited.
CLOSED = (CaseStatus.CANCELLED, CaseStatus.DISCARDED)
# What the list filter offers: every state a listed case can be in.
LISTED = tuple(status for status in CaseStatus if status is not CaseStatus.DISCARDED)
# On its way and waiting on others: sending, in review, or in Altafid waiting to be activated.
IN_FLIGHT = (CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.IN_ALTAFID)
# A draft nobody has touched for this long is worth a reminder.
IDLE_AFTER = datetime.timedelta(days=7)


class Worklist(models.TextChoices):
    """The home pages' lists of what needs someone, also offered by the list's filter."""

    REFUSED = "refused", _("Refused by Altafid: values to fix")
    IDLE = "idle", _("Drafts untouched for a week")
    IN_FLIGHT = "in_flight", _("On their way")


class ErasureReason(models.TextChoices):
    """Why a client's data was erased: an admin gives one of the first three, the retention
    task the last (`onboarding/operations/erasure.py`)."""

    CLIENT_REQUEST = "client_request", _("The client asked for it")
    LEGAL_ORDER = "legal_order", _("A legal or regulatory order")
    OTHER = "other", _("Another documented reason")
    RETENTION = "retention", _("The retention period ended")


class StepKind(models.TextChoices):
    CREATE = "create", _("Create contact")
    SALES = "sales", _("Sales update")
    COMPLIANCE = "compliance", _("Compliance update")
    PRIMARY_EMAIL = "primary_email", _("Set login e-mail")
    CREDENTIALS = "credentials", _("Initialise credentials")


class StepState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    NEEDS_ATTENTION = "needs_attention", _("Needs attention")
    IN_REVIEW = "in_review", _("Waiting for KYC review")
    RETURNED = "returned", pgettext_lazy("step state", "Returned by compliance")
    CANCELLED = "cancelled", pgettext_lazy("step state", "Cancelled")


# Under way: a worker has it or will have it shortly.
OPEN = (StepState.QUEUED, StepState.RUNNING)
# Stopped until a person acts.
STOPPED = (StepState.FAILED, StepState.NEEDS_ATTENTION)
# Held for a compliance officer's decision (waiting), or returned by one to the RM.
HELD = (StepState.IN_REVIEW, StepState.RETURNED)
# Nothing more will be sent for it.
FINAL = (StepState.SUCCEEDED, StepState.CANCELLED)
# A step the one before it may start, once that one succeeds.
FOLLOWABLE = (StepState.WAITING,)
# A step a person's Submit or Activate may (re)queue (a reviewed one goes back to review).
STARTABLE = (StepState.WAITING, *STOPPED, *HELD)


class Phase(models.TextChoices):
    """Which person's action starts a step."""

    SUBMIT = "submit", _("Submit")
    ACTIVATE = "activate", _("Activate")


@dataclass(frozen=True)
class StepSpec:
    kind: StepKind
    phase: Phase
    # The sections whose data the call sends: read-only while it runs.
    reads: frozenset[Section]
    # Whether an amendment may send this call again with changed fields.
    amendable: bool = False
    # Whether a compliance officer must approve its exact body before it is sent.
    reviewed: bool = False
    # Whether it changes the data of a contact Altafid already had, when the case is linked to
    # one (`step_reviewed`): the RM did not create that contact, so an officer approves.
    writes_contact: bool = False


STEPS: tuple[StepSpec, ...] = (
    StepSpec(StepKind.CREATE, Phase.SUBMIT, frozenset({Section.CLIENT})),
    StepSpec(
        StepKind.SALES,
        Phase.SUBMIT,
        frozenset({Section.CLIENT, Section.SALES}),
        amendable=True,
        writes_contact=True,
    ),
    StepSpec(
        StepKind.COMPLIANCE,
        Phase.SUBMIT,
        frozenset({Section.CLIENT, Section.SALES, Section.COMPLIANCE}),
        amendable=True,
        reviewed=True,
        writes_contact=True,
    ),
    StepSpec(
        StepKind.PRIMARY_EMAIL,
        Phase.ACTIVATE,
        frozenset({Section.CLIENT, Section.ACTIVATION}),
        amendable=True,
        writes_contact=True,
    ),
    StepSpec(StepKind.CREDENTIALS, Phase.ACTIVATE, frozenset()),
)
SPEC = {spec.kind.value: spec for spec in STEPS}
ORDER = [spec.kind for spec in STEPS]
SECTIONS = list(Section)
# The section whose refusal an RM fixes when Altafid refuses a call (its own data).
OWN_SECTION = {
    StepKind.CREATE: Section.CLIENT,
    StepKind.SALES: Section.SALES,
    StepKind.COMPLIANCE: Section.COMPLIANCE,
    StepKind.PRIMARY_EMAIL: Section.ACTIVATION,
    StepKind.CREDENTIALS: Section.ACTIVATION,
}
FIRST_ROUND = 1


def position(kind: str) -> int:
    return ORDER.index(StepKind(kind))


def phase_kinds(phase: Phase) -> tuple[StepKind, ...]:
    return tuple(spec.kind for spec in STEPS if spec.phase is phase)


def following(kind: str, *, among: frozenset[str] | None = None) -> StepKind | None:
    """The step after `kind` in the same phase (of those in `among`, for an amendment)."""
    phase = SPEC[kind].phase
    for spec in STEPS[position(kind) + 1 :]:
        if among is not None:
            if spec.kind.value in among:
                return spec.kind
            continue
        return spec.kind if spec.phase is phase else None
    return None


def step_reviewed(kind: str, *, round: int, linked: bool) -> bool:
    """Whether a compliance officer must approve the step's exact body before it is sent: the
    compliance update always, and in the first round of a case linked to a contact Altafid
    already had (`linked`), every call that changes that contact's data."""
    spec = SPEC[kind]
    return spec.reviewed or (linked and round == FIRST_ROUND and spec.writes_contact)


def reviewed_sections(*, linked: bool) -> set[Section]:
    """The sections whose data reviewed calls send: their authors may not approve."""
    return {
        section
        for spec in STEPS
        if spec.reviewed or (linked and spec.writes_contact)
        for section in spec.reads
    }


def reading(section: Section) -> tuple[StepKind, ...]:
    """The calls that send some of this section's data."""
    return tuple(spec.kind for spec in STEPS if section in spec.reads)


class StepLike(Protocol):
    round: int
    kind: str
    state: str


def in_flight(steps: Iterable[StepLike]) -> list[StepLike]:
    """Steps under way, and those waiting to follow one under way in the same chain."""
    chains: dict[tuple[int, Phase | None], list[StepLike]] = {}
    for step in steps:
        # An amendment's steps form one chain; the first round has one chain per phase.
        phase = SPEC[step.kind].phase if step.round == FIRST_ROUND else None
        chains.setdefault((step.round, phase), []).append(step)
    found: list[StepLike] = []
    for chain in chains.values():
        chain.sort(key=lambda step: position(step.kind))
        going = False
        for step in chain:
            going = going or step.state in OPEN
            if going and step.state in (*OPEN, *FOLLOWABLE):
                found.append(step)
    return found


def sections_locked(steps: Iterable[StepLike]) -> set[Section]:
    """Sections whose data a step under way (or about to follow one) is sending."""
    return {section for step in in_flight(steps) for section in SPEC[step.kind].reads}


def sections_sent(steps: Iterable[StepLike]) -> set[Section]:
    """Sections some of whose data Altafid already received."""
    return {
        section
        for step in steps
        if step.state == StepState.SUCCEEDED
        for section in SPEC[step.kind].reads
    }


def case_status_of(
    *, steps: dict[tuple[int, str], str], unsent_changes: bool, cancelled: bool = False
) -> CaseStatus | None:
    """The status the case's steps give it; None when nothing was ever started.

    `steps` maps (round, kind) to state. The first round's submit phase puts the client in
    Altafid and its activate phase gives them a login; later rounds are amendments.
    """
    if cancelled:
        return CaseStatus.CANCELLED
    states = set(steps.values())
    if states & set(OPEN):
        return CaseStatus.SUBMITTED
    if states & set(STOPPED):
        return CaseStatus.FAILED
    if StepState.RETURNED in states:
        return CaseStatus.RETURNED
    if StepState.IN_REVIEW in states:
        return CaseStatus.IN_REVIEW

    def done(phase: Phase) -> bool:
        return all(
            steps.get((FIRST_ROUND, kind.value)) == StepState.SUCCEEDED
            for kind in phase_kinds(phase)
        )

    if not done(Phase.SUBMIT):
        return None
    if unsent_changes:
        return CaseStatus.AMENDING
    return CaseStatus.ACTIVATED if done(Phase.ACTIVATE) else CaseStatus.IN_ALTAFID
