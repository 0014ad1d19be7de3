"""Where a case's submission stands, for pages: steps by round, progress, refusals."""

from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onboarding.accounts.models import User
from onboarding.accounts.permissions import Can, user_may
from onboarding.cases.lifecycle import (
    FIRST_ROUND,
    OPEN,
    ORDER,
    OWN_SECTION,
    STARTABLE,
    STOPPED,
    Act,
    Actor,
    CaseStatus,
    Phase,
    Reading,
    Section,
    StepKind,
    StepState,
    Stop,
    Worklist,
    case_reading,
    phase_kinds,
)
from onboarding.cases.models import Case
from onboarding.cases.payloads import rows_origin
from onboarding.cases.services import case_sections
from onboarding.submissions.models import Step
from onboarding.submissions.refusals import Refusal, refusal_for_section
from onboarding.submissions.worker import POSSIBLE_DUPLICATE

# A stopped step's last error that trying again may cure: no answer, throttled, or Altafid's
# own failure. The rest of the failures are values Altafid refused (fix the data). Wrapped in
# CASE so that it is never NULL: a record missing a key would otherwise fall out of both it
# and its negation, where `operations.services.failure_kind` reads it as refused.
RETRY_ERROR = Q(
    models.Case(
        models.When(
            Q(last_error__retryable=True)
            | Q(last_error__ambiguous=True)
            | Q(last_error__status__isnull=True)
            | Q(last_error__status=None)
            | Q(last_error__status=429)
            | Q(last_error__status__gte=500),
            then=models.Value(True),
        ),
        default=models.Value(False),
        output_field=models.BooleanField(),
    )
)


def cases_refused(*, cases: QuerySet[Case]) -> QuerySet[Case]:
    """Cases whose submission stopped on values Altafid refused: their RM has data to fix."""
    return cases_stopped(cases=cases, worklist=Worklist.REFUSED)


# Each stopped case's worklist, as `step_stop` reads its stopped step (in the database).
_STOPPED_STEPS = {
    Worklist.REFUSED: Q(state=StepState.FAILED) & ~RETRY_ERROR,
    Worklist.DECIDE: Q(state=StepState.NEEDS_ATTENTION, last_error__code=POSSIBLE_DUPLICATE),
    Worklist.WITH_ADMIN: (Q(state=StepState.FAILED) & RETRY_ERROR)
    | (Q(state=StepState.NEEDS_ATTENTION) & ~Q(last_error__code=POSSIBLE_DUPLICATE)),
}


def cases_stopped(*, cases: QuerySet[Case], worklist: str) -> QuerySet[Case]:
    """The failed cases whose stopped step waits for the RM to fix data (REFUSED) or decide
    about a contact (DECIDE), or for an administrator (WITH_ADMIN)."""
    steps = Step.objects.filter(_STOPPED_STEPS[Worklist(worklist)], case=OuterRef("pk"))
    return cases.filter(status=CaseStatus.FAILED).filter(Exists(steps))


STOPPED_WORKLISTS = tuple(_STOPPED_STEPS)


def case_steps(*, case: Case) -> list[Step]:
    return list(
        case.steps.defer("payload").select_related("approved_by").order_by("round", "position")
    )


@dataclass(frozen=True)
class Round:
    number: int
    steps: list[tuple[StepKind, Step | None, Section]]

    @property
    def amendment(self) -> bool:
        return self.number > FIRST_ROUND


@dataclass(frozen=True)
class Submission:
    """Where a case's submission stands, and what its owner may do next."""

    rounds: list[Round]
    running: bool
    # Held for a compliance officer's decision: the page looks again now and then.
    in_review: bool
    can_review: bool
    can_activate: bool
    submitted: bool


def case_submission(*, case: Case, steps: list[Step] | None = None) -> Submission:
    steps = case_steps(case=case) if steps is None else steps
    by_round: dict[int, dict[str, Step]] = {}
    for step in steps:
        by_round.setdefault(step.round, {})[step.kind] = step
    first = by_round.get(FIRST_ROUND, {})
    rounds = [
        Round(FIRST_ROUND, [(kind, first.get(kind.value), OWN_SECTION[kind]) for kind in ORDER])
    ]
    rounds.extend(
        Round(number, [(StepKind(s.kind), s, OWN_SECTION[StepKind(s.kind)]) for s in kept.values()])
        for number, kept in sorted(by_round.items())
        if number > FIRST_ROUND
    )
    running = any(step.state in OPEN for step in steps)
    states = {kind: step.state for kind, step in first.items()}
    return Submission(
        rounds=rounds,
        running=running,
        in_review=any(step.state == StepState.IN_REVIEW for step in steps),
        can_review=not running
        and case.status
        in (
            CaseStatus.READY,
            CaseStatus.FAILED,
            CaseStatus.AMENDING,
            CaseStatus.IN_REVIEW,
            CaseStatus.RETURNED,
        ),
        can_activate=not running
        and states.get(StepKind.COMPLIANCE.value) == StepState.SUCCEEDED
        and startable(states, phase_kinds(Phase.ACTIVATE)),
        submitted=any(_started(step) for step in steps),
    )


def _started(step: Step) -> bool:
    return step.state != StepState.WAITING or step.tries > 0


def startable(states: dict[str, str], kinds: tuple[StepKind, ...]) -> bool:
    """Whether queuing `kinds` starts something: none of them under way, one not succeeded."""
    chain = [states.get(kind.value, StepState.WAITING) for kind in kinds]
    return not any(state in OPEN for state in chain) and any(state in STARTABLE for state in chain)


@dataclass(frozen=True)
class Progress:
    """One case's submission in a word or two, for the RM's list."""

    state: str
    label: str


def case_progress(*, steps: Iterable[Step]) -> Progress | None:
    steps = list(steps)
    if not any(_started(step) for step in steps):
        return None
    latest = max(step.round for step in steps)
    current = sorted((s for s in steps if s.round == latest), key=attrgetter("position"))
    for state in STOPPED:
        stuck = next((step for step in current if step.state == state), None)
        if stuck is not None:
            return Progress(state, f"{StepState(state).label}: {stuck.get_kind_display()}")
    if any(step.state in OPEN for step in current):
        total = len(ORDER) if latest == FIRST_ROUND else len(current)
        done = sum(step.state == StepState.SUCCEEDED for step in current)
        return Progress(
            StepState.RUNNING,
            _("Submitting (%(done)s of %(total)s done)") % {"done": done, "total": total},
        )
    return None


def section_refusal(*, case: Case, section: Section, steps: Iterable[Step]) -> Refusal | None:
    """What Altafid refused in this section at the last submission, if its step failed on it."""
    kinds = {kind.value for kind, of in OWN_SECTION.items() if of is section}
    step = next(
        (
            s
            for s in sorted(steps, key=attrgetter("round"), reverse=True)
            if s.kind in kinds and s.state == StepState.FAILED
        ),
        None,
    )
    if step is None or not step.last_error:
        return None
    field_errors = step.last_error.get("field_errors") or {}
    current = step.last_error.get("payload_version", step.payload_version) == case.version
    # The section is as it was sent: its rows say which entry of a list came from which row.
    rows = any("[" in name for name in field_errors)
    origins = (
        rows_origin(sections=case_sections(case=case), section=section)
        if current and rows
        else None
    )
    return refusal_for_section(
        section=section,
        field_errors=field_errors,
        message=step.last_error.get("message") or "",
        current=current,
        origins=origins,
    )


def step_explanation(step: Step, *, adopted: bool = False, case_cancelled: bool = False) -> str:
    """What happened to a step, in plain words for the RM: no exception names, no codes.

    `adopted`: its last try found in Altafid what an unanswered earlier try had written.
    `case_cancelled`: an administrator stopped the case's submission.
    """
    error = step.last_error or {}
    tries = step.attempts
    limit = settings.SUBMISSION_MAX_ATTEMPTS
    if step.state == StepState.SUCCEEDED and adopted:
        return _(
            "Altafid did not answer after the contact was written; the contact was found "
            "and the onboarding continued."
        )
    if step.state == StepState.QUEUED and tries and error:
        when = timezone.localtime(step.run_after) if step.run_after else None
        return _(
            "Altafid was unavailable; trying again automatically at %(when)s "
            "(try %(next)s of %(limit)s)."
        ) % {
            "when": when.strftime("%H:%M") if when else "—",
            "next": tries + 1,
            "limit": limit,
        }
    if step.state == StepState.RUNNING:
        return _("Sending to Altafid now.")
    if step.state == StepState.CANCELLED:
        # Only two things cancel a step (`submissions.services`): the admin's stop, and an
        # amendment compliance returned, replaced by the one the RM sent back.
        if case_cancelled:
            return _("Not sent: an administrator stopped the submission.")
        return _(
            "Not sent: compliance returned this amendment, and the changes sent after it "
            "replaced it."
        )
    if step.state == StepState.NEEDS_ATTENTION:
        return _(
            "Altafid may have written this contact without answering, and it cannot tell "
            "which of its contacts it is. An administrator decides; nothing is sent meanwhile."
        )
    if step.state != StepState.FAILED:
        return ""
    refused = error.get("field_errors") or {}
    if error.get("problems"):
        return _("This step was not sent: %(problems)s") % {
            "problems": " ".join(str(problem) for problem in error["problems"])
        }
    if refused:
        section = OWN_SECTION[StepKind(step.kind)].label
        return ngettext(
            "Altafid refused %(count)s value: fix it in “%(section)s”.",
            "Altafid refused %(count)s values: fix them in “%(section)s”.",
            sum(len(texts) for texts in refused.values()),
        ) % {"count": sum(len(texts) for texts in refused.values()), "section": section}
    if error.get("retryable") or error.get("ambiguous") or error.get("status") in (None, 429):
        return _(
            "Altafid was unavailable until the tries ran out (%(tries)s of %(limit)s). "
            "An administrator can try again once it is back."
        ) % {"tries": tries, "limit": limit}
    if (error.get("status") or 0) >= 500:
        return _("Altafid failed on its side. An administrator can try again.")
    return _("Altafid refused this step: %(message)s") % {
        "message": error.get("message") or _("no reason given")
    }


def step_technical(step: Step) -> str:
    """The detail behind the plain words, for administrators."""
    error = step.last_error or {}
    parts = [
        str(error.get(key))
        for key in ("type", "method", "path", "status", "code")
        if error.get(key) not in (None, "")
    ]
    message = error.get("message") or ""
    return " ".join(parts) + (f": {message}" if message else "")


def step_stop(step: Step) -> Stop:
    """Why a stopped step waits: the one rule the reading of a case, the RM's home and the
    failure queue follow (`RETRY_ERROR` is the same in the database)."""
    error = step.last_error or {}
    if step.state == StepState.NEEDS_ATTENTION:
        if error.get("code") == POSSIBLE_DUPLICATE:
            return Stop.CHOOSE_CONTACT
        return Stop.SETTLE_CREATE
    if error.get("retryable") or error.get("ambiguous"):
        return Stop.RETRY
    status = error.get("status")
    if status is None or status == 429 or status >= 500:
        return Stop.RETRY
    return Stop.FIX_DATA


@dataclass(frozen=True)
class Offer:
    act: Act
    href: str

    @property
    def label(self) -> str:
        return str(self.act.label)


@dataclass(frozen=True)
class CaseReading:
    """`lifecycle.case_reading` for one case and one person, with links for what they can do."""

    reading: Reading
    offers: tuple[Offer, ...]
    who: str

    @property
    def code(self) -> str:
        """Where it is and who acts, as the pages mark it (for tests and styles)."""
        return f"{self.reading.status}:{self.reading.actor}"


def cases_readings(*, cases: Iterable[Case], user: User) -> dict[int, CaseReading]:
    """The reading of each case for `user`, with two queries for any number of cases."""
    cases = list(cases)
    stopped = {
        step.case_id: step
        for step in Step.objects.filter(case__in=[case.pk for case in cases], state__in=STOPPED)
        .only("id", "case_id", "state", "last_error", "round", "position")
        .order_by("case_id", "-round", "position")
    }
    return {case.pk: _reading(case, user, stopped.get(case.pk)) for case in cases}


def case_reading_for(*, case: Case, user: User) -> CaseReading:
    return cases_readings(cases=[case], user=user)[case.pk]


def _acting_as(case: Case, user: User) -> Actor | None:
    if user_may(user=user, can=Can.CHANGE, case=case):
        return Actor.RM
    if user_may(user=user, can=Can.DECIDE, case=case):
        return Actor.OFFICER
    if user_may(user=user, can=Can.OPERATE, case=case):
        return Actor.ADMIN
    return None


def _reading(case: Case, user: User, stopped: Step | None) -> CaseReading:
    stop = step_stop(stopped) if stopped is not None else None
    reading = case_reading(status=case.status, stop=stop, acting_as=_acting_as(case, user))
    hrefs = {
        Act.CONTINUE: reverse("cases:resume", args=[case.pk]),
        Act.REVIEW: reverse("cases:review", args=[case.pk]),
        Act.FIX: reverse("cases:review", args=[case.pk]),
        Act.FIX_RETURNED: reverse("cases:resume", args=[case.pk]),
        Act.DECIDE_CONTACT: reverse("cases:review", args=[case.pk]) + "#matches",
        Act.SEND_CHANGES: reverse("cases:review", args=[case.pk]),
        Act.ACTIVATE: reverse("submissions:status", args=[case.pk]) + "#activation",
        Act.REVIEW_KYC: reverse("kyc:queue"),
        Act.HANDLE_FAILURE: reverse("operations:failure", args=[stopped.pk])
        if stopped is not None
        else reverse("operations:failures"),
    }
    who = {
        Actor.RM: _("%(owner)s (relationship manager)") % {"owner": case.owner},
        Actor.OFFICER: _("A compliance officer"),
        Actor.ADMIN: _("An administrator"),
    }.get(reading.actor, str(reading.actor.label))
    offers = tuple(Offer(act, hrefs[act]) for act in reading.acts)
    return CaseReading(reading, offers, who)
