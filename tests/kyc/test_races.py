"""KYC decisions racing each other and the RM's Submit, on PostgreSQL with two connections: the
case is locked first, then its step, then its review, by every one of them (`cases.locks`),
so the second waits, then checks what the first decided."""

import pytest

from onboarding.cases.demo import COMPLIANCE
from onboarding.cases.lifecycle import Section
from onboarding.cases.models import Case
from onboarding.cases.services import case_section_save
from onboarding.kyc import services as kyc
from onboarding.kyc.models import Review, ReviewState
from onboarding.kyc.services import ReviewNotOpen, review_approve, review_assign, review_return
from onboarding.submissions import services as submissions
from onboarding.submissions.models import Step, StepState
from onboarding.submissions.plans import submission_plan
from onboarding.submissions.queueing import payload_digest
from onboarding.submissions.services import SubmissionUnderWay, case_activate, case_submit
from tests.cases.races import race  # noqa: F401 - the fixture
from tests.submissions.conftest import documents_verify, officer_of, steps_drive, submit

pytestmark = pytest.mark.django_db(transaction=True)


def _held(case, rm):
    submit(case, rm)
    steps_drive(case, approve=False)
    review = Review.objects.get(case=case, state=ReviewState.WAITING)
    # The documents the case carries are verified: approval asks for that first.
    documents_verify(review, officer_of(case.tenant))
    return review


def _change(case_id, rm, alias):
    case = Case.objects.get(pk=case_id)
    case_section_save(
        case=case,
        section=Section.COMPLIANCE,
        raw={**COMPLIANCE, "alias": [alias]},
        version=case.version,
        user=rm,
    )
    return Case.objects.get(pk=case_id)


def _approving(review, officer):
    def approving():
        review_assign(review=Review.objects.get(pk=review.pk), user=officer)
        return review_approve(
            review=Review.objects.get(pk=review.pk),
            user=officer,
            digest=review.digest,
            attested=True,
        )

    return approving


def _returning(review, officer):
    return lambda: review_return(
        review=Review.objects.get(pk=review.pk),
        user=officer,
        digest=review.digest,
        reasons=["other"],
        comment="Check the alias.",
        field_notes={},
    )


def _submitting(case, rm):
    digest = submission_plan(case=case).digest
    return lambda: case_submit(case=Case.objects.get(pk=case.pk), user=rm, digest=digest)


@pytest.mark.parametrize("first_decides", ["approve", "return"])
def test_it_decides_a_review_once_when_two_officers_decide_it_together(
    race,  # noqa: F811
    ready_case,
    rm,
    sandbox,
    first_decides,
):
    review = _held(ready_case, rm)
    officer = officer_of(ready_case.tenant)
    decisions = {"approve": _approving(review, officer), "return": _returning(review, officer)}
    deciding = race.pause(kyc, "_decide_check")
    first = race.first(decisions[first_decides], at=deciding, name=first_decides)

    later = "return" if first_decides == "approve" else "approve"
    second = race.start(decisions[later], name=later)
    assert race.waits(second), "the second decision did not wait for the first"
    deciding.release()

    first.ok()
    second.refused(ReviewNotOpen)
    review.refresh_from_db()
    step = Step.objects.get(pk=review.step_id)
    if first_decides == "approve":
        assert (review.state, step.state) == (ReviewState.APPROVED, StepState.QUEUED)
    else:
        assert (review.state, step.state) == (ReviewState.RETURNED, StepState.RETURNED)
        assert step.approved_digest == ""


def test_it_refuses_the_rms_new_data_while_the_officer_approves_what_they_saw(
    race,  # noqa: F811
    ready_case,
    rm,
    sandbox,
):
    """The officer approves while the RM submits changed KYC data: the approval (which holds
    the case) goes through with the body the officer saw; the Submit waits, then is told the
    steps are on their way. Neither deadlocks the other."""
    review = _held(ready_case, rm)
    changed = _change(ready_case.pk, rm, "Juanito")
    deciding = race.pause(kyc, "_decide_check")
    approve = race.first(
        _approving(review, officer_of(ready_case.tenant)), at=deciding, name="approve"
    )

    resubmit = race.start(_submitting(changed, rm), name="submit")
    assert race.waits(resubmit), "the Submit did not wait for the approval"
    deciding.release()

    approve.ok()
    resubmit.refused(SubmissionUnderWay)
    review.refresh_from_db()
    step = Step.objects.get(pk=review.step_id)
    assert (review.state, step.state) == (ReviewState.APPROVED, StepState.QUEUED)
    assert step.approved_digest == payload_digest(step.payload) == review.digest
    assert step.payload.get("alias") != "Juanito"


def test_it_refuses_an_approval_of_data_the_rm_is_replacing(
    race,  # noqa: F811
    ready_case,
    rm,
    sandbox,
):
    """The RM's Submit of changed KYC data holds the case when the officer approves the old
    data: the approval waits, then finds its review replaced and approves nothing."""
    review = _held(ready_case, rm)
    changed = _change(ready_case.pk, rm, "Juanito")
    starting = race.pause(submissions, "_first_start")
    resubmit = race.first(_submitting(changed, rm), at=starting, name="submit")

    approve = race.start(_approving(review, officer_of(ready_case.tenant)), name="approve")
    assert race.waits(approve), "the approval did not wait for the Submit"
    starting.release()

    resubmit.ok()
    approve.refused(ReviewNotOpen)
    review.refresh_from_db()
    assert review.state == ReviewState.VOIDED
    again = Review.objects.get(case=ready_case, state=ReviewState.WAITING)
    assert again.body["alias"] == "Juanito"
    step = Step.objects.get(pk=review.step_id)
    assert (step.state, step.approved_digest) == (StepState.IN_REVIEW, "")


def test_it_refuses_to_take_a_review_the_rms_submit_is_replacing(
    race,  # noqa: F811
    ready_case,
    rm,
    sandbox,
):
    """An officer takes the review while the RM's Submit of changed data holds the case: the
    officer waits for the case (not the other way round, which deadlocked), then finds the
    review replaced."""
    review = _held(ready_case, rm)
    changed = _change(ready_case.pk, rm, "Juanito")
    starting = race.pause(submissions, "_first_start")
    resubmit = race.first(_submitting(changed, rm), at=starting, name="submit")

    officer = officer_of(ready_case.tenant)
    take = race.start(
        lambda: review_assign(review=Review.objects.get(pk=review.pk), user=officer), name="take"
    )
    assert race.waits(take), "taking the review did not wait for the Submit"
    starting.release()

    resubmit.ok()
    take.refused(ReviewNotOpen)
    review.refresh_from_db()
    assert (review.state, review.assignee) == (ReviewState.VOIDED, None)


def test_it_refuses_an_amendment_while_the_previous_one_is_being_approved(
    race,  # noqa: F811
    ready_case,
    rm,
    sandbox,
):
    """An amendment's KYC change waits for its review; the RM amends again while the officer
    approves it. The approval holds the case, so the new amendment waits, then is told the
    approved one is on its way: two amendments are never sent side by side."""
    submit(ready_case, rm)
    steps_drive(ready_case)
    case_activate(case=Case.objects.get(pk=ready_case.pk), user=rm)
    steps_drive(ready_case)
    first_change = _change(ready_case.pk, rm, "Juanito")
    submit(first_change, rm)
    steps_drive(first_change, approve=False)
    review = Review.objects.get(case=ready_case, state=ReviewState.WAITING)
    documents_verify(review, officer_of(ready_case.tenant))
    assert review.step.round == 2
    second_change = _change(ready_case.pk, rm, "Juancho")
    deciding = race.pause(kyc, "_decide_check")
    approve = race.first(
        _approving(review, officer_of(ready_case.tenant)), at=deciding, name="approve"
    )

    amend = race.start(_submitting(second_change, rm), name="amend")
    assert race.waits(amend), "the amendment did not wait for the approval"
    deciding.release()

    approve.ok()
    amend.refused(SubmissionUnderWay)
    assert Step.objects.get(pk=review.step_id).state == StepState.QUEUED
    assert not Step.objects.filter(case=ready_case, round=3).exists()
