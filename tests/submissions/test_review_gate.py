"""The four eyes at the moment of sending: the worker checks again that a reviewed step's body
is the one an officer approved."""

import pytest

from onboarding.kyc.models import Review, ReviewState
from onboarding.submissions.models import Step, StepState
from onboarding.submissions.worker import step_run
from tests.submissions.conftest import (
    approve,
    documents_verify,
    officer_of,
    steps_drive,
    submit,
)

pytestmark = pytest.mark.django_db


def test_it_sends_no_body_an_officer_did_not_approve(ready_case, rm, sandbox):
    submit(ready_case, rm)
    steps_drive(ready_case, approve=False)
    review = Review.objects.get(case=ready_case, state=ReviewState.WAITING)
    documents_verify(review, officer_of(ready_case.tenant))
    approve(review, officer_of(ready_case.tenant))
    compliance = Step.objects.get(case=ready_case, kind="compliance")
    assert compliance.state == StepState.QUEUED
    # Changed after the approval, by anything but the review.
    Step.objects.filter(pk=compliance.pk).update(
        payload={**compliance.payload, "annualIncome": "1"}
    )
    puts = sandbox.request_count(path_prefix="/api/contacts/", method="PUT")

    step_run(step_id=compliance.pk)

    compliance.refresh_from_db()
    assert compliance.state == StepState.IN_REVIEW
    assert sandbox.request_count(path_prefix="/api/contacts/", method="PUT") == puts
    review.refresh_from_db()
    assert review.state == ReviewState.VOIDED
    assert (
        Review.objects.get(case=ready_case, state=ReviewState.WAITING).body["annualIncome"] == "1"
    )
    ready_case.refresh_from_db()
    assert ready_case.status == "in_review"
