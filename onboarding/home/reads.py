"""What each role's home page shows: what needs them now, and how things stand.

Every count comes with the URL of the filtered list it counts, so the number on the home page
is the number of rows that list shows.
"""

import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import Tenant, User
from onboarding.accounts.roles import Role
from onboarding.cases.lifecycle import CaseStatus, Worklist
from onboarding.cases.models import Case
from onboarding.cases.services import cases_search
from onboarding.health.services import (
    broker_check,
    cache_check,
    database_check,
    heartbeat_last,
    probe_last,
)
from onboarding.kyc.figures import Window, review_window
from onboarding.kyc.models import Review
from onboarding.kyc.services import reviews_waiting
from onboarding.operations.services import FailureKind, failure_kind_counts
from onboarding.staff.services import staff_counts
from onboarding.submissions.models import Step
from onboarding.submissions.reads import (
    STOPPED_WORKLISTS,
    CaseReading,
    Progress,
    case_progress,
    cases_readings,
    cases_stopped,
)

LISTED_ON_HOME = 8
QUEUE_HEAD = 5
FIGURES_DAYS = 7
OLD_REVIEW_DAYS = 3
WORKER_SILENT_SECONDS = 120


@dataclass(frozen=True)
class Tally:
    """A count on a home page and the list it counts."""

    label: str | Promise
    count: int
    url: str
    tone: str = ""  # "warning" when the count is something to act on


def _url(name: str, **query: object) -> str:
    return reverse(name) + ("?" + urlencode(query) if query else "")


@dataclass
class Task:
    """A case that needs the RM, or waits on someone else, read as every page reads it."""

    case: Case
    reading: CaseReading
    progress: Progress | None = None

    @property
    def url(self) -> str:
        offers = self.reading.offers
        return offers[0].href if offers else reverse("submissions:status", args=[self.case.pk])


@dataclass
class RmHome:
    tallies: list[Tally]
    tasks: list[Task]
    # Stopped or on their way, waiting on someone else: who acts, and what happens next.
    waiting: list[Task]
    waiting_tallies: list[Tally]
    can_start: bool = True


def _with_steps(cases: QuerySet[Case]) -> QuerySet[Case]:
    steps = Prefetch(
        "steps",
        queryset=Step.objects.only("case", "round", "kind", "position", "state", "tries"),
    )
    return cases.prefetch_related(steps)


def rm_home(*, user: User, tenant: Tenant) -> RmHome:
    """What needs the RM (each count is a filter of their list), then what waits on others."""

    def mine(status: str) -> QuerySet[Case]:
        cases = cases_search(user=user, tenant=tenant, status=status)
        if status in STOPPED_WORKLISTS:
            cases = cases_stopped(cases=cases, worklist=status)
        return cases

    needs_you = [
        (CaseStatus.RETURNED, _("Returned by compliance"), "-updated_at"),
        (Worklist.REFUSED, Worklist.REFUSED.label, "-updated_at"),
        (Worklist.DECIDE, Worklist.DECIDE.label, "-updated_at"),
        (CaseStatus.AMENDING, _("Changes not sent yet"), "-updated_at"),
        (CaseStatus.IN_ALTAFID, _("In Altafid: waiting for you to activate"), "-updated_at"),
        (Worklist.IDLE, Worklist.IDLE.label, "updated_at"),
    ]
    tallies = []
    shown: list[Case] = []
    for status, label, order in needs_you:
        cases = mine(status).order_by(order)
        tallies.append(Tally(label, cases.count(), _url("cases:list", status=status), "warning"))
        shown += [case for case in cases[:LISTED_ON_HOME] if case not in shown]
    with_others = [
        (Worklist.WITH_ADMIN, Worklist.WITH_ADMIN.label),
        (CaseStatus.IN_REVIEW, _("Waiting for KYC review")),
        (CaseStatus.SUBMITTED, _("Sending to Altafid")),
    ]
    waiting_tallies = []
    others: list[Case] = []
    for status, label in with_others:
        cases = _with_steps(mine(status).order_by("-updated_at"))
        waiting_tallies.append(Tally(label, cases.count(), _url("cases:list", status=status)))
        others += list(cases[:LISTED_ON_HOME])
    readings = cases_readings(cases=[*shown, *others], user=user)
    return RmHome(
        tallies=tallies,
        tasks=[Task(case, readings[case.pk]) for case in shown[: LISTED_ON_HOME * 2]],
        waiting=[
            Task(case, readings[case.pk], case_progress(steps=case.steps.all())) for case in others
        ],
        waiting_tallies=waiting_tallies,
    )


@dataclass
class OfficerHome:
    tallies: list[Tally]
    # Each review with the reading of its case.
    head: list[tuple[Review, CaseReading]]
    assigned: list[tuple[Review, CaseReading]]
    window: Window


def officer_home(*, user: User, tenant: Tenant) -> OfficerHome:
    waiting = reviews_waiting(tenant=tenant)
    mine = reviews_waiting(tenant=tenant, assigned="me", user=user)
    tallies = [
        Tally(_("Waiting for review"), waiting.count(), _url("kyc:queue")),
        Tally(
            _("Nobody has taken"),
            reviews_waiting(tenant=tenant, assigned="nobody").count(),
            _url("kyc:queue", assigned="nobody"),
            "warning",
        ),
        Tally(
            _("Waiting over 3 days"),
            reviews_waiting(tenant=tenant, older_than_days=OLD_REVIEW_DAYS).count(),
            _url("kyc:queue", age=OLD_REVIEW_DAYS),
            "warning",
        ),
        Tally(_("Taken by me"), mine.count(), _url("kyc:queue", assigned="me")),
    ]
    head, assigned = list(waiting[:QUEUE_HEAD]), list(mine[:LISTED_ON_HOME])
    readings = cases_readings(cases=[review.case for review in head + assigned], user=user)
    return OfficerHome(
        tallies=tallies,
        head=[(review, readings[review.case_id]) for review in head],
        assigned=[(review, readings[review.case_id]) for review in assigned],
        window=review_window(tenant=tenant, days=FIGURES_DAYS),
    )


@dataclass(frozen=True)
class Check:
    label: str | Promise
    ok: bool
    detail: str | Promise = ""


@dataclass
class AdminHome:
    failures: list[Tally]
    checks: list[Check]
    staff: list[Tally]


def _checks(tenant: Tenant) -> list[Check]:
    heartbeat = heartbeat_last()
    seen = time.time() - float(heartbeat["at"]) if heartbeat else None
    probe = probe_last(tenant_uuid=tenant.altafid_uuid)
    return [
        Check(_("Database"), database_check()),
        Check(_("Cache"), cache_check()),
        Check(_("Broker"), broker_check().reachable),
        Check(
            _("Workers"),
            seen is not None and seen <= WORKER_SILENT_SECONDS,
            _("Never seen")
            if seen is None
            else _("Last seen %(seconds)s s ago") % {"seconds": round(seen)},
        ),
        Check(
            _("Altafid"),
            bool(probe and probe.get("ok")),
            _("Not probed yet") if probe is None else "",
        ),
    ]


def admin_home(*, tenant: Tenant) -> AdminHome:
    counted = failure_kind_counts(tenant=tenant)
    failures = [
        Tally(
            FailureKind.LABELS[kind],
            counted[kind],
            _url("operations:failures", kind=kind),
            "warning",
        )
        for kind in (FailureKind.DECISION, FailureKind.RETRY, FailureKind.FIX_DATA)
    ]
    counts = staff_counts(tenant=tenant)
    staff = [
        Tally(role.label, counts.roles[role.value], _url("staff:list", role=role.value))
        for role in Role
    ]
    staff += [
        Tally(_("Invited, not logged in yet"), counts.invited, _url("staff:list", state="invited")),
        Tally(_("Deactivated"), counts.inactive, _url("staff:list", state="inactive")),
    ]
    return AdminHome(failures=failures, checks=_checks(tenant), staff=staff)
