"""A case compliance returned leads its RM to the fix: it opens on the first section with a
note, each note links to its field, and one button sends every change since the return."""

import re

import pytest
from django.urls import reverse

from onboarding.cases.demo import COMPLIANCE, SALES
from onboarding.cases.lifecycle import CaseStatus, Section, StepKind, StepState
from onboarding.cases.models import Case
from onboarding.cases.services import case_section_save
from onboarding.kyc.models import Review, ReviewState
from onboarding.kyc.presenters import notes_placed
from onboarding.kyc.services import review_return, review_returned
from onboarding.notices.models import Notice, NoticeKind
from onboarding.notices.services import notice_target
from onboarding.submissions.models import Step
from onboarding.submissions.plans import submission_plan
from tests.submissions.conftest import officer_of, steps_drive, submit

pytestmark = pytest.mark.django_db

NOTES = {
    "annualIncome": "Check the annual income against the payslip.",
    "employmentHistory": "The employer's name is not the one on the contract.",
}


@pytest.fixture
def officer(ready_case):
    return officer_of(ready_case.tenant)


def _return(case, rm, officer, notes=NOTES):
    """The RM submits; the officer returns the KYC review with these notes."""
    submit(case, rm)
    steps_drive(case, approve=False)
    review = Review.objects.get(case=case, state=ReviewState.WAITING)
    review_return(
        review=review,
        user=officer,
        digest=review.digest,
        reasons=["inconsistent_data"],
        comment="Two things to check.",
        field_notes=notes,
    )
    return Case.objects.get(pk=case.pk)


def _save(case, section, raw, rm):
    case.refresh_from_db()
    return case_section_save(case=case, section=section, raw=raw, version=case.version, user=rm)


def _section_url(case, section):
    return reverse("cases:section", args=[case.pk, section])


@pytest.mark.parametrize(
    ("notes", "opens"),
    [
        (NOTES, "sales"),
        ({"employmentHistory": "The employer."}, "compliance"),
        ({"firstName": "Spelled as on the ID card?", **NOTES}, "client"),
        # No note on a field: where the returned call's own data is kept.
        ({}, "compliance"),
    ],
)
def test_it_opens_a_returned_case_on_the_first_section_with_a_note(
    client, ready_case, rm, officer, notes, opens
):
    # The RM last worked on Activation: a returned case does not reopen there.
    case = _return(ready_case, rm, officer, notes)
    assert case.current_section == "activation"
    client.force_login(rm)

    resumed = client.get(reverse("cases:resume", args=[case.pk]))

    assert resumed.status_code == 302
    assert resumed.url == _section_url(case, opens)


@pytest.mark.usefixtures("notices_worker")
def test_it_leads_every_link_to_a_returned_case_to_the_first_noted_section(
    client, ready_case, rm, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _return(ready_case, rm, officer)
    client.force_login(rm)
    resume = reverse("cases:resume", args=[case.pk])
    notice = Notice.objects.get(case=case, kind=NoticeKind.REVIEW_RETURNED)

    home = client.get(reverse("home:index")).content.decode()
    listed = client.get(reverse("cases:list") + "?status=returned").content.decode()
    overview = client.get(reverse("cases:overview", args=[case.pk])).content.decode()
    status = client.get(reverse("submissions:status", args=[case.pk])).content.decode()

    assert f'<a href="{resume}">{case.client_name}</a>' in home
    assert f'<a class="status status-returned" href="{resume}">Returned: 2 to fix</a>' in listed
    for page in (overview, status):
        assert f'href="{resume}" data-act="fix_returned"' in page
    assert notice_target(notice) == resume
    assert client.get(resume).url == _section_url(case, "sales")


def test_it_links_each_note_to_its_field_and_marks_the_field(client, ready_case, rm, officer):
    case = _return(ready_case, rm, officer)
    client.force_login(rm)

    sales = client.get(_section_url(case, "sales")).content.decode()
    compliance = client.get(_section_url(case, "compliance")).content.decode()

    employment = _section_url(case, "compliance") + "#rows-employment"
    assert '<a href="#id_annual_income">Annual income</a>' in sales
    assert f'<a href="{employment}">Employment history</a>' in sales
    income = re.search(
        r'<div class="field field-annual_income[^"]*">.*?</div>\s*</div>', sales, re.S
    )
    assert income
    assert "Check the annual income against the payslip." in income.group(0)
    assert 'class="review-note"' in income.group(0)
    assert f'<a href="{_section_url(case, "sales")}#id_annual_income">Annual income</a>' in (
        compliance
    )
    rows = compliance.split('id="rows-employment"')[1].split("</legend>")[1].split("</p>")[0]
    assert '<p class="group-note"><span class="review-note">Compliance: The employer' in rows


def test_it_places_each_note_where_the_rm_changes_the_value(ready_case):
    notes = notes_placed(
        fields={
            "firstName": "a",
            "phoneNumber": "b",
            "primaryCountryOfCitizenship": "c",
            "employmentHistory": "d",
            "pepEntries": "e",
            "addresses:SALES": "f",
            "addresses:COMPLIANCE": "g",
            "customFields": "h",
        },
        case=ready_case,
        own=Section.COMPLIANCE,
    )

    placed = {note.key: (note.section, note.anchor) for note in notes}
    assert placed == {
        "firstName": (Section.CLIENT, "id_first_name"),
        "phoneNumber": (Section.CLIENT, "id_phone_number"),
        "primaryCountryOfCitizenship": (Section.SALES, "id_country_of_citizenship"),
        "employmentHistory": (Section.COMPLIANCE, "rows-employment"),
        # Nobody related to a PEP: the rows are hidden, the answer that shows them is noted.
        "pepEntries": (Section.COMPLIANCE, "id_related_to_pep"),
        "addresses:SALES": (Section.SALES, "rows-addresses"),
        # Compliance uses the sales address: that is where it is changed.
        "addresses:COMPLIANCE": (Section.SALES, "rows-addresses"),
        "customFields": (None, ""),
    }


def test_it_sends_every_change_since_the_return_in_two_sections_with_one_button(
    client, ready_case, rm, officer, sandbox
):
    case = _return(ready_case, rm, officer)
    # A value only the sales update carries, and the KYC data the compliance update carries.
    _save(case, Section.SALES, {**SALES, "stage_name": ["conStage003"]}, rm)
    fixed = {**COMPLIANCE, "employment-0-employer_name": ["Viña Andes Limitada"]}
    client.force_login(rm)
    case.refresh_from_db()

    response = client.post(
        _section_url(case, "compliance"),
        {**fixed, "version": case.version, "action": "resubmit"},
    )
    steps_drive(case, approve=False)

    assert response.status_code == 302
    assert response.url == reverse("submissions:status", args=[case.pk])
    sales = Step.objects.get(case=case, round=1, kind=StepKind.SALES)
    assert (sales.state, sales.payload["stageName"]) == (StepState.SUCCEEDED, "conStage003")
    again = Review.objects.get(case=case, state=ReviewState.WAITING)
    assert again.body["employmentHistory"][0]["employerName"] == "Viña Andes Limitada"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW
    contact = sandbox.contacts(case.tenant.altafid_uuid)[0]
    assert contact["stageName"] == "conStage003"
    # What the officer reviewed and approves reaches Altafid; nothing is left unsent.
    steps_drive(case)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_ALTAFID
    assert not case.unsent_changes
    assert not submission_plan(case=case).sends
    assert sandbox.contacts(case.tenant.altafid_uuid)[0]["stageName"] == "conStage003"


def test_it_leaves_a_succeeded_update_alone_when_the_reviewed_call_carries_the_change(
    ready_case, rm, officer
):
    case = _return(ready_case, rm, officer)
    _save(case, Section.SALES, {**SALES, "annual_income": ["95000000"]}, rm)

    plan = submission_plan(case=Case.objects.get(pk=case.pk))

    assert [call.kind for call in plan.sends][:1] == [StepKind.COMPLIANCE]
    assert all(call.kind != StepKind.SALES for call in plan.sends)


def test_it_tells_the_rm_of_no_recovery_when_an_update_is_sent_again(
    client, ready_case, rm, officer
):
    case = _return(ready_case, rm, officer)
    _save(case, Section.SALES, {**SALES, "stage_name": ["conStage003"]}, rm)
    submit(Case.objects.get(pk=case.pk), rm)

    steps_drive(case, approve=False)

    assert Step.objects.get(case=case, round=1, kind=StepKind.SALES).tries == 2
    assert not Notice.objects.filter(case=case, kind=NoticeKind.STEP_RECOVERED).exists()


def test_it_offers_nothing_that_competes_with_sending_back(client, ready_case, rm, officer):
    case = _return(ready_case, rm, officer)
    client.force_login(rm)
    case.refresh_from_db()

    saved = client.post(
        _section_url(case, "sales"),
        {**SALES, "stage_name": ["conStage003"], "version": case.version, "action": "save"},
        follow=True,
    )
    pages = {
        section: client.get(_section_url(case, section)).content.decode()
        for section in ("client", "sales", "compliance", "activation")
    }
    autosaved = client.post(
        _section_url(case, "sales"),
        {**SALES, "stage_name": ["conStage002"], "version": case.version + 1, "action": "autosave"},
        HTTP_HX_REQUEST="true",
    )
    review = client.get(reverse("cases:review", args=[case.pk])).content.decode()

    assert "When everything compliance noted is fixed, press “Send back for review”." in (
        saved.content.decode()
    )
    for page in pages.values():
        assert page.count("Send back for review</button>") == 1
        assert "A change to data it holds is an amendment" not in page
        assert "not sent yet" not in page
        assert "Save and send back" not in page
    assert "not sent yet" not in autosaved.content.decode()
    assert "Send back for review</button>" in review
    assert "Submit to Altafid" not in review
    assert "Send the changes to Altafid" not in review


def test_it_shows_the_case_waiting_on_the_officer_once_sent_back(client, ready_case, rm, officer):
    case = _return(ready_case, rm, officer)
    client.force_login(rm)
    case.refresh_from_db()
    client.post(
        _section_url(case, "sales"),
        {**SALES, "stage_name": ["conStage003"], "version": case.version, "action": "resubmit"},
    )
    steps_drive(case, approve=False)

    home = client.get(reverse("home:index")).content.decode()

    needs, waiting = home.split('id="waiting-title"')
    assert "Nothing waits for you." in needs
    assert case.client_name not in needs
    assert case.client_name in waiting
    assert 'data-reading="in_review:officer"' in waiting
    assert review_returned(case=case) is None


def test_it_replaces_a_returned_amendment_with_the_one_sent_back(
    client, ready_case, rm, officer, sandbox
):
    submit(ready_case, rm)
    steps_drive(ready_case)
    case = _save(ready_case, Section.SALES, {**SALES, "annual_income": ["91000000"]}, rm).case
    amended = _return(case, rm, officer, {"annualIncome": "Not that either."})
    assert amended.status == CaseStatus.RETURNED
    client.force_login(rm)
    amended.refresh_from_db()

    client.post(
        _section_url(amended, "sales"),
        {**SALES, "annual_income": ["92000000"], "version": amended.version, "action": "resubmit"},
    )

    amended.refresh_from_db()
    assert amended.status == CaseStatus.IN_REVIEW
    replaced = Step.objects.get(case=amended, round=2, kind=StepKind.COMPLIANCE)
    assert replaced.state == StepState.CANCELLED
    waiting = Review.objects.get(case=amended, state=ReviewState.WAITING)
    assert (waiting.step.round, waiting.body["annualIncome"]) == (3, "92000000")
    page = client.get(reverse("submissions:status", args=[amended.pk])).content.decode()
    replaced_round = page.split('id="submission-steps-2"')[1].split("</section>")[0]
    assert "Cancelled" in replaced_round
    assert (
        "Not sent: compliance returned this amendment, and the changes sent after it replaced it."
    ) in replaced_round
    assert "Not sent" not in page.split('id="submission-steps-3"')[1]
    steps_drive(amended)
    amended.refresh_from_db()
    assert amended.status == CaseStatus.IN_ALTAFID
    assert sandbox.contacts(amended.tenant.altafid_uuid)[0]["annualIncome"] == "92000000"
