"""The failure queue's head: failed tries per hour by step, their errors, and the steps in hand."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from onboarding.audit.models import Event, EventKind
from onboarding.cases.lifecycle import StepKind, StepState
from onboarding.cases.models import Case
from onboarding.operations.chart import failures_chart, failures_chart_recent
from onboarding.operations.models import Resolution
from onboarding.operations.services import (
    FailureKind,
    failure_counts,
    failure_kind_counts,
    failures_of_tenant,
)
from onboarding.submissions.models import Step
from tests.factories import TenantFactory, staff_create

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 15, 40, tzinfo=datetime.UTC)


def _try(tenant, kind, at, **data):
    return Event.objects.create(tenant=tenant, kind=kind, data=data, created_at=at)


def test_it_counts_failed_tries_per_hour_by_step_with_their_errors():
    tenant, elsewhere = TenantFactory(), TenantFactory()
    hour = NOW.replace(minute=5)
    _try(tenant, EventKind.STEP_RETRY, hour, step="create", round=1, status=503)
    _try(
        tenant,
        EventKind.STEP_RETRY,
        hour + datetime.timedelta(minutes=20),
        step="create",
        status=503,
    )
    _try(tenant, EventKind.STEP_FAILED, hour, step="sales", status=400, code="VALIDATION_ERROR")
    _try(tenant, EventKind.STEP_NEEDS_ATTENTION, hour - datetime.timedelta(hours=5), step="create")
    # Not failed tries, too old, or another tenant's: not counted.
    _try(tenant, EventKind.STEP_SUCCEEDED, hour, step="create")
    _try(tenant, EventKind.STEP_RETRY, NOW - datetime.timedelta(days=8), step="create", status=503)
    _try(elsewhere, EventKind.STEP_RETRY, hour, step="create", status=503)

    chart = failures_chart(tenant=tenant, now=NOW)

    assert chart.total == 4
    assert chart.peak == 3
    assert dict(chart.codes) == {"503": 2, "VALIDATION_ERROR": 1, "no answer": 1}
    titles = sorted(segment.title.split(" ", 2)[2] for segment in chart.segments)
    assert titles == ["Create contact: 1", "Create contact: 2", "Sales update: 1"]
    latest = [s for s in chart.segments if s.x == max(s.x for s in chart.segments)]
    # The hour's bar stacks its steps in their order: the create at the bottom, twice as tall.
    create, sales = sorted(latest, key=lambda segment: -segment.y)
    assert create.height == pytest.approx(2 * sales.height, abs=0.02)
    assert create.y > sales.y
    # Drawn as SVG rectangles, numbers as written in SVG whatever the language.
    assert chart.bars.count("<rect ") == 3
    assert (
        f'<rect x="{create.x}" y="{create.y}" width="{create.width}" height="{create.height}"'
        in chart.bars
    )


def test_it_counts_the_steps_in_hand_by_step_and_state_for_the_tenant_only():
    tenant, elsewhere = TenantFactory(), TenantFactory()
    rm = staff_create(tenants=[tenant])
    other_rm = staff_create(tenants=[elsewhere])
    states = {
        StepKind.CREATE: StepState.SUCCEEDED,
        StepKind.SALES: StepState.FAILED,
        StepKind.COMPLIANCE: StepState.IN_REVIEW,
        StepKind.PRIMARY_EMAIL: StepState.WAITING,
        StepKind.CREDENTIALS: StepState.WAITING,
    }
    for owner, where in ((rm, tenant), (rm, tenant), (other_rm, elsewhere)):
        case = Case.objects.create(tenant=where, owner=owner)
        for position, (kind, state) in enumerate(states.items()):
            Step.objects.create(case=case, kind=kind, position=position, state=state)
    running = Case.objects.create(tenant=tenant, owner=rm)
    Step.objects.create(case=running, kind=StepKind.CREATE, position=0, state=StepState.RUNNING)
    cancelled = Case.objects.create(tenant=tenant, owner=rm)
    Step.objects.create(case=cancelled, kind=StepKind.CREATE, position=0, state="cancelled")

    assert failure_counts(tenant=tenant) == [
        ("compliance", "in_review", 2),
        ("create", "running", 1),
        ("sales", "failed", 2),
    ]
    Step.objects.filter(case=running).update(state=StepState.SUCCEEDED)
    assert ("create", "running", 1) not in failure_counts(tenant=tenant)


def test_it_counts_each_kind_of_failure_in_one_pass_as_the_queue_filters_them():
    tenant, elsewhere = TenantFactory(), TenantFactory()
    rm = staff_create(tenants=[tenant])
    errors = [
        (StepState.NEEDS_ATTENTION, {"code": "possible_duplicate"}),
        (StepState.FAILED, {"status": 503, "retryable": True}),
        (StepState.FAILED, {"status": 429}),
        (StepState.FAILED, {"status": None, "ambiguous": True}),
        (StepState.FAILED, None),
        (StepState.FAILED, {"status": 400, "retryable": False, "ambiguous": False}),
        (StepState.FAILED, {"status": 422, "retryable": False, "ambiguous": False}),
    ]
    for where in (tenant, tenant, elsewhere):
        for state, error in errors:
            case = Case.objects.create(tenant=where, owner=rm)
            Step.objects.create(
                case=case,
                kind=StepKind.CREATE,
                position=0,
                state=state,
                last_error=error,
                finished_at=NOW,
            )
    resolved = Step.objects.filter(case__tenant=tenant, last_error__status=400).first()
    Resolution.objects.create(step=resolved, by=rm, failed_at=NOW, note="Fixed by phone.")

    counts = failure_kind_counts(tenant=tenant)

    assert counts == {
        kind: failures_of_tenant(tenant=tenant, kind=kind).count()
        for kind in (FailureKind.DECISION, FailureKind.RETRY, FailureKind.FIX_DATA)
    }
    assert counts == {FailureKind.DECISION: 2, FailureKind.RETRY: 8, FailureKind.FIX_DATA: 3}


def test_it_shows_the_chart_as_of_at_most_a_minute_ago():
    tenant = TenantFactory()
    now = timezone.now()
    _try(tenant, EventKind.STEP_RETRY, now, step="create", status=503)
    first = failures_chart_recent(tenant=tenant)
    _try(tenant, EventKind.STEP_RETRY, now, step="create", status=503)

    assert failures_chart_recent(tenant=tenant).total == first.total == 1
    cache.clear()
    assert failures_chart_recent(tenant=tenant).total == 2
