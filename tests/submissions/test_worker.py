import time

import pytest

from onboarding.submissions.models import Step, StepState
from tests.submissions.conftest import reviews_approve, submit
from tests.submissions.workers import worker_environment, worker_start, workers

# A bound for waiting on the worker, so a broken broker fails the test instead of hanging it.
WORKER_WAIT_SECONDS = 120


@pytest.mark.django_db(transaction=True)
def test_it_submits_a_case_through_the_broker_and_a_real_worker(ready_case, rm, sandbox):
    with workers() as started:
        started.append(worker_start(worker_environment(sandbox)))
        submit(ready_case, rm)

        deadline = time.monotonic() + WORKER_WAIT_SECONDS
        compliance = Step.objects.get(case=ready_case, kind="compliance")
        while time.monotonic() < deadline and compliance.state != StepState.SUCCEEDED:
            time.sleep(0.2)
            compliance.refresh_from_db()
            if compliance.state == StepState.IN_REVIEW:
                reviews_approve(ready_case)

    assert compliance.state == StepState.SUCCEEDED
    ready_case.refresh_from_db()
    contacts = sandbox.contacts(ready_case.tenant.altafid_uuid)
    assert [contact["contactUuid"] for contact in contacts] == [ready_case.contact_uuid]
