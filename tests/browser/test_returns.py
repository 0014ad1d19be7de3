"""A return fixed in two sections, in Chromium: the officer's notes lead the RM to each field,
one button sends both fixes back, and the officer reviews both."""

import re

import pytest
from django.urls import reverse

from onboarding.cases.services import case_create
from onboarding.documents.demo import case_fill
from onboarding.kyc.models import Review, ReviewState
from tests.browser.conftest import (
    axe_violations,
    log_in,
    screenshot,
    take_and_attest,
    verify_documents,
)
from tests.submissions.conftest import steps_drive, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_fixes_a_return_in_two_sections_and_sends_both_back_with_one_button(
    live_server, page, chromium, sandbox, rm_and_officer
):
    base = live_server.url
    rm = rm_and_officer
    tenant = rm.staff_profile.tenants.get()
    case = case_fill(case_create(tenant=tenant, owner=rm), rm)
    submit(case, rm)
    steps_drive(case, approve=False)
    officer_context = chromium.new_context(viewport={"width": 1280, "height": 900})
    officer_page = officer_context.new_page()
    officer_errors: list[str] = []
    officer_page.on(
        "console", lambda m: officer_errors.append(m.text) if m.type == "error" else None
    )

    # The officer returns the KYC review with a note on a Sales field and one on Compliance's.
    log_in(officer_page, base, "carla@example.com")
    officer_page.goto(base + reverse("kyc:queue"))
    officer_page.get_by_role("link", name="Juan García López").click()
    officer_page.get_by_label("Note on Annual income for the relationship manager").fill(
        "This differs from the payslip."
    )
    officer_page.get_by_label("Note on Employment history for the relationship manager").fill(
        "The employer is a Limitada, as the contract says."
    )
    officer_page.get_by_label("Inconsistent data").check()
    officer_page.get_by_role("button", name="Return to the RM").click()
    officer_page.get_by_text("Returned to Rosa Muñoz with your reasons.").wait_for()

    # The RM follows the home page's link and lands on the first section with a note.
    log_in(page, base, rm.email)
    needs = page.locator("section", has=page.get_by_role("heading", name="Needs you now"))
    needs.get_by_role("link", name="Juan García López").click()
    page.wait_for_url(base + reverse("cases:section", args=[case.pk, "sales"]))
    returned = page.locator("#returned")
    returned.get_by_text("This differs from the payslip.").wait_for()
    income = page.locator(".field-annual_income")
    assert "Compliance: This differs from the payslip." in income.inner_text()
    assert page.get_by_role("button", name="Send back for review").count() == 1
    assert page.get_by_text("not sent yet").count() == 0
    assert page.get_by_text("A change to data it holds is an amendment").count() == 0
    screenshot(page, "return-sales-noted")
    assert axe_violations(page) == []

    # It fixes the figure through the note's link, and a value only the sales update carries.
    returned.get_by_role("link", name="Annual income").click()
    page.wait_for_url(re.compile(r".*/sales/#id_annual_income$"))
    page.get_by_label("Annual income").fill("95000000")
    page.locator("#id_stage_name").select_option("conStage003")

    # The other note's link opens Compliance at the employment rows, marked.
    returned.get_by_role("link", name="Employment history").click()
    page.wait_for_url(
        base + reverse("cases:section", args=[case.pk, "compliance"]) + "#rows-employment"
    )
    rows = page.locator("#rows-employment")
    assert "The employer is a Limitada, as the contract says." in rows.inner_text()
    screenshot(page, "return-compliance-noted")
    rows.get_by_label("Employer").fill("Viña Andes Limitada")
    page.get_by_role("button", name="Send back for review").click()
    page.get_by_text("Sent back for review with every change since the return").wait_for()
    page.wait_for_url(base + reverse("submissions:status", args=[case.pk]))
    steps_drive(case, approve=False)

    # The officer sees both fixes in the new review, and the sales data as sent.
    officer_page.goto(base + reverse("kyc:queue"))
    officer_page.get_by_role("link", name="Juan García López").click()
    officer_page.get_by_role("heading", name="Changed since the last review").wait_for()
    changed = officer_page.locator("section", has_text="Changed since the last review")
    assert "95,000,000" in changed.inner_text()
    assert "Viña Andes Limitada" in changed.inner_text()
    screenshot(officer_page, "return-review-both-fixes")

    # The RM's home shows the case waiting on the officer, not as needing them.
    page.goto(base + reverse("home:index"))
    waiting = page.locator("section", has=page.get_by_role("heading", name="Waiting on others"))
    row = waiting.get_by_role("row", name=re.compile("Juan García López"))
    assert "Waiting for KYC review" in row.inner_text()
    assert "A compliance officer" in row.inner_text()
    assert needs.get_by_text("Nothing waits for you. Well done.").count() == 1
    screenshot(page, "return-home-waiting")

    # Approved, both fixes reach Altafid.
    verify_documents(officer_page, case)
    take_and_attest(officer_page)
    officer_page.get_by_role("button", name="Approve and send").click()
    officer_page.get_by_text("Approved: the compliance update is on its way").wait_for()
    steps_drive(case, approve=False)
    contact = sandbox.contacts(tenant.altafid_uuid)[0]
    assert (contact["annualIncome"], contact["stageName"]) == ("95000000", "conStage003")
    assert contact["employmentHistory"][0]["employerName"] == "Viña Andes Limitada"
    assert not Review.objects.filter(case=case, state=ReviewState.WAITING).exists()
    officer_context.close()
    assert officer_errors == []
