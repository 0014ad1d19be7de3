"""The officer's review with evidence: documents beside the data, the officer's finding on
each, the approval gate, "Missing document" as a request the RM sees, and voiding."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.cases.lifecycle import CaseStatus
from onboarding.documents.models import ConsentMethod, DocumentKind
from onboarding.documents.services import consent_record, document_remove
from onboarding.kyc.models import DocumentCheck, Review, ReviewState
from onboarding.kyc.services import (
    DocumentsNotVerified,
    document_check,
    review_approve,
    review_assign,
    review_return,
)
from onboarding.submissions.models import Step, StepState
from tests.factories import TenantFactory, staff_create
from tests.kyc.conftest import attach, image_bytes, pdf_bytes
from tests.submissions.conftest import documents_verify, officer_of, steps_drive, submit

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def held(ready_case, rm, sandbox):
    submit(ready_case, rm)
    steps_drive(ready_case, approve=False)
    review = Review.objects.get(case=ready_case, state=ReviewState.WAITING)
    # Taken by the officer who approves: approval asks for that.
    review_assign(review=review, user=officer_of(ready_case.tenant))
    return review


@pytest.fixture
def officer(ready_case):
    return officer_of(ready_case.tenant)


@pytest.fixture
def documents(held, rm):
    case = held.case
    return {
        "front": attach(case, rm, DocumentKind.IDENTITY, title="Cédula, front"),
        "back": attach(case, rm, DocumentKind.IDENTITY, image_bytes((90, 90, 90)), title="back"),
        "address": attach(case, rm, DocumentKind.ADDRESS, pdf_bytes(3), title="Electricity bill"),
    }


def _verify_all(review, officer, documents):
    # The attached ones, and the identity document the filled-in case already carries.
    documents_verify(review, officer)


def _check_url(review, document):
    return reverse("kyc:check", args=[review.pk, document.uid])


def _section(page, start, end):
    return page[page.index(start) : page.index(end, page.index(start))]


def test_it_shows_each_document_beside_the_data_it_proves(client, held, officer, documents, rm):
    consent_record(
        case=held.case,
        user=rm,
        notice_version="2026-03",
        given_at=held.case.created_at.date(),
        method=ConsentMethod.IN_PERSON,
    )
    client.force_login(officer)

    page = client.get(reverse("kyc:review", args=[held.pk])).content.decode()

    identity = _section(page, 'id="evidence-identity"', 'id="evidence-address"')
    assert "First name" in identity
    assert "Date of birth" in identity
    assert "Cédula, front" in identity
    assert reverse("documents:preview", args=[documents["front"].uid, 1]) in identity
    assert reverse("documents:preview", args=[documents["back"].uid, 1]) in identity
    assert str(documents["address"].uid) not in identity
    address = _section(page, 'id="evidence-address"', 'id="evidence-wealth"')
    # The three pages of the bill, each a link: without JavaScript, a plain image each.
    for page_number in (1, 2, 3):
        assert reverse("documents:preview", args=[documents["address"].uid, page_number]) in address
    assert 'data-viewer-action="rotate"' in address
    assert "Not checked yet." in address
    consent = _section(page, 'id="evidence-consent"', "</section>")
    assert "2026-03" in consent
    assert "Given in person" in consent
    assert "4 documents are not verified yet" in page
    assert "js/document-viewer.js" in page


def test_it_shows_an_administrator_which_documents_there_are_but_not_their_images(
    client, held, documents
):
    admin = staff_create(role=Role.ADMIN, tenants=[held.tenant])
    client.force_login(admin)

    page = client.get(reverse("kyc:review", args=[held.pk])).content.decode()

    assert "Proof of address" in page
    assert "Only compliance officers see the documents themselves." in page
    assert "/preview/" not in page
    assert "Cédula, front" not in page
    assert "Record the finding" not in page


def test_it_serves_previews_to_the_officer_and_the_owner(client, held, officer, documents, rm):
    url = reverse("documents:preview", args=[documents["address"].uid, 2])
    client.force_login(officer)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    assert "no-store" in response["Cache-Control"]
    assert (
        client.get(reverse("documents:preview", args=[documents["address"].uid, 4])).status_code
        == 404
    )
    client.force_login(rm)
    assert client.get(url).status_code == 200


def test_it_records_the_officers_finding_with_a_note(client, held, officer, documents):
    client.force_login(officer)
    document = documents["back"]

    response = client.post(
        _check_url(held, document), {"verdict": "illegible", "note": "Blurred corner."}
    )

    assert response.status_code == 302
    assert response.url.endswith(f"#document-{document.uid}")
    check = DocumentCheck.objects.get(review=held, document=document)
    assert (check.verdict, check.note, check.checked_by) == (
        "illegible",
        "Blurred corner.",
        officer,
    )
    page = client.get(reverse("kyc:review", args=[held.pk])).content.decode()
    assert "Illegible</strong>: Blurred corner." in page


def test_it_replaces_a_finding_in_one_statement_keeping_one_row(held, officer, documents):
    document = documents["back"]
    document_check(review=held, document=document, user=officer, verdict="expired", note="Old.")
    first = DocumentCheck.objects.get(review=held, document=document)

    with CaptureQueriesContext(connection) as queries:
        document_check(
            review=held, document=document, user=officer, verdict="verified", note=" Fine. "
        )

    check = DocumentCheck.objects.get(review=held, document=document)
    assert (check.pk, check.verdict, check.note) == (first.pk, "verified", "Fine.")
    assert check.checked_at > first.checked_at
    writes = [q["sql"] for q in queries if "kyc_documentcheck" in q["sql"]]
    assert len(writes) == 1
    assert "ON CONFLICT" in writes[0]


def test_it_answers_htmx_with_the_documents_finding_only(client, held, officer, documents):
    client.force_login(officer)
    document = documents["front"]

    response = client.post(_check_url(held, document), {"verdict": "verified"}, **HTMX)

    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.strip().startswith(f'<div class="document-check" id="check-{document.uid}">')
    assert "Verified</strong>" in fragment
    assert "<html" not in fragment
    # The count of documents still to verify follows, out of band.
    assert '<div id="unverified-notice" hx-swap-oob="true">' in fragment
    assert "3 documents are not verified yet" in fragment
    # Again, with another finding: the one finding is replaced.
    client.post(_check_url(held, document), {"verdict": "expired", "note": "2019"}, **HTMX)
    assert DocumentCheck.objects.get(review=held, document=document).verdict == "expired"


def test_it_refuses_a_finding_that_is_not_one_of_the_four(client, held, officer, documents):
    client.force_login(officer)

    response = client.post(_check_url(held, documents["front"]), {"verdict": "fine"}, **HTMX)

    assert response.status_code == 409
    assert "Choose a finding for the document." in response.content.decode()
    assert not DocumentCheck.objects.exists()


@pytest.mark.parametrize("role", [Role.RELATIONSHIP_MANAGER, Role.ADMIN])
def test_it_lets_only_a_compliance_officer_record_a_finding(client, held, documents, role):
    client.force_login(staff_create(role=role, tenants=[held.tenant]))

    response = client.post(_check_url(held, documents["front"]), {"verdict": "verified"})

    assert response.status_code == 403
    assert not DocumentCheck.objects.exists()


def test_it_hides_another_tenants_review_and_documents(client, held, documents):
    stranger = staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[TenantFactory()])
    client.force_login(stranger)

    response = client.post(_check_url(held, documents["front"]), {"verdict": "verified"})

    assert response.status_code == 404
    assert not DocumentCheck.objects.exists()


def test_it_finds_no_document_of_another_case_in_a_review(client, held, officer, rm, tenant):
    from onboarding.cases.services import case_create

    other = attach(case_create(tenant=tenant, owner=rm), rm, DocumentKind.IDENTITY)
    client.force_login(officer)

    response = client.post(_check_url(held, other), {"verdict": "verified"})

    assert response.status_code == 404


def test_it_answers_a_get_of_the_finding_with_405(client, held, officer, documents):
    client.force_login(officer)

    assert client.get(_check_url(held, documents["front"])).status_code == 405


def test_it_refuses_approval_until_every_document_is_verified(client, held, officer, documents):
    document_check(
        review=held, document=documents["front"], user=officer, verdict="verified", note=""
    )
    document_check(
        review=held, document=documents["back"], user=officer, verdict="expired", note=""
    )
    client.force_login(officer)

    response = client.post(
        reverse("kyc:decide", args=[held.pk]),
        {"decision": "approve", "digest": held.digest, "attest": "yes"},
    )

    page = response.content.decode()
    assert response.status_code == 409
    assert "Verify every document before approving." in page
    assert "Identity document, Proof of address" in page
    held.refresh_from_db()
    assert held.state == ReviewState.WAITING
    assert Step.objects.get(pk=held.step_id).approved_digest == ""


def test_it_approves_once_every_document_is_verified(held, officer, documents):
    with pytest.raises(DocumentsNotVerified):
        review_approve(review=held, user=officer, digest=held.digest, attested=True)
    _verify_all(held, officer, documents)

    review_approve(review=held, user=officer, digest=held.digest, attested=True)

    held.refresh_from_db()
    assert held.state == ReviewState.APPROVED
    seen = {item["uid"] for item in held.documents}
    assert len(seen) == 4
    assert seen >= {str(document.uid) for document in documents.values()}


def test_it_asks_for_a_new_finding_on_a_document_attached_after_the_checks(
    held, officer, documents, rm
):
    _verify_all(held, officer, documents)
    attach(held.case, rm, DocumentKind.WEALTH, title="Payslips")

    with pytest.raises(DocumentsNotVerified, match="Source of wealth"):
        review_approve(review=held, user=officer, digest=held.digest, attested=True)


def test_it_returns_for_missing_documents_naming_them_and_the_rm_sees_that(
    client, held, officer, documents, rm
):
    client.force_login(officer)

    response = client.post(
        reverse("kyc:decide", args=[held.pk]),
        {
            "decision": "return",
            "digest": held.digest,
            "reasons": ["missing_document"],
            "missing": ["address", "wealth"],
            "comment": "",
        },
    )

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.state == ReviewState.RETURNED
    assert held.notes["documents"] == ["address", "wealth"]
    case = held.case
    case.refresh_from_db()
    assert case.status == CaseStatus.RETURNED
    client.force_login(rm)
    page = client.get(reverse("cases:resume", args=[case.pk]), follow=True).content.decode()
    assert "Missing document" in page
    assert "Documents to attach:" in page
    assert "Proof of address, Source of wealth or funds" in page
    assert reverse("case_documents:page", args=[case.pk]) in page


def test_it_refuses_missing_document_without_saying_which(client, held, officer, documents):
    client.force_login(officer)

    response = client.post(
        reverse("kyc:decide", args=[held.pk]),
        {"decision": "return", "digest": held.digest, "reasons": ["missing_document"]},
    )

    assert response.status_code == 422
    assert "Choose which documents are missing." in response.content.decode()


def test_it_adds_the_reason_when_only_the_missing_kinds_are_chosen(held, officer, documents):
    review_return(
        review=held,
        user=officer,
        digest=held.digest,
        reasons=["other"],
        comment="",
        field_notes={},
        missing=["identity", "made-up"],
    )

    held.refresh_from_db()
    assert held.reasons == ["other", "missing_document"]
    assert held.notes["documents"] == ["identity"]


@pytest.fixture
def approved(held, officer, documents):
    _verify_all(held, officer, documents)
    review_approve(review=held, user=officer, digest=held.digest, attested=True)
    held.refresh_from_db()
    assert Step.objects.get(pk=held.step_id).state == StepState.QUEUED
    return held


def _voided_and_held_again(review):
    review.refresh_from_db()
    step = Step.objects.get(pk=review.step_id)
    again = Review.objects.get(step=step, state=ReviewState.WAITING)
    return review.state == ReviewState.VOIDED and step.approved_digest == "" and again


def test_it_voids_an_approval_when_a_document_is_added_after_it(approved, rm, client, officer):
    attach(approved.case, rm, DocumentKind.WEALTH, title="Payslips")

    again = _voided_and_held_again(approved)
    assert again
    assert Step.objects.get(pk=approved.step_id).state == StepState.IN_REVIEW
    client.force_login(officer)
    page = client.get(reverse("kyc:review", args=[again.pk])).content.decode()
    changes = _section(page, 'class="document-changes"', "</ul>")
    assert "Added</strong>: Source of wealth or funds" in changes
    assert "Replaced" not in changes
    assert "Removed" not in changes


def test_it_voids_an_approval_when_a_document_is_replaced_after_it(
    approved, rm, documents, client, officer
):
    attach(
        approved.case,
        rm,
        DocumentKind.IDENTITY,
        image_bytes((10, 200, 10)),
        replacing=documents["back"],
    )

    again = _voided_and_held_again(approved)
    assert again
    client.force_login(officer)
    page = client.get(reverse("kyc:review", args=[again.pk])).content.decode()
    changes = _section(page, 'class="document-changes"', "</ul>")
    assert "Replaced</strong>: Identity document" in changes
    assert "Added" not in changes


def test_it_voids_an_approval_when_a_document_is_removed_after_it(
    approved, rm, documents, client, officer
):
    document_remove(case=approved.case, user=rm, document=documents["address"])

    again = _voided_and_held_again(approved)
    assert again
    client.force_login(officer)
    page = client.get(reverse("kyc:review", args=[again.pk])).content.decode()
    changes = _section(page, 'class="document-changes"', "</ul>")
    assert "Removed</strong>: Proof of address" in changes


def test_it_keeps_an_approval_once_its_step_was_sent(approved, rm):
    steps_drive(approved.case, approve=False)
    assert Step.objects.get(pk=approved.step_id).state == StepState.SUCCEEDED

    attach(approved.case, rm, DocumentKind.OTHER, title="Letter")

    approved.refresh_from_db()
    assert approved.state == ReviewState.APPROVED
