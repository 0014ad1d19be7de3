import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from onboarding.submissions.models import Step, StepState
from onboarding.submissions.services import case_submit

# A bound for waiting on the worker, so a broken broker fails the test instead of hanging it.
WORKER_WAIT_SECONDS = 120


@pytest.fixture
def worker(sandbox):
    """A real Celery worker process on the test database, talking to the test sandbox."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the test database on a server (DATABASE_URL)")
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "ALTAFID_SANDBOX_PORT": sandbox.base_url.rsplit(":", 1)[1],
    }
    environment.pop("ALTAFID_BASE_URL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "celery", "-A", "onboarding", "worker", "--pool", "threads"),
            *("--concurrency", "2", "--without-gossip", "--without-mingle"),
            *("--without-heartbeat", "--loglevel", "WARNING"),
        ],
        cwd=settings.BASE_DIR,
        env=environment,
    )
    yield process
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_it_submits_a_case_through_the_broker_and_a_real_worker(ready_case, rm, sandbox, worker):
    case_submit(case=ready_case, user=rm)

    deadline = time.monotonic() + WORKER_WAIT_SECONDS
    compliance = Step.objects.get(case=ready_case, kind="compliance")
    while time.monotonic() < deadline and compliance.state != StepState.SUCCEEDED:
        time.sleep(0.2)
        compliance.refresh_from_db()

    assert compliance.state == StepState.SUCCEEDED
    ready_case.refresh_from_db()
    contacts = sandbox.contacts(ready_case.tenant.altafid_uuid)
    assert [contact["contactUuid"] for contact in contacts] == [ready_case.contact_uuid]
