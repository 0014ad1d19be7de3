"""The failure CSV reads its rows a chunk at a time, in the queue's order."""

import datetime

import pytest

from onboarding.cases.lifecycle import StepKind, StepState
from onboarding.cases.models import Case
from onboarding.operations.services import failures_of_tenant
from onboarding.operations.views import _in_chunks
from onboarding.submissions.models import Step
from tests.factories import TenantFactory, staff_create

pytestmark = pytest.mark.django_db


def test_it_reads_every_failure_in_the_queue_order_across_chunks():
    tenant = TenantFactory()
    rm = staff_create(tenants=[tenant])
    start = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    for number in (3, 0, 4, 1, 2):
        case = Case.objects.create(tenant=tenant, owner=rm, client_name=f"Client {number}")
        Step.objects.create(
            case=case,
            kind=StepKind.SALES,
            position=1,
            state=StepState.FAILED,
            last_error={"status": 400, "retryable": False, "ambiguous": False},
            finished_at=start + datetime.timedelta(minutes=number),
        )
    steps = failures_of_tenant(tenant=tenant)

    read = [step.case.client_name for step in _in_chunks(steps, size=2)]

    assert read == [step.case.client_name for step in steps]
    assert read == ["Client 4", "Client 3", "Client 2", "Client 1", "Client 0"]
