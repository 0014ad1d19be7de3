"""Approving: the approver has taken the review and attests what they checked; a high-risk
review needs two different officers, neither an author of the case."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from onboarding.accounts.models import Tenant
from onboarding.accounts.roles import Role
from onboarding.audit.models import Event, EventKind
from onboarding.cases.demo import SALES
from onboarding.cases.lifecycle import Section
from onboarding.cases.models import Case, DuplicateDecision, SectionRevision
from onboarding.cases.services import case_section_save
from onboarding.documents.models import Document, DocumentKind
from onboarding.kyc.models import Review, ReviewApproval, ReviewState
from onboarding.kyc.rating import RiskLevel
from onboarding.kyc.services import (
    AlreadyApproved,
    AttestationMissing,
    ReviewNotOpen,
    ReviewNotTaken,
    kyc_authors,
    review_approve,
    review_assign,
)
from onboarding.notices.models import Notice, NoticeKind
from onboarding.submissions.models import Step, StepState
from tests.factories import TenantFactory, staff_create
from tests.kyc.conftest import attach
from tests.submissions.conftest import (
    approve,
    documents_verify,
    officer_of,
    second_officer_of,
    steps_drive,
    submit,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _held(case, rm, *, high=False):
    if high:
        # The demo client is Chilean throughout.
        Tenant.objects.filter(pk=case.tenant_id).update(high_risk_countries="CHL")
    submit(case, rm)
    steps_drive(case, approve=False)
    review = Review.objects.get(case=case, state=ReviewState.WAITING)
    documents_verify(review, officer_of(case.tenant))
    return review


@pytest.fixture
def held(ready_case, rm, sandbox):
    return _held(ready_case, rm)


@pytest.fixture
def high(ready_case, rm, sandbox):
    review = _held(ready_case, rm, high=True)
    assert review.level == RiskLevel.HIGH
    return review


@pytest.fixture
def officer(ready_case):
    return officer_of(ready_case.tenant)


@pytest.fixture
def second(ready_case):
    return second_officer_of(ready_case.tenant)


def _step(review):
    return Step.objects.get(pk=review.step_id)


def test_it_approves_a_review_below_high_risk_with_one_approval(held, officer):
    assert approve(held, officer) is True

    held.refresh_from_db()
    assert held.state == ReviewState.APPROVED
    assert _step(held).state == StepState.QUEUED
    given = ReviewApproval.objects.get(review=held)
    assert (given.officer, given.documents) == (officer, held.documents)
    on_case = Document.objects.filter(case=held.case, removed_at=None).order_by("kind", "uid")
    assert given.documents == [
        {"uid": str(document.uid), "kind": document.kind, "sha256": document.sha256}
        for document in on_case
    ]
    assert given.documents
    approved = Event.objects.get(case=held.case, kind=EventKind.REVIEW_APPROVED)
    assert approved.data == {"review": held.pk, "digest": held.digest, "approvals": 1}
    queued = Event.objects.get(case=held.case, kind=EventKind.STEP_QUEUED, actor=officer)
    assert (queued.pk > approved.pk, queued.created_at) == (True, approved.created_at)
    step = _step(held)
    assert (step.approved_digest, step.approved_by, step.approved_at) == (
        held.digest,
        officer,
        held.decided_at,
    )


def test_it_refuses_an_approval_of_a_review_not_taken(held, officer):
    with pytest.raises(ReviewNotTaken, match="Take this review"):
        review_approve(review=held, user=officer, digest=held.digest, attested=True)

    assert _step(held).state == StepState.IN_REVIEW
    assert not ReviewApproval.objects.exists()


def test_it_refuses_an_approval_of_a_review_another_officer_took(held, officer, second):
    review_assign(review=held, user=second)

    with pytest.raises(ReviewNotOpen, match="Another officer has taken"):
        review_approve(review=held, user=officer, digest=held.digest, attested=True)


def test_it_refuses_an_approval_without_the_attestation(held, officer):
    review_assign(review=held, user=officer)

    with pytest.raises(AttestationMissing, match="every screening hit"):
        review_approve(review=held, user=officer, digest=held.digest, attested=False)

    held.refresh_from_db()
    assert (held.state, held.assignee) == (ReviewState.WAITING, officer)
    assert not ReviewApproval.objects.exists()


@pytest.mark.usefixtures("notices_worker")
def test_it_keeps_a_high_risk_review_waiting_after_the_first_approval(
    high, officer, second, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert approve(high, officer) is False

    high.refresh_from_db()
    assert (high.state, high.assignee, high.decided_at) == (ReviewState.WAITING, None, None)
    step = _step(high)
    assert (step.state, step.approved_digest) == (StepState.IN_REVIEW, "")
    assert [a.officer for a in ReviewApproval.objects.filter(review=high)] == [officer]
    first = Event.objects.get(case=high.case, kind=EventKind.REVIEW_FIRST_APPROVAL)
    assert (first.actor, first.data) == (
        officer,
        {"review": high.pk, "approvals": 1, "needed": 2},
    )
    assert not Event.objects.filter(case=high.case, kind=EventKind.REVIEW_APPROVED).exists()
    # The other officers are told it waits for them.
    assert Notice.objects.filter(
        recipient=second, case=high.case, kind=NoticeKind.REVIEW_WAITING, read_at__isnull=True
    ).exists()


def test_it_seals_and_queues_a_high_risk_review_on_a_second_officers_approval(
    high, officer, second, sandbox
):
    approve(high, officer)

    assert approve(high, second) is True

    high.refresh_from_db()
    assert (high.state, high.decided_by) == (ReviewState.APPROVED, second)
    step = _step(high)
    assert (step.state, step.approved_digest, step.approved_by) == (
        StepState.QUEUED,
        high.digest,
        second,
    )
    approved = Event.objects.get(case=high.case, kind=EventKind.REVIEW_APPROVED)
    assert (approved.actor, approved.data["approvals"]) == (second, 2)
    steps_drive(high.case, approve=False)
    assert _step(high).state == StepState.SUCCEEDED


def test_it_refuses_the_same_officer_approving_twice(high, officer):
    approve(high, officer)

    with pytest.raises(AlreadyApproved, match="second compliance officer"):
        review_approve(review=high, user=officer, digest=high.digest, attested=True)
    # Nor may they take it again, which would keep it from the second officer.
    with pytest.raises(AlreadyApproved):
        review_assign(review=high, user=officer)

    assert ReviewApproval.objects.filter(review=high).count() == 1
    assert _step(high).state == StepState.IN_REVIEW


def test_it_refuses_an_author_of_the_case_as_second_approver(high, officer, ready_case):
    approve(high, officer)
    editor = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[ready_case.tenant])
    Case.objects.filter(pk=ready_case.pk).update(owner=editor)
    ready_case.refresh_from_db()
    # Saved, not submitted: the waiting review stands, and the editor is an author.
    case_section_save(
        case=ready_case,
        section=Section.SALES,
        raw={**SALES, "annual_income": ["91000000"]},
        version=ready_case.version,
        user=editor,
    )
    editor.groups.set([Group.objects.get_or_create(name=Role.COMPLIANCE_OFFICER.value)[0]])
    review_assign(review=high, user=editor)

    with pytest.raises(PermissionDenied, match="another compliance officer"):
        review_approve(review=high, user=editor, digest=high.digest, attested=True)

    assert _step(high).state == StepState.IN_REVIEW


@pytest.mark.parametrize(("linked", "activation_author"), [(False, False), (True, True)])
def test_it_counts_as_authors_those_who_saved_what_reviewed_calls_send(
    ready_case, linked, activation_author
):
    tenant = ready_case.tenant
    sales, activation, refused = (
        staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant]) for _ in range(3)
    )
    for section, author, applied in (
        (Section.SALES, sales, True),
        (Section.ACTIVATION, activation, True),
        (Section.CLIENT, refused, False),
    ):
        SectionRevision.objects.create(
            case=ready_case,
            section=section,
            case_version=1,
            raw={},
            applied=applied,
            saved_by=author,
        )
    if linked:
        Case.objects.filter(pk=ready_case.pk).update(duplicate_decision=DuplicateDecision.LINKED)
        ready_case.refresh_from_db()

    authors = kyc_authors(case=ready_case)

    assert ready_case.owner_id in authors
    assert sales.pk in authors
    assert (activation.pk in authors) is activation_author
    assert refused.pk not in authors


def test_it_voids_a_first_approval_when_the_documents_change(high, officer, second, rm):
    approve(high, officer)

    attach(high.case, rm, DocumentKind.WEALTH, title="Payslips")

    assert not ReviewApproval.objects.filter(review=high).exists()
    voided = Event.objects.get(case=high.case, kind=EventKind.REVIEW_APPROVAL_VOIDED)
    assert voided.data == {"review": high.pk, "officer": officer.pk}
    documents_verify(high, second)
    # The second officer's approval is now a first one again.
    assert approve(high, second) is False


def _approve(client, review, **extra):
    client.post(reverse("kyc:take", args=[review.pk]), {"action": "assign"})
    data = {"decision": "approve", "digest": review.digest, "attest": "yes", **extra}
    return client.post(reverse("kyc:decide", args=[review.pk]), data)


def test_it_records_the_first_approval_through_http_and_says_who_gives_the_second(
    client, high, officer
):
    client.force_login(officer)
    before = client.get(reverse("kyc:review", args=[high.pk])).content.decode()

    response = _approve(client, high)

    assert "0 of 2 approvals" in before
    assert "Give the first approval" in before
    assert response.status_code == 302
    assert response.url == reverse("kyc:queue")
    queue = client.get(reverse("kyc:queue")).content.decode()
    assert "a second compliance officer must approve it too" in queue
    assert f"1 of 2 approvals ({officer})" in queue
    page = client.get(reverse("kyc:review", args=[high.pk])).content.decode()
    assert f"1 of 2 approvals: {officer} (" in page
    assert "You gave the first approval" in page
    assert 'value="approve"' not in page
    assert 'value="assign"' not in page
    assert "You gave the first approval</span>" in queue


def test_it_answers_409_to_the_same_officer_approving_twice_through_http(client, high, officer):
    client.force_login(officer)
    _approve(client, high)

    response = _approve(client, high)

    assert response.status_code == 409
    assert "You already approved this review" in response.content.decode()
    assert ReviewApproval.objects.filter(review=high).count() == 1


def test_it_approves_and_sends_on_the_second_officers_post(client, high, officer, second):
    approve(high, officer)
    client.force_login(second)
    page = client.get(reverse("kyc:review", args=[high.pk])).content.decode()

    response = _approve(client, high)

    assert "Approve and send" in page
    assert response.status_code == 302
    assert _step(high).state == StepState.QUEUED
    assert (
        "Approved: the compliance update is on its way"
        in client.get(reverse("kyc:queue")).content.decode()
    )


def test_it_answers_409_to_an_approval_of_a_review_not_taken(client, held, officer):
    client.force_login(officer)

    response = client.post(
        reverse("kyc:decide", args=[held.pk]),
        {"decision": "approve", "digest": held.digest, "attest": "yes"},
    )

    assert response.status_code == 409
    assert "Take this review (Assign to me) before approving it." in response.content.decode()
    assert _step(held).state == StepState.IN_REVIEW


def test_it_says_so_at_the_attestation_and_keeps_what_was_typed(client, held, officer):
    client.force_login(officer)

    response = _approve(
        client,
        held,
        attest="",
        comment="Looks fine to me.",
        reasons=["other"],
        **{"note:annualIncome": "Matches the payslip."},
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert (
        '<p class="field-error" id="attest-error">Tick that you checked the documents and '
        "every screening hit.</p>"
    ) in page
    assert 'aria-describedby="attest-error"' in page
    assert "Looks fine to me.</textarea>" in page
    assert 'value="Matches the payslip."' in page
    assert 'id="reason-other" checked' in page
    assert _step(held).state == StepState.IN_REVIEW


def test_it_hides_another_tenants_review_from_an_approval(client, high):
    elsewhere = staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[TenantFactory()])
    client.force_login(elsewhere)

    assert _approve(client, high).status_code == 404
    assert not ReviewApproval.objects.exists()


def test_it_refuses_a_get_of_the_decision(client, high, officer):
    client.force_login(officer)

    assert client.get(reverse("kyc:decide", args=[high.pk])).status_code == 405


def test_it_answers_htmx_queue_requests_with_the_approvals(client, high, officer):
    approve(high, officer)
    client.force_login(officer)

    page = client.get(reverse("kyc:queue"), {"rating": "high"}, **HTMX).content.decode()

    assert page.strip().startswith('<div id="results">')
    assert f"1 of 2 approvals ({officer})" in page
