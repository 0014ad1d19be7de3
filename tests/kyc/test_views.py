"""The review pages through HTTP: who gets what, and what each person sees."""

import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.cases.demo import SALES
from onboarding.cases.lifecycle import CaseStatus, Section
from onboarding.cases.models import Case
from onboarding.cases.services import case_section_save
from onboarding.kyc.models import Review, ReviewState
from onboarding.submissions.models import Step, StepState
from tests.factories import TenantFactory, staff_create
from tests.submissions.conftest import documents_verify, officer_of, steps_drive, submit

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def held(ready_case, rm, sandbox):
    submit(ready_case, rm)
    steps_drive(ready_case, approve=False)
    review = Review.objects.get(case=ready_case, state=ReviewState.WAITING)
    # The documents the case carries are verified: approval asks for that first.
    documents_verify(review, officer_of(ready_case.tenant))
    return review


@pytest.fixture
def officer(ready_case):
    return officer_of(ready_case.tenant)


def _return(client, review, **extra):
    data = {
        "decision": "return",
        "digest": review.digest,
        "reasons": ["inconsistent_data"],
        "comment": "The income looks off.",
        "note:annualIncome": "Check the annual income.",
    }
    data.update(extra)
    return client.post(reverse("kyc:decide", args=[review.pk]), data)


def _approve(client, review, **extra):
    """Takes the review and approves it, attesting, as the officer logged in."""
    client.post(reverse("kyc:take", args=[review.pk]), {"action": "assign"})
    data = {"decision": "approve", "digest": review.digest, "attest": "yes", **extra}
    return client.post(reverse("kyc:decide", args=[review.pk]), data)


def test_it_lists_the_waiting_reviews_with_their_count_in_the_navigation(client, held, officer):
    client.force_login(officer)

    response = client.get(reverse("kyc:queue"))

    page = response.content.decode()
    assert response.status_code == 200
    assert held.case.client_name in page
    assert reverse("kyc:review", args=[held.pk]) in page
    assert '<span class="nav-count">1<' in page
    assert "Assign to me" in page


def test_it_answers_htmx_with_the_queue_results_only(client, held, officer):
    client.force_login(officer)

    response = client.get(reverse("kyc:queue"), {"flag": "pep"}, **HTMX)

    page = response.content.decode()
    assert page.strip().startswith('<div id="results">')
    assert held.case.client_name not in page


def test_it_shows_the_kyc_data_the_flags_and_the_exact_body(client, held, officer):
    client.force_login(officer)

    response = client.get(reverse("kyc:review", args=[held.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Registro Civil" in page
    assert "Viña Andes SpA" in page
    assert "Sales data" in page
    assert "&quot;identityDocuments&quot;" in page
    assert "Approve and send" in page
    assert f'name="digest" value="{held.digest}"' in page


@pytest.mark.parametrize("name", ["kyc:queue", "kyc:review"])
def test_it_refuses_relationship_managers(client, held, rm, name):
    client.force_login(rm)
    args = [held.pk] if name == "kyc:review" else []

    response = client.get(reverse(name, args=args))

    assert response.status_code == 403


def test_it_hides_another_tenants_review(client, held):
    elsewhere = staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[TenantFactory()])
    client.force_login(elsewhere)

    response = client.get(reverse("kyc:review", args=[held.pk]))
    decided = client.post(
        reverse("kyc:decide", args=[held.pk]),
        {"decision": "approve", "digest": held.digest, "attest": "yes"},
    )

    assert response.status_code == 404
    assert decided.status_code == 404
    assert Step.objects.get(pk=held.step_id).state == StepState.IN_REVIEW


def test_it_refuses_an_approval_by_the_rm_through_http(client, held, rm):
    client.force_login(rm)

    response = client.post(
        reverse("kyc:decide", args=[held.pk]),
        {"decision": "approve", "digest": held.digest, "attest": "yes"},
    )

    assert response.status_code == 403
    assert Step.objects.get(pk=held.step_id).state == StepState.IN_REVIEW


def test_it_refuses_an_approval_by_an_officer_who_edited_the_kyc_data(client, held, ready_case):
    editor = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[ready_case.tenant])
    Case.objects.filter(pk=ready_case.pk).update(owner=editor)
    ready_case.refresh_from_db()
    case_section_save(
        case=ready_case,
        section=Section.SALES,
        raw={**SALES, "annual_income": ["91000000"]},
        version=ready_case.version,
        user=editor,
    )
    from django.contrib.auth.models import Group

    editor.groups.set([Group.objects.get_or_create(name=Role.COMPLIANCE_OFFICER.value)[0]])
    client.force_login(editor)

    page = client.get(reverse("kyc:review", args=[held.pk])).content.decode()
    response = client.post(
        reverse("kyc:decide", args=[held.pk]),
        {"decision": "approve", "digest": held.digest, "attest": "yes"},
    )

    assert "another compliance officer must approve it" in page
    assert "Approve and send" not in page
    assert response.status_code == 403
    assert "another compliance officer" in response.content.decode()
    assert Step.objects.get(pk=held.step_id).state == StepState.IN_REVIEW


def test_it_approves_and_queues_the_compliance_update(client, held, officer):
    client.force_login(officer)

    response = _approve(client, held)

    assert response.status_code == 302
    assert response.url == reverse("kyc:queue")
    assert Step.objects.get(pk=held.step_id).state == StepState.QUEUED


def test_it_shows_who_approved_on_the_status_page(client, held, officer, rm):
    client.force_login(officer)
    _approve(client, held)
    client.force_login(rm)

    page = client.get(reverse("submissions:status", args=[held.case_id])).content.decode()

    assert f"Approved by {officer}" in page


def test_it_keeps_the_page_and_says_why_when_a_return_has_no_reason(client, held, officer):
    client.force_login(officer)

    response = _return(client, held, reasons=[])

    assert response.status_code == 422
    assert "Choose at least one reason." in response.content.decode()
    assert Review.objects.get(pk=held.pk).state == ReviewState.WAITING


def test_it_shows_a_return_to_the_rm_on_the_section_and_in_the_list(client, held, officer, rm):
    client.force_login(officer)
    _return(client, held)
    client.force_login(rm)

    section = client.get(reverse("cases:section", args=[held.case_id, "sales"]))
    listed = client.get(reverse("cases:list"))

    page = section.content.decode()
    assert "returned this onboarding" in page
    assert "Inconsistent data" in page
    assert "The income looks off." in page
    assert "Check the annual income." in page
    assert 'class="review-note"' in page
    assert "thing still blocks" not in page
    assert 'value="resubmit"' in page
    assert "Returned: 1 to fix" in listed.content.decode()
    assert Case.objects.get(pk=held.case_id).status == CaseStatus.RETURNED


def test_it_saves_and_sends_a_returned_case_back_for_review_with_one_button(
    client, held, officer, rm
):
    client.force_login(officer)
    _return(client, held)
    client.force_login(rm)
    case = Case.objects.get(pk=held.case_id)
    data = {**SALES, "annual_income": ["95000000"], "version": case.version}

    response = client.post(
        reverse("cases:section", args=[case.pk, "sales"]), {**data, "action": "resubmit"}
    )

    assert response.status_code == 302
    assert response.url == reverse("submissions:status", args=[case.pk])
    again = Review.objects.get(case_id=case.pk, state=ReviewState.WAITING)
    assert again.body["annualIncome"] == "95000000"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW


def test_it_keeps_a_returned_case_with_its_rm_while_a_section_blocks(client, held, officer, rm):
    client.force_login(officer)
    _return(client, held)
    client.force_login(rm)
    case = Case.objects.get(pk=held.case_id)
    data = {**SALES, "annual_income": ["lots"], "version": case.version, "action": "resubmit"}

    response = client.post(reverse("cases:section", args=[case.pk, "sales"]), data, **HTMX)

    assert response.headers["HX-Redirect"] == reverse("cases:section", args=[case.pk, "sales"])
    assert not Review.objects.filter(case_id=case.pk, state=ReviewState.WAITING).exists()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RETURNED


def test_it_shows_the_difference_against_the_last_review(client, held, officer, rm, ready_case):
    client.force_login(officer)
    _return(client, held)
    ready_case.refresh_from_db()
    case = case_section_save(
        case=ready_case,
        section=Section.SALES,
        raw={**SALES, "annual_income": ["95000000"]},
        version=ready_case.version,
        user=rm,
    ).case
    submit(case, rm)
    again = Review.objects.get(case=case, state=ReviewState.WAITING)

    page = client.get(reverse("kyc:review", args=[again.pk])).content.decode()
    admin = staff_create(role=Role.ADMIN, tenants=[case.tenant])
    client.force_login(admin)
    masked = client.get(reverse("kyc:review", args=[again.pk])).content.decode()

    assert "Changed since the last review" in page
    assert "The KYC data sent again, after the review of" in page
    assert "The first KYC data sent to Altafid" not in page
    assert (
        '<td class="diff-old">CLP\xa090,000,000</td><td class="diff-new">CLP\xa095,000,000</td>'
        in page
    )
    decided = client.get(reverse("kyc:review", args=[held.pk])).content.decode()
    assert "Waiting since" not in decided
    assert "Decided</dt>" in decided
    changes = masked.split("Changed since the last review")[1].split("</table>")[0]
    assert "95,000,000</td>" not in changes
    assert '<td class="diff-new">changed</td>' in masked
    assert "Approve and send" not in masked


def test_it_takes_and_releases_a_review(client, held, officer):
    client.force_login(officer)

    client.post(reverse("kyc:take", args=[held.pk]), {"action": "assign", "next": "queue"})
    assert Review.objects.get(pk=held.pk).assignee == officer
    client.post(reverse("kyc:take", args=[held.pk]), {"action": "release"})

    assert Review.objects.get(pk=held.pk).assignee is None


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("kyc:queue", "post"),
        ("kyc:review", "post"),
        ("kyc:take", "get"),
        ("kyc:decide", "get"),
    ],
)
def test_it_refuses_the_wrong_method(client, held, officer, name, method):
    client.force_login(officer)
    args = [] if name == "kyc:queue" else [held.pk]

    response = getattr(client, method)(reverse(name, args=args))

    assert response.status_code == 405


def test_it_shows_what_changed_since_an_approval_that_a_later_edit_voided(
    client, held, officer, rm, ready_case
):
    client.force_login(officer)
    _approve(client, held)
    # Altafid refused the approved update; the RM corrects a figure and submits again.
    Step.objects.filter(pk=held.step_id).update(state=StepState.FAILED)
    ready_case.refresh_from_db()
    case = case_section_save(
        case=ready_case,
        section=Section.SALES,
        raw={**SALES, "total_net_worth": ["360000000"]},
        version=ready_case.version,
        user=rm,
    ).case
    submit(case, rm)
    again = Review.objects.get(case=case, state=ReviewState.WAITING)

    page = client.get(reverse("kyc:review", args=[again.pk])).content.decode()

    assert Review.objects.get(pk=held.pk).state == ReviewState.VOIDED
    assert "Voided by a change" in page
    changes = page.split("Changed since the last review")[1].split("</table>")[0]
    assert (
        '<td class="diff-old">CLP\xa0350,000,000</td><td class="diff-new">CLP\xa0360,000,000</td>'
        in changes
    )
    assert changes.count('class="diff-new"') == 1


def test_it_shows_amounts_and_dates_in_the_officers_language(client, held, officer):
    client.force_login(officer)
    client.post(reverse("set_language"), {"language": "es"})

    page = client.get(reverse("kyc:review", args=[held.pk])).content.decode()

    assert "$90.000.000" in page
    assert "20 may 1980" in page
    assert "90000000</td>" not in page


def test_it_shows_the_tenants_codes_and_the_rows_by_their_labels(client, held, officer):
    client.force_login(officer)

    page = client.get(reverse("kyc:review", args=[held.pk])).content.decode()

    assert "conSource001" not in page.split("<details")[0]
    assert "CHILE_RUT_CARD" not in page.split("<details")[0]
    assert ">Avenida Apoquindo, 3000, Chile, Santiago, Home<" in page
    assert ">Chile<" in page


@pytest.mark.parametrize(
    "params",
    [
        {"age": "99999999999999999999"},
        {"age": "-5", "rm": "99999999999999999999"},
        {"rm": "²", "flag": "\x00", "assigned": "\u202e"},
        {"age": "1e400"},
    ],
)
def test_it_lists_the_queue_whatever_its_filters_hold(client, held, officer, params):
    client.force_login(officer)

    response = client.get(reverse("kyc:queue"), params)

    assert response.status_code == 200
    assert held.case.client_name in response.content.decode()


def test_it_returns_a_review_with_control_characters_in_its_notes(client, held, officer):
    client.force_login(officer)

    response = _return(
        client,
        held,
        comment="Income\x00 looks off\x1b.",
        **{"note:annual\x00Income": "Check\x00 it.", "note:\u202eincome": "And this."},
    )

    assert response.status_code == 302
    review = Review.objects.get(pk=held.pk)
    assert review.state == ReviewState.RETURNED
    assert review.notes["comment"] == "Income looks off."
    assert "\x00" not in str(review.notes)
