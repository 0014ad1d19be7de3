"""Editing data Altafid already holds: an amendment, reviewed as a difference, sent as its steps."""

import pytest
from django.urls import reverse

from onboarding.cases.demo import CLIENT, SALES
from onboarding.cases.lifecycle import CaseStatus, Section
from onboarding.cases.models import Case
from onboarding.cases.services import SectionLocked, case_section_save
from onboarding.submissions.models import Step, StepState
from onboarding.submissions.plans import submission_plan
from onboarding.submissions.services import case_activate, submission_cancel
from onboarding.submissions.worker import step_run
from tests.factories import staff_create
from tests.submissions.conftest import steps_drive, submit

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _activated(case, rm):
    submit(case, rm)
    steps_drive(case)
    case_activate(case=case, user=rm)
    steps_drive(case)
    case.refresh_from_db()
    return case


def _save(case, section, raw, rm):
    return case_section_save(
        case=case, section=section, raw=raw, version=case.version, user=rm
    ).case


def test_it_follows_the_lifecycle_from_draft_to_activated(ready_case, rm, sandbox):
    assert ready_case.status == CaseStatus.READY
    submit(ready_case, rm)
    assert Case.objects.get(pk=ready_case.pk).status == CaseStatus.SUBMITTED
    steps_drive(ready_case)
    assert Case.objects.get(pk=ready_case.pk).status == CaseStatus.IN_ALTAFID
    case_activate(case=ready_case, user=rm)
    steps_drive(ready_case)
    assert Case.objects.get(pk=ready_case.pk).status == CaseStatus.ACTIVATED


def test_it_marks_a_case_failed_when_altafid_refuses_a_step(ready_case, rm, sandbox):
    submit(ready_case, rm)
    step_run(step_id=Step.objects.get(case=ready_case, kind="create").pk)
    Case.objects.filter(pk=ready_case.pk).update(contact_uuid="C-UNKNOWN")

    steps_drive(ready_case)

    assert Case.objects.get(pk=ready_case.pk).status == CaseStatus.FAILED


def test_it_amends_an_activated_case_with_only_what_changed(ready_case, rm, sandbox):
    case = _activated(ready_case, rm)
    case = _save(case, Section.CLIENT, {**CLIENT, "phone_number": ["9 8765 4321"]}, rm)
    case = _save(case, Section.SALES, {**SALES, "annual_income": ["95000000"]}, rm)
    assert case.status == CaseStatus.AMENDING

    plan = submission_plan(case=case)
    submit(case, rm)
    steps_drive(case)

    assert plan.amendment
    bodies = {call.kind: call.body for call in plan.sends}
    assert bodies["sales"] == {
        "preferredPhoneNumber": {"phoneCountryCode": "+56", "phoneNumber": "987654321"}
    }
    assert bodies["compliance"] == {
        "annualIncome": "95000000",
        "phoneNumber": {"phoneCountryCode": "+56", "phoneNumber": "987654321", "country": "CHL"},
    }
    contact = sandbox.contacts(case.tenant.altafid_uuid)[0]
    assert contact["annualIncome"] == "95000000"
    assert contact["preferredPhoneNumber"]["phoneNumber"] == "987654321"
    assert contact["phoneNumber"]["phoneNumber"] == "987654321"
    rounds = Step.objects.filter(case=case, round=2)
    assert sorted(rounds.values_list("kind", "state")) == [
        ("compliance", StepState.SUCCEEDED),
        ("sales", StepState.SUCCEEDED),
    ]
    case.refresh_from_db()
    assert (case.status, case.unsent_changes) == (CaseStatus.ACTIVATED, False)


def test_it_clears_a_field_that_was_emptied(ready_case, rm, sandbox):
    case = _activated(ready_case, rm)
    case = _save(case, Section.CLIENT, {**CLIENT, "maternal_last_name": [""]}, rm)

    plan = submission_plan(case=case)
    submit(case, rm)
    steps_drive(case)

    assert {call.kind: call.body for call in plan.sends} == {
        "compliance": {"maternalLastName": None}
    }
    assert sandbox.contacts(case.tenant.altafid_uuid)[0]["maternalLastName"] is None


def test_it_closes_an_amendment_that_changes_nothing(ready_case, rm, sandbox):
    case = _activated(ready_case, rm)
    case = _save(case, Section.SALES, {**SALES, "annual_income": ["1"]}, rm)
    case = _save(case, Section.SALES, SALES, rm)
    assert case.status == CaseStatus.AMENDING

    plan = submit(case, rm)

    assert plan.empty
    assert not Step.objects.filter(case=case, round=2).exists()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACTIVATED


def test_it_locks_the_sections_being_sent_while_their_steps_run(ready_case, rm, sandbox):
    submit(ready_case, rm)

    with pytest.raises(SectionLocked):
        _save(ready_case, Section.CLIENT, {**CLIENT, "first_name": ["Juana"]}, rm)
    activation = _save(ready_case, Section.ACTIVATION, {"login_email": ["same"]}, rm)

    step_run(step_id=Step.objects.get(case=ready_case, kind="create").pk)
    with pytest.raises(SectionLocked):
        _save(ready_case, Section.SALES, {**SALES, "annual_income": ["1"]}, rm)
    assert activation.draft(Section.ACTIVATION) == {"login_email": ["same"]}


def test_it_says_that_a_saved_change_still_has_to_be_sent(client, ready_case, rm, sandbox):
    case = _activated(ready_case, rm)
    client.force_login(rm)
    url = reverse("cases:section", args=[case.pk, "sales"])

    htmx = client.post(
        url, {**SALES, "annual_income": ["95000000"], "version": case.version}, **HTMX
    )
    page = client.post(
        url, {**SALES, "annual_income": ["96000000"], "version": case.version + 1}, follow=True
    )

    assert b"not sent yet: submit the changes from review" in htmx.content
    assert b"Draft saved at" not in htmx.content
    assert b"review and submit the changes to send them" in page.content


def test_it_reviews_an_amendment_as_the_difference_against_what_altafid_holds(
    client, ready_case, rm, sandbox
):
    case = _activated(ready_case, rm)
    _save(case, Section.SALES, {**SALES, "annual_income": ["95000000"]}, rm)
    client.force_login(rm)

    html = client.get(reverse("cases:review", args=[case.pk])).content.decode()

    assert "What changes in Altafid" in html
    assert '<th scope="row">Annual income</th><td><del>CLP\xa090,000,000</del></td>' in html
    assert "<ins>CLP\xa095,000,000</ins>" in html
    assert "Send the changes to Altafid" in html


def test_it_cancels_a_submission_for_an_admin_only(client, ready_case, rm, tenant, sandbox):
    from django.core.exceptions import PermissionDenied

    from onboarding.accounts.roles import Role

    submit(ready_case, rm)
    with pytest.raises(PermissionDenied):
        submission_cancel(case=ready_case, user=rm)
    admin = staff_create(role=Role.ADMIN, tenants=[tenant])

    submission_cancel(case=ready_case, user=admin)
    steps_drive(ready_case)

    assert set(Step.objects.filter(case=ready_case).values_list("state", flat=True)) == {
        StepState.CANCELLED
    }
    assert Case.objects.get(pk=ready_case.pk).status == CaseStatus.CANCELLED
    assert sandbox.contacts(ready_case.tenant.altafid_uuid) == []
    client.force_login(admin)
    page = client.get(reverse("submissions:status", args=[ready_case.pk])).content.decode()
    stopped = "Not sent: an administrator stopped the submission."
    assert page.count(stopped) == Step.objects.filter(case=ready_case).count()
    assert "compliance returned" not in page
    ready_case.refresh_from_db()
    with pytest.raises(SectionLocked):
        _save(ready_case, Section.ACTIVATION, {"login_email": ["same"]}, rm)
