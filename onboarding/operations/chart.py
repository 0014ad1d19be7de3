"""Failures per hour over the last week, by step, and the error codes behind them.

Counted from the audit trail's step events (a retry, a failure, a stop for a decision), drawn
on the server as SVG geometry with attributes only, so the strict CSP holds.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count
from django.db.models.fields.json import KT
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from onboarding.accounts.models import Tenant
from onboarding.audit.models import FAILED_TRIES, Event
from onboarding.cases.lifecycle import ORDER, STEPS

HOURS = 7 * 24
WIDTH = 672
HEIGHT = 120
COLOURS = {spec.kind: spec.colour for spec in STEPS}
FAILING = FAILED_TRIES
# The failure queue shows the chart as of at most this long ago: it counts a week by the hour,
# and an admin reloads the queue often.
RECENT_SECONDS = 60


class Segment(NamedTuple):
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class Chart:
    segments: list[Segment]
    legend: list[tuple[str, str]]
    codes: list[tuple[str, int]]
    peak: int
    total: int
    first: datetime.datetime
    last: datetime.datetime

    @property
    def bars(self) -> SafeString:
        """The segments as SVG rectangles: a week has hundreds, which the template language
        took longer to write than the rest of the page."""
        return mark_safe(  # noqa: S308 - numbers, colours of ours, and escaped titles
            "".join(
                f'<rect x="{s.x}" y="{s.y}" width="{s.width}" height="{s.height}" '
                f'fill="{s.colour}"><title>{escape(s.title)}</title></rect>'
                for s in self.segments
            )
        )


def failures_chart_recent(*, tenant: Tenant) -> Chart:
    """The tenant's chart, drawn at most RECENT_SECONDS ago (in the page's language)."""
    key = f"operations:chart:{tenant.pk}:{get_language()}"
    chart = cache.get(key)
    if not isinstance(chart, Chart):
        chart = failures_chart(tenant=tenant)
        cache.set(key, chart, RECENT_SECONDS)
    return chart


def failures_chart(*, tenant: Tenant, now: datetime.datetime | None = None) -> Chart:
    now = now or timezone.now()
    last = now.replace(minute=0, second=0, microsecond=0)
    first = last - datetime.timedelta(hours=HOURS - 1)
    events = Event.objects.filter(tenant=tenant, kind__in=FAILING, created_at__gte=first)
    # Counted in the database: a bad week is thousands of tries, a few hundred groups.
    per_hour: defaultdict[datetime.datetime, Counter[str]] = defaultdict(Counter)
    codes: Counter[str] = Counter()
    total = 0
    groups = (
        # Hours of UTC, as `first`: nothing to convert for each group.
        events.annotate(hour=TruncHour("created_at", tzinfo=datetime.UTC))
        # As text: nothing to decode from JSON for each of hundreds of groups.
        .values("hour", step=KT("data__step"), code=KT("data__code"), status=KT("data__status"))
        .annotate(count=Count("id"))
        .order_by()
    )
    for row in groups:
        count = row["count"]
        per_hour[row["hour"]][row["step"] or ""] += count
        codes[str(row["code"] or row["status"] or "no answer")] += count
        total += count
    peak = max((sum(counts.values()) for counts in per_hour.values()), default=0)
    slot = WIDTH / HOURS
    scale = (HEIGHT - 4) / peak if peak else 0.0
    segments = []
    labels = {kind: str(kind.label) for kind in ORDER}
    for hour, counts in per_hour.items():
        index = int((hour - first).total_seconds() // 3600)
        if not 0 <= index < HOURS:
            continue
        bottom = float(HEIGHT)
        when = f"{timezone.localtime(hour):%Y-%m-%d %H:00}"
        for kind in ORDER:
            count = counts.get(kind.value, 0)
            if not count:
                continue
            height = count * scale
            bottom -= height
            segments.append(
                Segment(
                    x=round(index * slot, 2),
                    y=round(bottom, 2),
                    width=round(max(slot - 0.5, 1.0), 2),
                    height=round(height, 2),
                    colour=COLOURS[kind],
                    title=f"{when} {labels[kind]}: {count}",
                )
            )
    legend = [(labels[kind], COLOURS[kind]) for kind in ORDER]
    return Chart(
        segments=segments,
        legend=legend,
        codes=codes.most_common(8),
        peak=peak,
        total=total,
        first=first,
        last=last,
    )
