"""The four-eyes KYC review: where the chain stops, who may decide, and what an approval seals."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from onboarding.accounts.roles import Role
from onboarding.audit.models import Event, EventKind
from onboarding.cases.demo import COMPLIANCE, SALES
from onboarding.cases.lifecycle import CaseStatus, Section
from onboarding.cases.models import Case
from onboarding.cases.services import case_section_save
from onboarding.kyc.flags import Flag, flags_of
from onboarding.kyc.models import Review, ReviewState
from onboarding.kyc.services import (
    ReviewNotOpen,
    review_approve,
    review_assign,
    review_release,
    review_return,
    reviews_waiting,
)
from onboarding.submissions.models import Step, StepState
from onboarding.submissions.queueing import payload_digest
from onboarding.submissions.services import case_activate
from tests.factories import TenantFactory, staff_create
from tests.submissions.conftest import (
    approve,
    documents_verify,
    officer_of,
    states,
    steps_drive,
    submit,
)

pytestmark = pytest.mark.django_db


def _held(case, rm):
    submit(case, rm)
    steps_drive(case, approve=False)
    return Review.objects.get(case=case, state=ReviewState.WAITING)


def _save(case, section, raw, user):
    case.refresh_from_db()
    return case_section_save(
        case=case, section=section, raw=raw, version=case.version, user=user
    ).case


def test_it_stops_the_chain_before_the_compliance_update_until_approved(ready_case, rm, sandbox):
    review = _held(ready_case, rm)

    assert states(ready_case) == {
        "create": "succeeded",
        "sales": "succeeded",
        "compliance": "in_review",
        "primary_email": "waiting",
        "credentials": "waiting",
    }
    assert Case.objects.get(pk=ready_case.pk).status == CaseStatus.IN_REVIEW
    compliance = Step.objects.get(case=ready_case, kind="compliance")
    assert review.step == compliance
    assert review.body == compliance.payload
    assert review.digest == payload_digest(compliance.payload)
    assert [r.pk for r in reviews_waiting(tenant=ready_case.tenant)] == [review.pk]
    assert sandbox.request_count(path_prefix="/api/contacts/", method="PUT") == 1


def test_it_sends_exactly_the_approved_body_once_approved(ready_case, rm, sandbox):
    review = _held(ready_case, rm)
    officer = officer_of(ready_case.tenant)

    documents_verify(review, officer)
    approve(review, officer)

    compliance = Step.objects.get(case=ready_case, kind="compliance")
    assert compliance.state == StepState.QUEUED
    assert compliance.approved_by == officer
    assert compliance.approved_digest == review.digest
    review.refresh_from_db()
    assert (review.state, review.decided_by) == (ReviewState.APPROVED, officer)
    steps_drive(ready_case, approve=False)
    assert Step.objects.get(case=ready_case, kind="compliance").state == StepState.SUCCEEDED
    contact = sandbox.contacts(ready_case.tenant.altafid_uuid)[0]
    for key in ("annualIncome", "identityDocuments", "employmentHistory", "relatedToPEP"):
        assert contact[key] == review.body[key]
    case_activate(case=ready_case, user=rm)
    steps_drive(ready_case, approve=False)
    assert Case.objects.get(pk=ready_case.pk).status == CaseStatus.ACTIVATED


def test_it_refuses_an_approval_by_someone_who_edited_the_kyc_data(ready_case, rm, sandbox):
    review = _held(ready_case, rm)
    # Someone who saved a KYC section as an RM and became a compliance officer since.
    turncoat = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[ready_case.tenant])
    Case.objects.filter(pk=ready_case.pk).update(owner=turncoat)
    _save(ready_case, Section.COMPLIANCE, {**COMPLIANCE, "alias": ["Juanito"]}, turncoat)
    turncoat.groups.set([Group.objects.get_or_create(name=Role.COMPLIANCE_OFFICER.value)[0]])
    Case.objects.filter(pk=ready_case.pk).update(owner=rm)

    with pytest.raises(PermissionDenied, match="another compliance officer"):
        review_approve(review=review, user=turncoat, digest=review.digest, attested=True)

    assert Step.objects.get(case=ready_case, kind="compliance").state == StepState.IN_REVIEW


def test_it_lets_only_compliance_officers_of_the_tenant_decide(ready_case, rm, sandbox):
    review = _held(ready_case, rm)
    admin = staff_create(role=Role.ADMIN, tenants=[ready_case.tenant])
    elsewhere = staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[TenantFactory()])

    for person in (rm, admin, elsewhere):
        with pytest.raises(PermissionDenied):
            review_approve(review=review, user=person, digest=review.digest, attested=True)

    review.refresh_from_db()
    assert review.state == ReviewState.WAITING


def test_it_refuses_an_approval_of_a_page_shown_before_a_change(ready_case, rm, sandbox):
    review = _held(ready_case, rm)

    with pytest.raises(ReviewNotOpen):
        review_approve(
            review=review, user=officer_of(ready_case.tenant), digest="0" * 64, attested=True
        )

    assert Step.objects.get(case=ready_case, kind="compliance").state == StepState.IN_REVIEW


def test_it_returns_to_the_rm_and_opens_a_new_review_when_they_resubmit(ready_case, rm, sandbox):
    review = _held(ready_case, rm)
    officer = officer_of(ready_case.tenant)

    review_return(
        review=review,
        user=officer,
        digest=review.digest,
        reasons=["missing_document", "other"],
        comment="Please add the passport.",
        field_notes={"identityDocuments": "Add the passport too.", "alias": ""},
        missing=["identity"],
    )

    review.refresh_from_db()
    assert review.state == ReviewState.RETURNED
    assert review.notes == {
        "comment": "Please add the passport.",
        "fields": {"identityDocuments": "Add the passport too."},
        "documents": ["identity"],
    }
    assert Case.objects.get(pk=ready_case.pk).status == CaseStatus.RETURNED
    assert Step.objects.get(case=ready_case, kind="compliance").state == StepState.RETURNED

    case = _save(ready_case, Section.COMPLIANCE, {**COMPLIANCE, "alias": ["Juanito"]}, rm)
    submit(case, rm)

    again = Review.objects.get(case=case, state=ReviewState.WAITING)
    assert again.pk != review.pk
    assert again.body["alias"] == "Juanito"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW
    kinds = list(
        Event.objects.filter(case=case, kind__startswith="review_")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        EventKind.REVIEW_REQUESTED,
        EventKind.REVIEW_RETURNED,
        EventKind.REVIEW_REQUESTED,
    ]


def test_it_needs_a_reason_to_return(ready_case, rm, sandbox):
    review = _held(ready_case, rm)

    with pytest.raises(ReviewNotOpen):
        review_return(
            review=review,
            user=officer_of(ready_case.tenant),
            digest=review.digest,
            reasons=[],
            comment="",
            field_notes={},
        )


def test_it_voids_an_approval_when_the_data_changes_before_it_is_sent(ready_case, rm, sandbox):
    review = _held(ready_case, rm)
    officer = officer_of(ready_case.tenant)
    documents_verify(review, officer)
    approve(review, officer)
    # Altafid refused the compliance update: the RM fixes the data and submits again.
    Step.objects.filter(case=ready_case, kind="compliance").update(state=StepState.FAILED)
    case = _save(ready_case, Section.SALES, {**SALES, "annual_income": ["95000000"]}, rm)

    submit(case, rm)

    review.refresh_from_db()
    assert review.state == ReviewState.VOIDED
    compliance = Step.objects.get(case=case, kind="compliance")
    assert (compliance.state, compliance.approved_digest) == (StepState.IN_REVIEW, "")
    again = Review.objects.get(case=case, state=ReviewState.WAITING)
    assert again.body["annualIncome"] == "95000000"
    assert Event.objects.filter(case=case, kind=EventKind.REVIEW_VOIDED).count() == 1


def test_it_sends_an_unchanged_approved_body_again_without_a_new_review(ready_case, rm, sandbox):
    review = _held(ready_case, rm)
    documents_verify(review, officer_of(ready_case.tenant))
    approve(review, officer_of(ready_case.tenant))
    Step.objects.filter(case=ready_case, kind="compliance").update(state=StepState.FAILED)

    submit(ready_case, rm)

    assert Step.objects.get(case=ready_case, kind="compliance").state == StepState.QUEUED
    assert Review.objects.filter(case=ready_case).count() == 1


def test_it_reviews_an_amendment_of_kyc_data_but_not_one_of_sales_data_only(
    ready_case, rm, sandbox
):
    submit(ready_case, rm)
    steps_drive(ready_case)
    case_activate(case=ready_case, user=rm)
    steps_drive(ready_case)

    case = _save(ready_case, Section.SALES, {**SALES, "stage_name": ["conStage001"]}, rm)
    submit(case, rm)
    steps_drive(case, approve=False)
    assert not Review.objects.filter(case=case, state=ReviewState.WAITING).exists()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACTIVATED

    case = _save(case, Section.COMPLIANCE, {**COMPLIANCE, "alias": ["Juanito"]}, rm)
    submit(case, rm)
    steps_drive(case, approve=False)

    review = Review.objects.get(case=case, state=ReviewState.WAITING)
    assert review.step.round == 3
    assert review.body == {"alias": "Juanito"}
    assert review.picture["alias"] == "Juanito"
    assert review.picture["firstName"] == "Juan"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW
    documents_verify(review, officer_of(case.tenant))
    approve(review, officer_of(case.tenant))
    steps_drive(case, approve=False)
    assert sandbox.contacts(case.tenant.altafid_uuid)[0]["alias"] == "Juanito"


def test_it_lets_one_officer_take_a_review_and_release_it(ready_case, rm, sandbox):
    review = _held(ready_case, rm)
    carla = officer_of(ready_case.tenant)
    other = staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[ready_case.tenant])

    review_assign(review=review, user=carla)
    with pytest.raises(ReviewNotOpen):
        review_assign(review=review, user=other)
    with pytest.raises(ReviewNotOpen):
        review_approve(review=review, user=other, digest=review.digest, attested=True)
    with pytest.raises(ReviewNotOpen):
        review_release(review=review, user=other)
    review_release(review=review, user=carla)
    review_assign(review=review, user=other)

    review.refresh_from_db()
    assert review.assignee == other
    kinds = Event.objects.filter(case=ready_case, kind__in=["review_assigned", "review_released"])
    assert kinds.count() == 3


def test_it_filters_the_queue(ready_case, rm, sandbox):
    review = _held(ready_case, rm)
    tenant = ready_case.tenant
    Review.objects.filter(pk=review.pk).update(
        opened_at=review.opened_at - datetime.timedelta(days=4)
    )

    assert list(reviews_waiting(tenant=tenant, older_than_days=3)) == [review]
    assert list(reviews_waiting(tenant=tenant, older_than_days=7)) == []
    assert list(reviews_waiting(tenant=tenant, owner_id=rm.pk)) == [review]
    assert list(reviews_waiting(tenant=tenant, assigned="nobody")) == [review]
    assert list(reviews_waiting(tenant=tenant, flag=Flag.PEP)) == []


FULL = {
    "relatedToPEP": False,
    "directorOrTenPercentShareholder": False,
    "dateOfBirth": "1980-05-20",
    "identityDocuments": [
        {"specificationData": {"specificationType": "CHILE_RUT_CARD", "identityId": "12345678-5"}}
    ],
    "primaryCountryOfCitizenship": "CHL",
    "countryOfBirth": "CHL",
    "annualIncome": "90000000",
    "liquidNetWorth": "300000000",
    "totalNetWorth": "350000000",
}
TODAY = datetime.date(2026, 12, 3)


def _flags(picture, *, elsewhere=False, risky=()):
    return flags_of(
        picture, identity_elsewhere=elsewhere, high_risk_countries=set(risky), today=TODAY
    )


def test_it_raises_no_flag_on_an_ordinary_client():
    assert _flags(FULL) == {}


@pytest.mark.parametrize(
    ("change", "flag", "fields"),
    [
        ({"relatedToPEP": True}, Flag.PEP, ["relatedToPEP"]),
        ({"pepEntries": [{"name": "X"}]}, Flag.PEP, ["pepEntries"]),
        (
            {"directorOrTenPercentShareholder": True},
            Flag.DIRECTOR,
            ["directorOrTenPercentShareholder"],
        ),
        ({"dateOfBirth": "2008-12-04"}, Flag.MINOR, ["dateOfBirth"]),
        ({"identityDocuments": []}, Flag.NO_IDENTITY_DOCUMENT, ["identityDocuments"]),
        (
            {
                "identityDocuments": [
                    {
                        "specificationData": {
                            "specificationType": "CHILE_RUT_CARD",
                            "identityId": "12345678-9",
                        }
                    }
                ]
            },
            Flag.IDENTITY_CHECK_DIGIT,
            ["identityDocuments"],
        ),
        (
            {"liquidNetWorth": "400000000"},
            Flag.LIQUID_ABOVE_TOTAL,
            ["liquidNetWorth", "totalNetWorth"],
        ),
        ({"annualIncome": None}, Flag.WEALTH_MISSING, ["annualIncome"]),
        ({"totalNetWorth": None, "liquidNetWorth": None}, Flag.WEALTH_MISSING, ["totalNetWorth"]),
    ],
)
def test_it_raises_each_flag_from_the_field_it_comes_from(change, flag, fields):
    assert _flags({**FULL, **change}) == {flag: fields}


def test_it_flags_an_identity_number_used_elsewhere_and_high_risk_countries():
    assert _flags(FULL, elsewhere=True) == {Flag.IDENTITY_ELSEWHERE: ["identityDocuments"]}
    assert _flags({**FULL, "countryOfBirth": "PRK"}, risky={"PRK"}) == {
        Flag.HIGH_RISK_COUNTRY: ["countryOfBirth"]
    }


def test_it_counts_an_18th_birthday_as_adult():
    assert _flags({**FULL, "dateOfBirth": "2008-12-03"}) == {}


def test_it_stores_the_flags_for_the_queue_filter(tenant, rm, sandbox, settings):
    from onboarding.cases.services import case_create
    from onboarding.documents.demo import case_fill, sample_jpeg
    from onboarding.documents.models import DocumentKind
    from onboarding.documents.services import document_attach

    settings.KYC_HIGH_RISK_COUNTRIES = frozenset({"CHL"})
    case = case_fill(case_create(tenant=tenant, owner=rm), rm)
    pep = {"related_to_pep": ["on"], "peps-0-name": ["María Pérez"], "peps-0-position": ["Mayor"]}
    _save(case, Section.COMPLIANCE, {**COMPLIANCE, **pep}, rm)
    case.refresh_from_db()
    document_attach(case=case, user=rm, kind=DocumentKind.WEALTH, data=sample_jpeg())

    review = _held(case, rm)

    assert set(review.flag_codes) == {Flag.PEP, Flag.HIGH_RISK_COUNTRY}
    assert list(reviews_waiting(tenant=tenant, flag=Flag.PEP)) == [review]


def test_it_takes_a_cancelled_submission_out_of_the_queue(ready_case, rm, sandbox):
    from onboarding.submissions.services import submission_cancel

    review = _held(ready_case, rm)
    admin = staff_create(role=Role.ADMIN, tenants=[ready_case.tenant])

    submission_cancel(case=ready_case, user=admin)

    review.refresh_from_db()
    assert review.state == ReviewState.VOIDED
    assert list(reviews_waiting(tenant=ready_case.tenant)) == []
    with pytest.raises(ReviewNotOpen):
        review_approve(
            review=review, user=officer_of(ready_case.tenant), digest=review.digest, attested=True
        )
