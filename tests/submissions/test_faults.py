"""The pipeline under faults, with real worker processes, the broker and the sandbox over HTTP.

Each test submits many cases, activates each one once its compliance update succeeded (as an
RM would), runs the sweeper as beat would, and checks that every case ends activated with
exactly one contact in Altafid and no step left stuck.
"""

import copy
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db.models import Count

from onboarding.altafid.sandbox.faults import FAULT_KINDS, Faults
from onboarding.cases.demo import rut_for
from onboarding.cases.models import Case
from onboarding.documents.models import Consent
from onboarding.submissions.models import Step, StepKind, StepState
from onboarding.submissions.services import case_activate
from onboarding.submissions.sweeper import steps_sweep
from tests.factories import document_create
from tests.submissions.conftest import reviews_approve, submit
from tests.submissions.workers import (
    worker_environment,
    worker_start,
    workers,
    workers_revive,
)

pytestmark = pytest.mark.django_db(transaction=True)
# A bound on the whole run, so a stuck pipeline fails the test instead of hanging CI.
RUN_BOUND_SECONDS = 600
QUICK_RETRIES = {
    "SUBMISSION_BACKOFF_BASE_SECONDS": "0.05",
    "SUBMISSION_BACKOFF_MAX_SECONDS": "1",
    "SUBMISSION_MAX_ATTEMPTS": "200",
    "SUBMISSION_MAX_SECONDS": "900",
    "CELERY_TASK_SOFT_TIME_LIMIT": "8",
    "CELERY_TASK_TIME_LIMIT": "10",
    "SUBMISSION_LEASE_SECONDS": "12",
}


@pytest.fixture(autouse=True)
def _quick_sweeps(settings):
    settings.SUBMISSION_SWEEP_GRACE_SECONDS = 3


def cases_ready(case: Case, count: int) -> list[Case]:
    """`count` copies of a ready case, each client a person of their own (e-mail and RUT)."""
    copies = []
    for number in range(count):
        drafts = copy.deepcopy(case.drafts)
        email = f"client-{number}@example.com"
        drafts["client"]["preferred_email"] = [email]
        drafts["client"]["identity_id"] = [rut_for(number)]
        copies.append(
            Case(
                tenant=case.tenant,
                owner=case.owner,
                client_name=case.client_name,
                client_email=email,
                status=case.status,
                current_section=case.current_section,
                drafts=drafts,
                section_states=case.section_states,
            )
        )
    made = Case.objects.bulk_create(copies)
    consent = Consent.objects.filter(case=case).first()
    assert consent is not None
    for copied in made:
        document_create(case=copied, user=case.owner)
        Consent.objects.create(
            case=copied,
            notice_version=consent.notice_version,
            given_at=consent.given_at,
            method=consent.method,
            recorded_by=case.owner,
        )
    return made


def run_to_activation(
    cases: list[Case],
    rm,
    *,
    midway: Callable[[], None] | None = None,
    each_round: Callable[[], None] | None = None,
) -> None:
    for case in cases:
        submit(case, rm)
    ids = [case.pk for case in cases]
    total = len(ids) * len(StepKind)
    deadline = time.monotonic() + RUN_BOUND_SECONDS
    activated: set[int] = set()
    while time.monotonic() < deadline:
        steps = Step.objects.filter(case_id__in=ids)
        done = steps.filter(state=StepState.SUCCEEDED).count()
        if done == total:
            return
        stuck = list(steps.filter(state__in=[StepState.FAILED, StepState.NEEDS_ATTENTION]))
        assert stuck == [], [(s, s.last_error) for s in stuck]
        if midway is not None and done >= total // 3:
            midway()
            midway = None
        # A compliance officer approves each KYC review as the chains reach it.
        held = steps.filter(state=StepState.IN_REVIEW).values("case_id")
        for case in Case.objects.filter(pk__in=held):
            reviews_approve(case)
        ready = steps.filter(kind=StepKind.COMPLIANCE, state=StepState.SUCCEEDED).exclude(
            case_id__in=activated
        )
        for case in Case.objects.filter(pk__in=ready.values("case_id")):
            case_activate(case=case, user=rm)
            activated.add(case.pk)
        steps_sweep()
        if each_round is not None:
            each_round()
        time.sleep(0.5)
    left = Step.objects.filter(case_id__in=ids).exclude(state=StepState.SUCCEEDED)
    summary = sorted(left.values_list("kind", "state").annotate(n=Count("pk")))
    pytest.fail(f"not every step succeeded within {RUN_BOUND_SECONDS}s; left: {summary}")


def assert_exactly_one_contact_each(cases: list[Case], sandbox) -> None:
    contacts = sandbox.contacts(cases[0].tenant.altafid_uuid)
    by_email = {contact["preferredEmail"] for contact in contacts}
    assert len(contacts) == len(cases)
    assert by_email == {case.client_email for case in cases}
    stored = set(
        Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("contact_uuid", flat=True)
    )
    assert stored == {contact["contactUuid"] for contact in contacts}
    assert all(contact["credentialsInitialised"] for contact in contacts)
    assert not Step.objects.exclude(state=StepState.SUCCEEDED).filter(case__in=cases).exists()


def test_it_activates_200_cases_exactly_once_at_a_20_percent_fault_rate(ready_case, rm, sandbox):
    cases = cases_ready(ready_case, 200)
    sandbox.set_faults(Faults(error_rate=0.2, kinds=FAULT_KINDS, retry_after_seconds=1, seed=7))
    environment = worker_environment(sandbox, **QUICK_RETRIES)

    with workers() as started:
        started.append(worker_start(environment, concurrency=8))
        run_to_activation(cases, rm)

    assert_exactly_one_contact_each(cases, sandbox)
    assert sandbox.request_count(path_prefix="/api/v2/contacts/filter") > 0


def test_it_recovers_when_the_worker_is_killed_mid_run(ready_case, rm, sandbox):
    cases = cases_ready(ready_case, 60)
    sandbox.set_faults(Faults(latency_ms=20, seed=3))
    environment = worker_environment(sandbox, **QUICK_RETRIES)

    with workers() as started:
        started.append(worker_start(environment, concurrency=4))

        def kill_and_replace() -> None:
            os.kill(started[0].pid, signal.SIGKILL)
            started[0].wait(timeout=30)
            started.append(worker_start(environment, concurrency=4))

        run_to_activation(cases, rm, midway=kill_and_replace)

    assert started[0].returncode == -signal.SIGKILL
    assert_exactly_one_contact_each(cases, sandbox)


REDIS_SERVER = [
    *(
        shutil.which("redis-server") or "redis-server",
        "--daemonize",
        "yes",
        "--bind",
        "127.0.0.1",
        "-::1",
        "--port",
        "6379",
    ),
    *("--save", "", "--appendonly", "no", "--dir", "/var/lib/redis"),
    *("--logfile", "/var/log/redis/ci.log"),
]


def test_it_recovers_when_redis_restarts_mid_run(ready_case, rm, sandbox):
    if not str(settings.CELERY_BROKER_URL).startswith("redis://127.0.0.1:6379"):
        pytest.skip("restarts the local Redis on 127.0.0.1:6379, the broker CI uses")
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    cases = cases_ready(ready_case, 60)
    sandbox.set_faults(Faults(latency_ms=20, seed=5))
    environment = worker_environment(sandbox, **QUICK_RETRIES)

    cli = shutil.which("redis-cli") or "redis-cli"

    def restart_redis() -> None:
        subprocess.run([cli, "-p", "6379", "shutdown", "nosave"], check=False)
        time.sleep(1)
        subprocess.run(REDIS_SERVER, check=True)
        for _ in range(50):
            if subprocess.run([cli, "-p", "6379", "ping"], capture_output=True).returncode == 0:
                return
            time.sleep(0.1)

    revived = []
    with workers() as started:
        started.append(worker_start(environment, concurrency=4))

        def supervise() -> None:
            revived.append(workers_revive(started, environment, concurrency=4))

        run_to_activation(cases, rm, midway=restart_redis, each_round=supervise)

    assert_exactly_one_contact_each(cases, sandbox)
    assert sum(revived) <= 1  # at most the one worker Redis's restart may have taken down
