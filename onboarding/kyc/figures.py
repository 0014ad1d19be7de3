"""Figures for the review queue: how long cases wait, how often they go back, and why.

A wait is from a review's opening to its decision, for reviews decided in the window. The
chart is drawn here as plain SVG geometry (attributes only, no inline style or script), so
the page's strict Content Security Policy holds.
"""

import datetime
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from onboarding.accounts.models import Tenant
from onboarding.kyc.models import ReturnReason, Review, ReviewState
from onboarding.kyc.rating import RiskLevel

WINDOWS = (7, 30)
DECIDED = (ReviewState.APPROVED, ReviewState.RETURNED)
CHART_DAYS = 30
CHART_WIDTH = 600
CHART_HEIGHT = 160


@dataclass(frozen=True)
class Window:
    days: int
    decided: int
    median_hours: float | None
    p90_hours: float | None
    return_rate: float | None


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    approved_y: float
    approved_height: float
    returned_y: float
    returned_height: float
    day: datetime.date
    approved: int
    returned: int


@dataclass(frozen=True)
class Rated:
    code: str  # "high", or "" for reviews opened before ratings
    label: str
    cases: int
    share: float  # of the widest bar (0..1)


@dataclass(frozen=True)
class Figures:
    windows: list[Window]
    reasons: list[tuple[str, int, float]]  # label, count, share of the widest bar (0..1)
    bars: list[Bar]
    peak: int
    waiting: int
    ratings: list[Rated] = field(default_factory=list)


def _percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the value below which `share` of the values fall."""
    ranked = sorted(values)
    return ranked[max(0, math.ceil(share * len(ranked)) - 1)]


def review_figures(*, tenant: Tenant, now: datetime.datetime | None = None) -> Figures:
    now = now or timezone.now()
    decided = Review.objects.filter(tenant=tenant, state__in=DECIDED, decided_at__isnull=False)
    windows = [_window(decided, now, days) for days in WINDOWS]
    since = now - datetime.timedelta(days=CHART_DAYS)
    counted: Counter[str] = Counter()
    for reasons in decided.filter(state=ReviewState.RETURNED, decided_at__gte=since).values_list(
        "reasons", flat=True
    ):
        counted.update(reasons or [])
    widest = max(counted.values(), default=0)
    labels = dict(ReturnReason.choices)
    reasons = [
        (str(labels.get(code, code)), count, count / widest if widest else 0.0)
        for code, count in counted.most_common()
    ]
    bars, peak = _bars(tenant, now)
    waiting = Review.objects.filter(tenant=tenant, state=ReviewState.WAITING).count()
    return Figures(
        windows=windows,
        reasons=reasons,
        bars=bars,
        peak=peak,
        waiting=waiting,
        ratings=cases_by_rating(tenant=tenant, since=since),
    )


def cases_by_rating(*, tenant: Tenant, since: datetime.datetime) -> list[Rated]:
    """The cases reviewed since `since`, by the rating of their latest review (one not voided
    by a change), highest first; every level is listed, and "not rated" when there are any."""
    latest = (
        Review.objects.filter(case_id=OuterRef("case_id"))
        .exclude(state=ReviewState.VOIDED)
        .order_by("-opened_at", "-id")
        .values("pk")[:1]
    )
    counted = dict(
        Review.objects.filter(tenant=tenant, opened_at__gte=since)
        .exclude(state=ReviewState.VOIDED)
        .filter(pk=Subquery(latest))
        .values("rating")
        .annotate(cases=Count("id"))
        .values_list("rating", "cases")
    )
    widest = max(counted.values(), default=0)
    rows = [
        (level.code, str(level.label), counted.get(level, 0))
        for level in sorted(RiskLevel, reverse=True)
    ]
    if counted.get(None):
        rows.append(("", str(_("Not rated")), counted[None]))
    return [
        Rated(code, label, cases, cases / widest if widest else 0.0) for code, label, cases in rows
    ]


def review_window(*, tenant: Tenant, days: int, now: datetime.datetime | None = None) -> Window:
    """The waits and return rate of the reviews decided in the last `days` days."""
    decided = Review.objects.filter(tenant=tenant, state__in=DECIDED, decided_at__isnull=False)
    return _window(decided, now or timezone.now(), days)


class _Percentile(Aggregate):
    """PostgreSQL's ordered-set percentile over a duration in seconds."""

    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, *, fraction: float, discrete: bool) -> None:
        function = "percentile_disc" if discrete else "percentile_cont"
        super().__init__(expression, function=function, fraction=fraction)


def _window(decided: QuerySet[Review], now: datetime.datetime, days: int) -> Window:
    rows = decided.filter(decided_at__gte=now - datetime.timedelta(days=days))
    if connection.vendor == "postgresql":
        # Counted where the rows are: a month of decisions is thousands of rows.
        seconds = RawSQL("EXTRACT(EPOCH FROM decided_at - opened_at)", ())
        found = rows.aggregate(
            decided=Count("id"),
            returned=Count("id", filter=Q(state=ReviewState.RETURNED)),
            median=_Percentile(seconds, fraction=0.5, discrete=False),
            p90=_Percentile(seconds, fraction=0.9, discrete=True),
        )
        count, returned = found["decided"], found["returned"]
        median = found["median"] / 3600 if found["median"] is not None else None
        p90 = found["p90"] / 3600 if found["p90"] is not None else None
    else:
        values = list(rows.values_list("opened_at", "decided_at", "state"))
        hours = [(done - opened).total_seconds() / 3600 for opened, done, _s in values if done]
        count = len(values)
        returned = sum(state == ReviewState.RETURNED for _o, _d, state in values)
        median = statistics.median(hours) if hours else None
        p90 = _percentile(hours, 0.9) if hours else None
    return Window(
        days=days,
        decided=count,
        median_hours=median,
        p90_hours=p90,
        return_rate=returned / count if count else None,
    )


def _bars(tenant: Tenant, now: datetime.datetime) -> tuple[list[Bar], int]:
    """Reviews decided per day over the last CHART_DAYS days, approved under returned."""
    today = timezone.localdate(now)
    first = today - datetime.timedelta(days=CHART_DAYS - 1)
    per_day = {
        row["day"]: row
        for row in Review.objects.filter(
            tenant=tenant, state__in=DECIDED, decided_at__date__gte=first
        )
        .annotate(day=TruncDate("decided_at"))
        .values("day")
        .annotate(
            approved=Count("id", filter=Q(state=ReviewState.APPROVED)),
            returned=Count("id", filter=Q(state=ReviewState.RETURNED)),
        )
    }
    peak = max((row["approved"] + row["returned"] for row in per_day.values()), default=0)
    slot = CHART_WIDTH / CHART_DAYS
    scale = (CHART_HEIGHT - 10) / peak if peak else 0.0
    bars = []
    for offset in range(CHART_DAYS):
        day = first + datetime.timedelta(days=offset)
        row = per_day.get(day, {"approved": 0, "returned": 0})
        approved_height = row["approved"] * scale
        returned_height = row["returned"] * scale
        bars.append(
            Bar(
                x=round(offset * slot + 1, 1),
                width=round(slot - 2, 1),
                approved_y=round(CHART_HEIGHT - approved_height, 1),
                approved_height=round(approved_height, 1),
                returned_y=round(CHART_HEIGHT - approved_height - returned_height, 1),
                returned_height=round(returned_height, 1),
                day=day,
                approved=row["approved"],
                returned=row["returned"],
            )
        )
    return bars, peak
