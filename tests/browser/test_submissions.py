import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.cases.demo import SALES
from onboarding.cases.models import Section
from onboarding.cases.services import case_create, case_section_save
from onboarding.documents.demo import case_fill
from onboarding.submissions.models import Step
from onboarding.submissions.services import case_activate
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, TenantFactory, staff_create
from tests.submissions.conftest import steps_drive, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_steps_update_live_and_activates_after_a_confirmation(
    live_server, page, sandbox, settings
):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")
    case = case_fill(case_create(tenant=tenant, owner=rm), rm)
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill(rm.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + reverse("cases:review", args=[case.pk]))
    # Saved elsewhere (another tab, a colleague) after this review page was shown.
    case_section_save(
        case=case,
        section=Section.SALES,
        raw={**SALES, "annual_income": ["95000000"]},
        version=case.version,
        user=rm,
    )

    page.get_by_role("button", name="Submit to Altafid").click()
    page.get_by_text("This onboarding changed since you reviewed it.").wait_for()
    screenshot(page, "submission-changed-since-review")
    assert not Step.objects.filter(case=case).exclude(state="waiting").exists()
    page.get_by_role("button", name="Submit to Altafid").click()
    page.get_by_text("Steps are running; this page updates by itself.").wait_for()
    screenshot(page, "submission-running")
    # A worker's work, done here: the open page must notice it without a reload.
    steps_drive(case)
    page.get_by_role("heading", name="Activate").wait_for()
    assert page.get_by_text("Succeeded").count() == 3
    screenshot(page, "submission-submitted")

    page.get_by_role("button", name="Activate").click()
    assert Step.objects.get(case=case, kind="primary_email").state == "waiting"
    page.get_by_label("I confirm that the client gets a login to Altafid now.").check()
    page.get_by_role("button", name="Activate").click()
    page.get_by_text("Activation started.").wait_for()
    steps_drive(case)
    page.get_by_text("Succeeded").nth(4).wait_for()
    screenshot(page, "submission-activated")

    page.get_by_role("link", name="Onboardings").first.click()
    page.get_by_role("cell", name="Activated").wait_for()
    screenshot(page, "home-with-progress")


def test_it_amends_an_activated_case_and_altafid_then_holds_the_new_value(
    live_server, page, sandbox, settings
):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")
    case = case_fill(case_create(tenant=tenant, owner=rm), rm)
    submit(case, rm)
    steps_drive(case)
    case_activate(case=case, user=rm)
    steps_drive(case)
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill(rm.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(live_server.url + reverse("cases:section", args=[case.pk, "sales"]))
    page.get_by_text("Altafid already has part of this onboarding.").wait_for()
    page.get_by_label("Annual income").fill("120000000")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Compliance (KYC)").wait_for()
    page.goto(live_server.url + reverse("cases:review", args=[case.pk]))
    page.get_by_role("heading", name="What changes in Altafid").wait_for()
    screenshot(page, "amendment-review")
    assert page.locator("table.changes ins").first.inner_text() == "CLP\xa0120,000,000"

    page.get_by_role("button", name="Send the changes to Altafid").click()
    page.get_by_text("Amendment submitted.").wait_for()
    # The income travels in the compliance update: an officer approves it first.
    page.get_by_text("Waiting for KYC review").first.wait_for()
    steps_drive(case)
    page.reload()
    page.get_by_role("heading", name="Amendment 1").wait_for()
    page.get_by_text("Succeeded").nth(5).wait_for()
    screenshot(page, "amendment-sent")

    page.goto(live_server.url + reverse("cases:overview", args=[case.pk]))
    page.get_by_role("heading", name="History").wait_for()
    assert page.get_by_text("Amendment submitted").first.is_visible()
    screenshot(page, "case-overview-with-history")
    page.get_by_role("link", name="Older events").click()
    page.get_by_text("Onboarding started").wait_for()

    contact = sandbox.contacts(tenant.altafid_uuid)[0]
    assert contact["annualIncome"] == "120000000"
    case.refresh_from_db()
    assert case.status == "activated"
