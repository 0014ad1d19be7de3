import pytest
from django.utils import timezone

from onboarding.cases.models import CaseStatus
from onboarding.cases.services import case_create
from onboarding.documents.demo import case_fill
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


def reviews_approve(case):
    """A compliance officer of the case's tenant (not its author) approves what waits, and a
    second one too where the review is rated high risk."""
    from onboarding.kyc.models import Review, ReviewState

    waiting = list(Review.objects.filter(case=case, state=ReviewState.WAITING))
    if not waiting:
        return False
    officer = officer_of(case.tenant)
    for review in waiting:
        documents_verify(review, officer)
        if not approve(review, officer):
            approve(review, second_officer_of(case.tenant))
    return True


def approve(review, officer):
    """The officer takes the review and approves it, attesting what they checked; True once
    the review is approved (False: a first approval of two)."""
    from onboarding.kyc.services import review_approve, review_assign

    review_assign(review=review, user=officer)
    return review_approve(review=review, user=officer, digest=review.digest, attested=True)


def documents_verify(review, officer):
    """The officer records "verified" on every document the review needs, as approval asks."""
    from onboarding.kyc.models import Verdict
    from onboarding.kyc.services import document_check, documents_to_verify

    for document in documents_to_verify(case=review.case):
        document_check(
            review=review, document=document, user=officer, verdict=Verdict.VERIFIED, note=""
        )


def officer_of(case_tenant):
    from onboarding.accounts.models import User
    from onboarding.accounts.roles import Role
    from tests.factories import staff_create

    officer = User.objects.filter(
        groups__name=Role.COMPLIANCE_OFFICER.value, staff_profile__tenants=case_tenant
    ).first()
    return officer or staff_create(
        role=Role.COMPLIANCE_OFFICER, tenants=[case_tenant], email=f"officer-{case_tenant.pk}@x.com"
    )


def second_officer_of(case_tenant):
    """Another compliance officer of the tenant than `officer_of`'s."""
    from onboarding.accounts.models import User
    from onboarding.accounts.roles import Role
    from tests.factories import staff_create

    first = officer_of(case_tenant)
    other = (
        User.objects.filter(
            groups__name=Role.COMPLIANCE_OFFICER.value, staff_profile__tenants=case_tenant
        )
        .exclude(pk=first.pk)
        .first()
    )
    return other or staff_create(
        role=Role.COMPLIANCE_OFFICER,
        tenants=[case_tenant],
        email=f"second-officer-{case_tenant.pk}@x.com",
    )


def steps_drive(case, *, limit=50, approve=True):
    """Runs the case's queued steps now, as a worker would once each countdown is over.

    With `approve`, a compliance officer approves each KYC review the chain stops at.
    """
    for _ in range(limit):
        queued = list(Step.objects.filter(case=case, state=StepState.QUEUED))
        if not queued and not (approve and reviews_approve(case)):
            return
        if not queued:
            continue
        for step in queued:
            Step.objects.filter(pk=step.pk).update(run_after=timezone.now())
            step_run(step_id=step.pk)
    raise AssertionError("steps still queued after the limit")


def states(case):
    return {step.kind: step.state for step in Step.objects.filter(case=case)}


def submit(case, user):
    """Submits the case as its review page would: with the digest of what review shows."""
    return case_submit(case=case, user=user, digest=submission_plan(case=case).digest)
