import pytest
from django.utils import timezone

from onboarding.cases.demo import case_fill
from onboarding.cases.models import CaseStatus
from onboarding.cases.services import case_create
from onboarding.submissions.models import Step, StepState
from onboarding.submissions.plans import submission_plan
from onboarding.submissions.services import case_submit
from onboarding.submissions.worker import step_run
from tests.cases.conftest import rm, tenant  # noqa: F401 - fixtures shared with the cases tests


@pytest.fixture
def ready_case(tenant, rm):  # noqa: F811
    case = case_fill(case_create(tenant=tenant, owner=rm), rm)
    assert case.status == CaseStatus.READY
    return case


def steps_drive(case, *, limit=50):
    """Runs the case's queued steps now, as a worker would once each countdown is over."""
    for _ in range(limit):
        queued = list(Step.objects.filter(case=case, state=StepState.QUEUED))
        if not queued:
            return
        for step in queued:
            Step.objects.filter(pk=step.pk).update(run_after=timezone.now())
            step_run(step_id=step.pk)
    raise AssertionError("steps still queued after the limit")


def states(case):
    return {step.kind: step.state for step in Step.objects.filter(case=case)}


def submit(case, user):
    """Submits the case as its review page would: with the digest of what review shows."""
    return case_submit(case=case, user=user, digest=submission_plan(case=case).digest)
