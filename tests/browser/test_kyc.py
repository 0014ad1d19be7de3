import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.cases.services import case_create
from onboarding.documents.demo import case_fill
from onboarding.submissions.models import Step
from tests.browser.conftest import log_in, screenshot, take_and_attest, verify_documents
from tests.factories import TenantFactory, staff_create
from tests.submissions.conftest import steps_drive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_runs_the_four_eyes_loop_between_an_rm_and_a_compliance_officer(
    live_server, page, chromium, sandbox, rm_and_officer
):
    base = live_server.url
    rm = rm_and_officer
    tenant = rm.staff_profile.tenants.get()
    case = case_fill(case_create(tenant=tenant, owner=rm), rm)
    officer_context = chromium.new_context(viewport={"width": 1280, "height": 900})
    officer_page = officer_context.new_page()
    officer_errors: list[str] = []
    officer_page.on(
        "console", lambda m: officer_errors.append(m.text) if m.type == "error" else None
    )

    # The RM submits; create and the sales update run, then the chain waits for review.
    log_in(page, base, rm.email)
    page.goto(base + reverse("cases:review", args=[case.pk]))
    page.get_by_role("button", name="Submit to Altafid").click()
    page.wait_for_url(base + reverse("submissions:status", args=[case.pk]))
    steps_drive(case, approve=False)
    page.reload()
    page.get_by_text("Waiting for KYC review").first.wait_for()

    # The officer finds it in the queue and returns it with a note on one field.
    log_in(officer_page, base, "carla@example.com")
    nav = officer_page.get_by_role("navigation", name="Main")
    assert (
        nav.get_by_role("link", name="KYC reviews").inner_text().strip().startswith("KYC reviews")
    )
    nav.get_by_role("link", name="KYC reviews").click()
    officer_page.get_by_role("button", name="Assign to me").click()
    officer_page.get_by_role("cell", name="You").wait_for()
    screenshot(officer_page, "kyc-queue")
    officer_page.get_by_role("link", name="Juan García López").click()
    officer_page.get_by_role("heading", name="KYC data").wait_for()
    screenshot(officer_page, "kyc-review")
    officer_page.get_by_label("Note on Annual income for the relationship manager").fill(
        "This differs from the payslip: check it."
    )
    officer_page.get_by_label("Inconsistent data").check()
    officer_page.get_by_label("Comment for the relationship manager").fill("One figure to check.")
    officer_page.get_by_role("button", name="Return to the RM").click()
    officer_page.get_by_text("Returned to Rosa Muñoz with your reasons.").wait_for()

    # The RM sees what to fix, fixes it and sends it back with one button.
    page.goto(base + reverse("cases:list"))
    page.get_by_role("link", name="Returned: 1 to fix").wait_for()
    screenshot(page, "kyc-returned-list")
    page.goto(base + reverse("cases:section", args=[case.pk, "sales"]))
    page.get_by_text("This differs from the payslip: check it.").first.wait_for()
    screenshot(page, "kyc-returned-section")
    page.get_by_label("Annual income").fill("95000000")
    page.get_by_role("button", name="Send back for review").click()
    page.get_by_text("Sent back for review").wait_for()

    # The officer sees exactly what changed since the return, and approves.
    officer_page.goto(base + reverse("kyc:queue"))
    officer_page.get_by_role("link", name="Juan García López").click()
    officer_page.get_by_role("heading", name="Changed since the last review").wait_for()
    diff = officer_page.locator("table.kv").first
    assert "90,000,000" in diff.inner_text()
    assert "95,000,000" in diff.inner_text()
    screenshot(officer_page, "kyc-review-diff")
    verify_documents(officer_page, case)
    take_and_attest(officer_page)
    officer_page.get_by_role("button", name="Approve and send").click()
    officer_page.get_by_text("Approved: the compliance update is on its way").wait_for()

    steps_drive(case, approve=False)
    assert Step.objects.get(case=case, kind="compliance").state == "succeeded"
    assert sandbox.contacts(tenant.altafid_uuid)[0]["annualIncome"] == "95000000"
    page.goto(base + reverse("submissions:status", args=[case.pk]))
    page.get_by_text("Approved by Carla Reyes").wait_for()
    screenshot(page, "kyc-approved-status")
    officer_page.goto(base + reverse("kyc:figures"))
    officer_page.get_by_role("heading", name="Time waiting for review").wait_for()
    screenshot(officer_page, "kyc-figures")
    officer_page.get_by_label("Language").select_option("es")
    officer_page.get_by_role("button", name="Change").click()
    officer_page.locator("html[lang=es]").wait_for(state="attached")
    screenshot(officer_page, "kyc-figures-es")
    officer_context.close()
    assert officer_errors == []


def test_it_shows_rm_and_officer_what_a_linked_case_would_change_in_altafid(
    live_server, page, chromium, sandbox, settings
):
    base = live_server.url
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")
    staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant], email="carla@example.com")
    sandbox.add_contact(
        tenant.altafid_uuid,
        {
            "contactUuid": "C-EXISTING",
            "firstName": "Juan",
            "paternalLastName": "García",
            "identityId": "12345678-5",
            "preferredEmail": "juan.garcia@elsewhere.example",
            "annualIncome": "40000000",
        },
    )
    case = case_fill(case_create(tenant=tenant, owner=rm), rm)

    log_in(page, base, rm.email)
    page.goto(base + reverse("cases:review", args=[case.pk]))
    page.get_by_role("button", name="This is the client: link").click()
    page.get_by_role("heading", name="What Submit changes in the Altafid contact").wait_for()
    changes = page.locator("#overwrites")
    assert "juan.garcia@elsewhere.example" in changes.inner_text()
    screenshot(page, "review-linked-contact")
    page.get_by_role("button", name="Submit to Altafid").click()
    page.wait_for_url(base + reverse("submissions:status", args=[case.pk]))
    steps_drive(case, approve=False)
    assert Step.objects.get(case=case, kind="sales").state == "in_review"

    officer_page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(officer_page, base, "carla@example.com")
    officer_page.goto(base + reverse("kyc:queue"))
    officer_page.get_by_role("link", name="Juan García López").click()
    officer_page.get_by_role(
        "heading", name="What approval changes in the Altafid contact"
    ).wait_for()
    screenshot(officer_page, "kyc-review-linked-contact")
    verify_documents(officer_page, case)
    take_and_attest(officer_page)
    officer_page.get_by_role("button", name="Approve and send").click()
    officer_page.get_by_text("Approved: the sales update is on its way to Altafid.").wait_for()


def test_it_asks_two_officers_to_approve_a_high_risk_case(
    live_server, chromium, sandbox, rm_and_officer
):
    from onboarding.kyc.models import Review, ReviewState
    from tests.browser.conftest import axe_check
    from tests.submissions.conftest import submit

    base = live_server.url
    rm = rm_and_officer
    tenant = rm.staff_profile.tenants.get()
    # The demo client is Chilean: on this tenant's high-risk list, the case is rated high.
    tenant.high_risk_countries = "PRK,CHL"
    tenant.save()
    staff_create(
        role=Role.COMPLIANCE_OFFICER,
        tenants=[tenant],
        email="diego@example.com",
        first_name="Diego",
        last_name="Soto",
    )
    case = case_fill(case_create(tenant=tenant, owner=rm), rm)
    submit(case, rm)
    steps_drive(case, approve=False)

    # The first officer sees the rating and why, and gives the first approval (a page of its
    # own: the refusal without the attestation is a 422 the console reports).
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, base, "carla@example.com")
    page.goto(base + reverse("kyc:queue") + "?sort=rating&rating=high")
    page.get_by_role("link", name="Juan García López").click()
    page.get_by_text("Tied to a country on the high-risk list").wait_for()
    page.get_by_text("0 of 2 approvals").wait_for()
    verify_documents(page, case)
    page.get_by_role("button", name="Assign to me").click()
    page.get_by_text("This review is yours.").wait_for()
    page.get_by_role("button", name="Give the first approval").click()
    page.get_by_text("Tick that you checked the documents and every screening hit.").wait_for()
    axe_check(page, "kyc-review-attestation-missing")
    take_and_attest(page)
    page.get_by_role("button", name="Give the first approval").click()
    page.get_by_text("a second compliance officer must approve it too").wait_for()
    page.get_by_text("1 of 2 approvals (Carla Reyes)").wait_for()
    screenshot(page, "kyc-queue-first-approval")
    assert Step.objects.get(case=case, kind="compliance").state == "in_review"

    # A second officer approves; the update goes.
    second = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(second, base, "diego@example.com")
    second.goto(base + reverse("kyc:queue"))
    second.get_by_role("link", name="Juan García López").click()
    second.get_by_text("1 of 2 approvals: Carla Reyes").wait_for()
    take_and_attest(second)
    screenshot(second, "kyc-review-second-approval")
    second.get_by_role("button", name="Approve and send").click()
    second.get_by_text("Approved: the compliance update is on its way").wait_for()
    review = Review.objects.get(case=case, state=ReviewState.APPROVED)
    assert review.approvals.count() == 2
    steps_drive(case, approve=False)
    assert Step.objects.get(case=case, kind="compliance").state == "succeeded"
