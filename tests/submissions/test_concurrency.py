"""Submits that race each other and the worker, on PostgreSQL with real threads and locks."""

import threading
import time

import pytest
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from onboarding.audit.models import Event, EventKind
from onboarding.submissions import sql
from onboarding.submissions.models import Step, StepState
from onboarding.submissions.plans import submission_plan
from onboarding.submissions.worker import step_run
from tests.submissions.conftest import submit

pytestmark = pytest.mark.django_db(transaction=True)
# Long enough for any of these steps; a thread still waiting after it is a test failure.
WAIT_SECONDS = 60


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and deadlocks are PostgreSQL's (DATABASE_URL)")


def _in_thread(work, results, name):
    def run():
        try:
            results[name] = work()
        except Exception as error:  # noqa: BLE001 - the test reports what each thread met
            results[name] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def _someone_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def _until(condition, what):
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.02)


def _submitting_client(rm):
    client = Client(raise_request_exception=False)
    client.force_login(rm)
    return client


@pytest.mark.parametrize(
    ("closing_kind", "following_state"),
    [
        # The next step is queued: the worker writes steps and the audit trail.
        ("create", StepState.QUEUED),
        # The next step is held for review: the worker also moves the case's status.
        ("sales", StepState.IN_REVIEW),
    ],
)
def test_it_lets_a_submit_wait_for_the_worker_closing_a_step_instead_of_deadlocking(
    ready_case, rm, sandbox, monkeypatch, closing_kind, following_state
):
    """The probe's deadlock, staged: the worker closes a step (holding its row and the next
    one's) while a second Submit of the case, sent from the same review page, comes in. Both
    must finish; the late Submit is told the onboarding was submitted meanwhile."""
    seen_digest = submission_plan(case=ready_case).digest
    submit(ready_case, rm)
    if closing_kind == "sales":
        step_run(step_id=Step.objects.get(case=ready_case, kind="create").pk)
    closing_step = Step.objects.get(case=ready_case, kind=closing_kind)
    closing, go_on = threading.Event(), threading.Event()
    real_read = sql.step_waiting_locked

    def go_on_after_the_submit_waits(**kwargs):
        # The step is closed and the next one is locked, in the closing transaction.
        following = real_read(**kwargs)
        if connections["default"].in_atomic_block and not closing.is_set():
            closing.set()
            assert go_on.wait(WAIT_SECONDS)
        return following

    monkeypatch.setattr(sql, "step_waiting_locked", go_on_after_the_submit_waits)
    client = _submitting_client(rm)
    url = reverse("submissions:submit", args=[ready_case.pk])
    results = {}

    running = _in_thread(lambda: step_run(step_id=closing_step.pk), results, "worker")
    _until(closing.is_set, "the worker to close the step")
    submitting = _in_thread(lambda: client.post(url, {"digest": seen_digest}), results, "submit")
    _until(_someone_waits_on_a_lock, "the second Submit to wait for a lock")
    go_on.set()
    running.join(WAIT_SECONDS)
    submitting.join(WAIT_SECONDS)

    assert not isinstance(results["worker"], Exception), results["worker"]
    response = results["submit"]
    assert not isinstance(response, Exception), response
    assert response.status_code == 302, response.status_code
    assert response.url == reverse("submissions:status", args=[ready_case.pk])
    assert Step.objects.get(pk=closing_step.pk).state == StepState.SUCCEEDED
    following = Step.objects.get(case=ready_case, position=closing_step.position + 1)
    assert following.state == following_state
    assert Event.objects.filter(case=ready_case, kind=EventKind.CASE_SUBMITTED).count() == 1


def test_it_lets_an_admins_retry_wait_for_a_submit_holding_the_case(
    ready_case, rm, sandbox, settings, monkeypatch
):
    """A Submit holds the case and is about to lock its steps when an admin retries the
    failed one: the retry waits for the case instead of holding the step the Submit needs."""
    from onboarding.accounts.roles import Role
    from onboarding.operations.services import failure_retry
    from onboarding.submissions import services
    from tests.factories import staff_create

    seen_digest = submission_plan(case=ready_case).digest
    settings.SUBMISSION_MAX_ATTEMPTS = 1
    submit(ready_case, rm)
    step_run(step_id=Step.objects.get(case=ready_case, kind="create").pk)
    sandbox.fail_next("unavailable", method="PUT", path_prefix="/api/contacts")
    failed = Step.objects.get(case=ready_case, kind="sales")
    step_run(step_id=failed.pk)
    admin = staff_create(role=Role.ADMIN, tenants=[ready_case.tenant])
    holding, go_on = threading.Event(), threading.Event()
    real_steps_locked = services._steps_locked

    def steps_locked_once_the_retry_waits(case):
        holding.set()
        assert go_on.wait(WAIT_SECONDS)
        return real_steps_locked(case)

    monkeypatch.setattr(services, "_steps_locked", steps_locked_once_the_retry_waits)
    client = _submitting_client(rm)
    url = reverse("submissions:submit", args=[ready_case.pk])
    results = {}

    submitting = _in_thread(lambda: client.post(url, {"digest": seen_digest}), results, "submit")
    _until(holding.is_set, "the Submit to lock the case")
    retrying = _in_thread(lambda: failure_retry(step=failed, user=admin), results, "retry")
    _until(_someone_waits_on_a_lock, "the retry to wait for a lock")
    go_on.set()
    submitting.join(WAIT_SECONDS)
    retrying.join(WAIT_SECONDS)

    assert not isinstance(results["retry"], Exception), results["retry"]
    response = results["submit"]
    assert not isinstance(response, Exception), response
    assert response.status_code == 302, response.status_code
    assert Step.objects.get(pk=failed.pk).state == StepState.QUEUED


def test_it_submits_once_when_four_submits_of_a_case_arrive_together(ready_case, rm, sandbox):
    """Four clicks at once while a worker runs what they queue: one submission, three
    people told it was submitted meanwhile, no error page."""
    digest = submission_plan(case=ready_case).digest
    url = reverse("submissions:submit", args=[ready_case.pk])
    clients = [_submitting_client(rm) for _ in range(4)]
    together = threading.Barrier(len(clients))
    submitted = threading.Event()
    results = {}

    def post(client):
        together.wait(WAIT_SECONDS)
        response = client.post(url, {"digest": digest})
        return (
            response.status_code,
            response.get("Location"),
            [str(message) for message in get_messages(response.wsgi_request)],
        )

    def run_what_is_queued():
        # A worker: runs each step the moment it is queued, as the broker would hand it over.
        ran = 0
        while not (submitted.is_set() and not _queued(ready_case)):
            for step_id in _queued(ready_case):
                step_run(step_id=step_id)
                ran += 1
            time.sleep(0.005)
        return ran

    running = _in_thread(run_what_is_queued, results, "worker")
    posting = [
        _in_thread(lambda client=client: post(client), results, f"submit {number}")
        for number, client in enumerate(clients)
    ]
    for thread in posting:
        thread.join(WAIT_SECONDS)
    submitted.set()
    running.join(WAIT_SECONDS)

    answers = [results[f"submit {number}"] for number in range(len(clients))]
    assert not isinstance(results["worker"], Exception), results["worker"]
    assert results["worker"] >= 1
    for answer in answers:
        assert not isinstance(answer, Exception), answer
    status_url = reverse("submissions:status", args=[ready_case.pk])
    assert sorted(code for code, _where, _said in answers) == [302] * 4
    assert [where for _code, where, _said in answers] == [status_url] * 4, answers
    said = sorted(" ".join(messages) for _code, _where, messages in answers)
    assert sum("submitted meanwhile" in text for text in said) == 3, said
    assert Event.objects.filter(case=ready_case, kind=EventKind.CASE_SUBMITTED).count() == 1
    assert Step.objects.filter(case=ready_case).count() == 5


def _queued(case):
    return list(Step.objects.filter(case=case, state=StepState.QUEUED).values_list("pk", flat=True))
