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
from onboarding.kyc.services import returned_counts, reviews_waiting
from onboarding.operations.services import FailureKind, failure_kind_counts
from onboarding.staff.services import staff_counts
from onboarding.submissions.models import Step
from onboarding.submissions.reads import Progress, case_progress, cases_refused

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
    """A case that needs the RM, and why."""

    case: Case
    reason: str | Promise
    url: str


@dataclass
class RmHome:
    tallies: list[Tally]
    tasks: list[Task]
    in_flight: list[tuple[Case, Progress | None]]
    in_flight_tally: Tally
    can_start: bool = True


def _with_steps(cases: QuerySet[Case]) -> QuerySet[Case]:
    steps = Prefetch(
        "steps",
        queryset=Step.objects.only("case", "round", "kind", "position", "state", "tries"),
    )
    return cases.prefetch_related(steps)


def rm_home(*, user: User, tenant: Tenant) -> RmHome:
    def mine(status: str) -> QuerySet[Case]:
        return cases_search(user=user, tenant=tenant, status=status)

    returned = mine(CaseStatus.RETURNED).order_by("-updated_at")
    refused = cases_refused(cases=mine("")).order_by("-updated_at")
    idle = mine(Worklist.IDLE).order_by("updated_at")
    in_flight = mine(Worklist.IN_FLIGHT).order_by("-updated_at")
    tallies = [
        Tally(
            _("Returned by compliance"),
            returned.count(),
            _url("cases:list", status=CaseStatus.RETURNED.value),
            "warning",
        ),
        Tally(
            Worklist.REFUSED.label,
            refused.count(),
            _url("cases:list", status=Worklist.REFUSED.value),
            "warning",
        ),
        Tally(Worklist.IDLE.label, idle.count(), _url("cases:list", status=Worklist.IDLE.value)),
    ]
    shown_returned = list(returned[:LISTED_ON_HOME])
    to_fix = returned_counts(case_ids=[case.pk for case in shown_returned])
    tasks = [
        Task(
            case,
            _("Returned by compliance: %(count)s to fix") % {"count": to_fix[case.pk]}
            if to_fix.get(case.pk)
            else _("Returned by compliance"),
            reverse("cases:resume", args=[case.pk]),
        )
        for case in shown_returned
    ]
    tasks += [
        Task(case, _("Altafid refused some values"), reverse("submissions:status", args=[case.pk]))
        for case in refused[:LISTED_ON_HOME]
    ]
    tasks += [
        Task(case, _("Not touched for a week"), reverse("cases:resume", args=[case.pk]))
        for case in idle[:LISTED_ON_HOME]
    ]
    flying = list(_with_steps(in_flight)[:LISTED_ON_HOME])
    return RmHome(
        tallies=tallies,
        tasks=tasks,
        in_flight=[(case, case_progress(steps=case.steps.all())) for case in flying],
        in_flight_tally=Tally(
            Worklist.IN_FLIGHT.label,
            in_flight.count(),
            _url("cases:list", status=Worklist.IN_FLIGHT.value),
        ),
    )


@dataclass
class OfficerHome:
    tallies: list[Tally]
    head: list[Review]
    assigned: list[Review]
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
    return OfficerHome(
        tallies=tallies,
        head=list(waiting[:QUEUE_HEAD]),
        assigned=list(mine[:LISTED_ON_HOME]),
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
