"""A case's lifecycle in one table: its states, the Altafid steps in order, and what each reads.

The services, the worker's SQL, the templates and the list filter all read these; nothing else
knows the order of the steps. A step whose body a compliance officer must approve before it
is sent is marked `reviewed` in `STEPS`: the chain stops before it (`IN_REVIEW`) until one
approves exactly that body (the four-eyes KYC review, `onboarding/kyc/`).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pydantic import BaseModel

from onboarding.altafid.contacts import (
    ComplianceUpdate,
    ContactCreate,
    PrimaryEmailUpdate,
    SalesUpdate,
    contact_create,
    contact_init_credentials,
    contact_set_primary_email,
    contact_update_compliance,
    contact_update_sales,
)


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
    DECIDE = "decide", _("Altafid may already have the client: decide")
    WITH_ADMIN = "with_admin", _("Stopped: an administrator acts")
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


class Performed(StrEnum):
    # POST a new contact, once no contact with the same identity number or e-mail exists.
    CREATE = "create"
    # PUT the whole body; an amendment PUTs only the fields that changed.
    UPDATE = "update"
    # POST without a body; a 409 after a try that got no answer is the effect wanted.
    CREDENTIALS = "credentials"


@dataclass(frozen=True)
class StepSpec:
    """One Altafid call of a case, declared once: every page, the payloads, the worker's SQL,
    the review and the failure chart read it from here."""

    kind: StepKind
    phase: Phase
    # The sections whose data the call sends: read-only while it runs.
    reads: frozenset[Section]
    # The section whose own data the call carries: where the RM fixes what Altafid refused.
    own: Section
    method: str
    # Seed 000; `{contactUuid}` is the case's contact.
    path: str
    # How the worker performs it, with which body model and Altafid function (altafid.contacts).
    performed: Performed
    body: type[BaseModel] | None = None
    send: Callable[..., Any] | None = None
    # The call's letter in seed 000's field matrix (C, S, K, A); none for credentials.
    letter: str = ""
    # Whether an amendment may send this call again with changed fields, and in which order
    # the calls that carry the same field take it (the lowest sends it).
    amendable: bool = False
    amend_precedence: int = 0
    # Whether a compliance officer must approve its exact body before it is sent.
    reviewed: bool = False
    # Whether it changes the data of a contact Altafid already had, when the case is linked to
    # one (`step_reviewed`): the RM did not create that contact, so an officer approves.
    writes_contact: bool = False
    # Its colour in the failure chart.
    colour: str = "#4a5568"


CONTACT_PATH = "/api/contacts/{contactUuid}"
STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        StepKind.CREATE,
        Phase.SUBMIT,
        frozenset({Section.CLIENT}),
        own=Section.CLIENT,
        method="POST",
        path="/api/contacts",
        performed=Performed.CREATE,
        body=ContactCreate,
        send=contact_create,
        letter="C",
        colour="#2b6cb0",
    ),
    StepSpec(
        StepKind.SALES,
        Phase.SUBMIT,
        frozenset({Section.CLIENT, Section.SALES}),
        own=Section.SALES,
        method="PUT",
        path=CONTACT_PATH,
        performed=Performed.UPDATE,
        body=SalesUpdate,
        send=contact_update_sales,
        letter="S",
        amendable=True,
        amend_precedence=3,
        writes_contact=True,
        colour="#2f855a",
    ),
    StepSpec(
        StepKind.COMPLIANCE,
        Phase.SUBMIT,
        frozenset({Section.CLIENT, Section.SALES, Section.COMPLIANCE}),
        own=Section.COMPLIANCE,
        method="PUT",
        path=CONTACT_PATH,
        performed=Performed.UPDATE,
        body=ComplianceUpdate,
        send=contact_update_compliance,
        letter="K",
        amendable=True,
        amend_precedence=1,
        reviewed=True,
        writes_contact=True,
        colour="#b7791f",
    ),
    StepSpec(
        StepKind.PRIMARY_EMAIL,
        Phase.ACTIVATE,
        frozenset({Section.CLIENT, Section.ACTIVATION}),
        own=Section.ACTIVATION,
        method="PUT",
        path=CONTACT_PATH,
        performed=Performed.UPDATE,
        body=PrimaryEmailUpdate,
        send=contact_set_primary_email,
        letter="A",
        amendable=True,
        amend_precedence=2,
        writes_contact=True,
        colour="#6b46c1",
    ),
    StepSpec(
        StepKind.CREDENTIALS,
        Phase.ACTIVATE,
        frozenset(),
        own=Section.ACTIVATION,
        method="POST",
        path=CONTACT_PATH + "/credentials/init",
        performed=Performed.CREDENTIALS,
        send=contact_init_credentials,
        colour="#c53030",
    ),
)
SPEC = {spec.kind.value: spec for spec in STEPS}
ORDER = [spec.kind for spec in STEPS]
SECTIONS = list(Section)
# The section whose refusal an RM fixes when Altafid refuses a call (its own data).
OWN_SECTION = {spec.kind: spec.own for spec in STEPS}
# Which amendable call sends a field that several of them carry: the first of these.
AMEND_PRECEDENCE = tuple(
    spec.kind for spec in sorted(STEPS, key=lambda spec: spec.amend_precedence) if spec.amendable
)
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


# --- One reading of a case: where it is, who acts next, why, and what a person may do --------


class Stop(models.TextChoices):
    """Why a stopped step waits, which says who acts (`submissions.reads.step_stop`)."""

    FIX_DATA = "fix_data", _("Altafid refused some values")
    RETRY = "retry", _("Altafid failed or did not answer")
    CHOOSE_CONTACT = "choose_contact", _("Altafid may already have this client")
    SETTLE_CREATE = "settle_create", _("A create got no answer")


class Actor(models.TextChoices):
    """Who acts next on a case."""

    RM = "rm", _("The relationship manager")
    OFFICER = "officer", _("A compliance officer")
    ADMIN = "admin", _("An administrator")
    ALTAFID = "altafid", _("Nobody: it is on its way to Altafid")
    NOBODY = "nobody", _("Nobody")


class Act(models.TextChoices):
    """What a person can do about a case now; each page links it (`submissions.reads`)."""

    CONTINUE = "continue", _("Continue the onboarding")
    REVIEW = "review", _("Review and submit")
    FIX = "fix", _("Fix the values Altafid refused")
    FIX_RETURNED = "fix_returned", _("Fix what compliance noted")
    DECIDE_CONTACT = "decide_contact", _("Decide about the contact Altafid has")
    SEND_CHANGES = "send_changes", _("Review and send the changes")
    ACTIVATE = "activate", _("Activate the client's login")
    REVIEW_KYC = "review_kyc", _("Open the KYC review")
    HANDLE_FAILURE = "handle_failure", _("Open the failure")


@dataclass(frozen=True)
class Reading:
    status: CaseStatus
    actor: Actor
    why: Any
    acts: tuple[Act, ...] = ()

    @property
    def label(self) -> str:
        return str(self.status.label)


_WHY = {
    CaseStatus.DRAFT: _("Sections still need entries before it can be submitted."),
    CaseStatus.READY: _("Every section is complete: it can be reviewed and submitted."),
    CaseStatus.SUBMITTED: _("Its steps are being sent to Altafid, one after the other."),
    CaseStatus.IN_REVIEW: _("A compliance officer approves the KYC data before Altafid gets it."),
    CaseStatus.RETURNED: _(
        "Compliance returned it: the relationship manager fixes what they noted and sends it back."
    ),
    CaseStatus.IN_ALTAFID: _(
        "The client is in Altafid: the relationship manager activates their login when the "
        "client is ready."
    ),
    CaseStatus.ACTIVATED: _("The client is in Altafid and can log in. Nothing waits."),
    CaseStatus.AMENDING: _(
        "Data Altafid holds was changed: the relationship manager reviews and sends the changes."
    ),
    CaseStatus.CANCELLED: _("An administrator stopped the submission: nothing more is sent."),
    CaseStatus.DISCARDED: _("Its owner discarded the draft."),
}
_WHY_STOPPED = {
    Stop.FIX_DATA: _(
        "Altafid refused some values: the relationship manager fixes them and submits again."
    ),
    Stop.RETRY: _(
        "Altafid failed or did not answer until the tries ran out: an administrator retries "
        "once Altafid is back."
    ),
    Stop.CHOOSE_CONTACT: _(
        "Altafid may already have this client: the relationship manager decides on the review "
        "page whether it is them."
    ),
    Stop.SETTLE_CREATE: _(
        "A create got no answer: an administrator settles which contact it made, if any."
    ),
}
_ACTOR = {
    CaseStatus.DRAFT: Actor.RM,
    CaseStatus.READY: Actor.RM,
    CaseStatus.SUBMITTED: Actor.ALTAFID,
    CaseStatus.IN_REVIEW: Actor.OFFICER,
    CaseStatus.RETURNED: Actor.RM,
    CaseStatus.IN_ALTAFID: Actor.RM,
    CaseStatus.ACTIVATED: Actor.NOBODY,
    CaseStatus.AMENDING: Actor.RM,
    CaseStatus.CANCELLED: Actor.NOBODY,
    CaseStatus.DISCARDED: Actor.NOBODY,
}
_STOPPED_ACTOR = {
    Stop.FIX_DATA: Actor.RM,
    Stop.RETRY: Actor.ADMIN,
    Stop.CHOOSE_CONTACT: Actor.RM,
    Stop.SETTLE_CREATE: Actor.ADMIN,
}
# What the one who acts next can do, by status (and, when stopped, by why).
_ACTS: dict[CaseStatus, tuple[Act, ...]] = {
    CaseStatus.DRAFT: (Act.CONTINUE,),
    CaseStatus.READY: (Act.REVIEW,),
    CaseStatus.IN_REVIEW: (Act.REVIEW_KYC,),
    CaseStatus.RETURNED: (Act.FIX_RETURNED,),
    CaseStatus.IN_ALTAFID: (Act.ACTIVATE,),
    CaseStatus.AMENDING: (Act.SEND_CHANGES,),
}
_STOPPED_ACTS: dict[Stop, tuple[Act, ...]] = {
    Stop.FIX_DATA: (Act.FIX,),
    Stop.RETRY: (Act.HANDLE_FAILURE,),
    Stop.CHOOSE_CONTACT: (Act.DECIDE_CONTACT,),
    Stop.SETTLE_CREATE: (Act.HANDLE_FAILURE,),
}


def case_reading(*, status: str, stop: Stop | None, acting_as: Actor | None) -> Reading:
    """The one reading of a case every page shows: where it is, who acts next, why, and what
    the person reading it can do now. `stop` says why a failed case waits; `acting_as` is who
    the reader is for this case (the owner RM, an officer or an admin of its tenant; None for
    anyone else, who may only look). The services refuse what is not offered here."""
    where = CaseStatus(status)
    if where == CaseStatus.FAILED:
        stop = stop or Stop.RETRY
        actor, why, acts = _STOPPED_ACTOR[stop], _WHY_STOPPED[stop], _STOPPED_ACTS[stop]
    else:
        actor, why, acts = _ACTOR[where], _WHY[where], _ACTS.get(where, ())
    return Reading(where, actor, why, acts if acting_as == actor else ())
