import datetime

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onboarding.audit.models import Event, EventKind
from onboarding.audit.sql import NewEvent
from onboarding.cases.lifecycle import CaseStatus
from onboarding.cases.models import Case
from onboarding.cases.services import case_create
from onboarding.submissions import sql
from onboarding.submissions.models import Attempt, AttemptOutcome, Step, StepKind, StepState
from onboarding.submissions.status import case_status_refresh

pytestmark = pytest.mark.django_db

# What PostgreSQL does in one statement, SQLite (the embedded default) does in several.
ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def case(tenant, rm):
    return case_create(tenant=tenant, owner=rm)


def step_create(case, kind=StepKind.CREATE, **fields):
    position = list(StepKind).index(kind)
    return Step.objects.create(
        case=case, kind=kind, position=position, payload={"firstName": "Ana"}, **fields
    )


def test_it_claims_a_due_step_and_reads_it_and_records_its_start_in_one_statement(case):
    now = timezone.now()
    step = step_create(case, state=StepState.QUEUED, run_after=now, tries=2, attempts=1)
    lease = now + datetime.timedelta(minutes=2)

    with CaptureQueriesContext(connection) as queries:
        claimed = sql.step_claim(step_id=step.pk, now=now, lease_until=lease)

    assert len(queries) == 1 or not ON_POSTGRESQL
    assert claimed is not None
    assert (claimed.pk, claimed.state, claimed.tries, claimed.attempts) == (
        step.pk,
        StepState.RUNNING,
        3,
        2,
    )
    assert claimed.lease_expires_at == lease
    assert claimed.payload == {"firstName": "Ana"}
    assert (claimed.case.pk, claimed.case.tenant_id, claimed.case.contact_uuid) == (
        case.pk,
        case.tenant_id,
        case.contact_uuid,
    )
    assert claimed.case.tenant.altafid_uuid == case.tenant.altafid_uuid
    assert "drafts" in claimed.case.get_deferred_fields()
    step.refresh_from_db()
    assert (step.state, step.started_at) == (StepState.RUNNING, now)
    started = Event.objects.get(case=case, kind=EventKind.STEP_STARTED)
    assert (started.tenant_id, started.actor_id, started.created_at) == (case.tenant_id, None, now)
    assert started.data == {"step": "create", "round": 1, "attempt": 3}
    assert started.data == sql.step_started(claimed).data


@pytest.mark.parametrize(
    ("state", "due_in"), [(StepState.RUNNING, 0), (StepState.SUCCEEDED, 0), (StepState.QUEUED, 30)]
)
def test_it_leaves_a_step_that_is_not_queued_or_not_due(case, state, due_in):
    now = timezone.now()
    step = step_create(case, state=state, run_after=now + datetime.timedelta(seconds=due_in))

    claimed = sql.step_claim(step_id=step.pk, now=now, lease_until=now)

    assert claimed is None
    step.refresh_from_db()
    assert step.state == state
    assert not Event.objects.filter(case=case, kind=EventKind.STEP_STARTED).exists()


@pytest.mark.parametrize(
    ("state", "claimed"),
    [
        (StepState.WAITING, True),
        (StepState.FAILED, False),
        (StepState.NEEDS_ATTENTION, False),
        (StepState.CANCELLED, False),
        (StepState.QUEUED, False),
        (StepState.RUNNING, False),
        (StepState.SUCCEEDED, False),
    ],
)
def test_it_claims_the_following_step_only_while_it_waits_for_the_one_before(case, state, claimed):
    now = timezone.now()
    step_create(case, StepKind.SALES, state=state, tries=4)

    with CaptureQueriesContext(connection) as queries:
        sales = sql.step_claim_following(case=case, round=1, kind="sales", now=now, lease_until=now)

    assert len(queries) == 1 or not ON_POSTGRESQL
    assert (sales is not None) is claimed
    started = Event.objects.filter(case=case, kind=EventKind.STEP_STARTED)
    if claimed:
        assert (sales.state, sales.tries, sales.attempts, sales.finished_at) == (
            StepState.RUNNING,
            5,
            1,
            None,
        )
        assert sales.case is case
        assert [(event.tenant_id, event.created_at, event.data) for event in started] == [
            (case.tenant_id, now, sql.step_started(sales).data)
        ]
        assert sql.step_started(sales).data == {"step": "sales", "round": 1, "attempt": 5}
    else:
        assert not started.exists()


def test_it_claims_the_following_step_of_the_same_round_only(case):
    now = timezone.now()
    step_create(case, StepKind.SALES, state=StepState.WAITING)

    assert (
        sql.step_claim_following(case=case, round=2, kind="sales", now=now, lease_until=now) is None
    )


@pytest.mark.parametrize(("state", "found"), [(StepState.WAITING, True), (StepState.QUEUED, False)])
def test_it_reads_the_following_step_locked_only_while_it_waits(case, state, found):
    waiting = step_create(case, StepKind.COMPLIANCE, state=state)
    step_create(case, StepKind.SALES, state=StepState.WAITING)

    with CaptureQueriesContext(connection) as queries:
        step = sql.step_waiting_locked(case_id=case.pk, round=1, kind="compliance")

    assert (step is not None) is found
    if found:
        assert (step.pk, step.payload) == (waiting.pk, {"firstName": "Ana"})
        assert queries[0]["sql"].endswith("FOR UPDATE") or not ON_POSTGRESQL


def test_it_saves_the_fields_named_and_stamps_the_update(case):
    step = step_create(case, state=StepState.WAITING)
    before = step.updated_at
    step.state, step.attempts, step.payload = StepState.QUEUED, 3, {"firstName": "Other"}

    with CaptureQueriesContext(connection) as queries:
        sql.step_save(step, fields=["state", "attempts", "updated_at"])

    assert len(queries) == 1
    stored = Step.objects.get(pk=step.pk)
    assert (stored.state, stored.attempts, stored.payload) == (
        StepState.QUEUED,
        3,
        {"firstName": "Ana"},
    )
    assert stored.updated_at == step.updated_at > before


def test_it_says_when_the_step_to_save_is_gone(case):
    step = step_create(case)
    Step.objects.filter(pk=step.pk).delete()

    with pytest.raises(DatabaseError, match="did not affect any rows"):
        sql.step_save(step, fields=["state"])


def attempt_for(step, now, **fields):
    return Attempt(
        step=step,
        number=1,
        started_at=now,
        finished_at=now,
        outcome=AttemptOutcome.SUCCEEDED,
        sent={"a": "•••"},
        **fields,
    )


def ended_event(step, kind=EventKind.STEP_SUCCEEDED):
    return NewEvent(
        tenant_id=step.case.tenant_id,
        case_id=step.case_id,
        kind=kind,
        data={"step": step.kind, "round": step.round, "outcome": "succeeded"},
    )


def test_it_closes_a_step_only_while_it_is_running(case):
    now = timezone.now()
    running = step_create(case, state=StepState.RUNNING, lease_expires_at=now)
    queued = step_create(case, StepKind.SALES, state=StepState.QUEUED)

    closed = sql.step_close(
        step_id=running.pk,
        case_id=case.pk,
        state=StepState.FAILED,
        now=now,
        error={"a": 1},
        attempt=attempt_for(running, now),
        event=ended_event(running, EventKind.STEP_FAILED),
    )
    not_closed = sql.step_close(
        step_id=queued.pk,
        case_id=case.pk,
        state=StepState.SUCCEEDED,
        now=now,
        error=None,
        attempt=attempt_for(queued, now),
        event=ended_event(queued),
    )

    running.refresh_from_db()
    queued.refresh_from_db()
    assert (closed, not_closed) == (True, False)
    assert (running.state, running.last_error, running.lease_expires_at) == (
        StepState.FAILED,
        {"a": 1},
        None,
    )
    assert queued.state == StepState.QUEUED
    assert list(
        Event.objects.filter(case=case, kind__startswith="step_").values_list("kind", "data__step")
    ) == [(EventKind.STEP_FAILED, "create")]


@pytest.mark.parametrize(
    ("state", "closed"), [(StepState.RUNNING, True), (StepState.QUEUED, False)]
)
def test_it_stores_the_try_and_closes_the_step_and_records_it_in_one_statement(case, state, closed):
    step = step_create(case, state=state)
    now = timezone.now()
    attempt = attempt_for(step, now, http_status=200, received={"contactUuid": "C1"})

    with CaptureQueriesContext(connection) as queries:
        ended = sql.step_close(
            step_id=step.pk,
            case_id=case.pk,
            state=StepState.SUCCEEDED,
            now=now,
            error=None,
            attempt=attempt,
            event=ended_event(step),
        )

    assert len(queries) == 1 or not ON_POSTGRESQL
    assert ended is closed
    step.refresh_from_db()
    assert step.state == (StepState.SUCCEEDED if closed else state)
    stored = step.history.get()
    assert (stored.number, stored.outcome, stored.http_status, stored.received) == (
        1,
        AttemptOutcome.SUCCEEDED,
        200,
        {"contactUuid": "C1"},
    )
    recorded = list(
        Event.objects.filter(case=case, kind__startswith="step_").values(
            "kind", "tenant_id", "data"
        )
    )
    expected = {"kind": EventKind.STEP_SUCCEEDED, "tenant_id": case.tenant_id}
    assert recorded == ([{**expected, "data": ended_event(step).data}] if closed else [])


def test_it_stores_an_attempt_and_gives_a_lost_one_its_real_outcome(case):
    step = step_create(case, state=StepState.RUNNING)
    now = timezone.now()
    lost = Attempt.objects.create(
        step=step, number=1, started_at=now, outcome=AttemptOutcome.AMBIGUOUS, sent={"a": "•••"}
    )

    sql.attempt_store(
        Attempt(
            step=step,
            number=1,
            started_at=now,
            finished_at=now,
            outcome=AttemptOutcome.SUCCEEDED,
            http_status=201,
            sent={"a": "•••"},
            received={"contactUuid": "C1"},
        )
    )
    sql.attempt_store(
        Attempt(step=step, number=2, started_at=now, outcome=AttemptOutcome.RETRY, sent=None)
    )

    lost.refresh_from_db()
    assert (lost.outcome, lost.http_status, lost.received) == (
        AttemptOutcome.SUCCEEDED,
        201,
        {"contactUuid": "C1"},
    )
    assert list(step.history.values_list("number", "outcome")) == [
        (1, AttemptOutcome.SUCCEEDED),
        (2, AttemptOutcome.RETRY),
    ]


def test_it_reads_a_case_and_its_steps_in_one_statement(case):
    step_create(case, state=StepState.SUCCEEDED)
    step_create(case, StepKind.SALES, state=StepState.RUNNING)
    Case.objects.filter(pk=case.pk).update(unsent_changes=True)

    with CaptureQueriesContext(connection) as queries:
        read = sql.case_steps(case_id=case.pk)

    assert len(queries) == 1
    assert read is not None
    assert (read.status, read.unsent_changes) == (case.status, True)
    assert read.steps == {
        (1, StepKind.CREATE): StepState.SUCCEEDED,
        (1, StepKind.SALES): StepState.RUNNING,
    }


def test_it_reads_a_case_without_steps_and_no_case_at_all(case):
    read = sql.case_steps(case_id=case.pk)

    assert read is not None
    assert read.steps == {}
    assert sql.case_steps(case_id=case.pk + 1000) is None


def test_it_brings_the_status_in_line_with_the_steps_but_leaves_a_closed_case(case, tenant, rm):
    step_create(case, state=StepState.RUNNING)
    closed = case_create(tenant=tenant, owner=rm)
    step_create(closed, state=StepState.RUNNING)
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CANCELLED)

    assert case_status_refresh(case_id=case.pk) == CaseStatus.SUBMITTED
    assert case_status_refresh(case_id=closed.pk) is None

    statuses = dict(Case.objects.values_list("pk", "status"))
    assert (statuses[case.pk], statuses[closed.pk]) == (
        CaseStatus.SUBMITTED,
        CaseStatus.CANCELLED,
    )
