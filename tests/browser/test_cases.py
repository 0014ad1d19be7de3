import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, TenantFactory, staff_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_an_rm_start_an_onboarding_and_save_the_client_section(
    live_server, page, sandbox, settings
):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill(rm.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Onboardings").click()
    page.get_by_role("button", name="New onboarding").click()
    page.get_by_label("First name").fill("Juan")
    page.get_by_label("Paternal last name").fill("García")
    page.get_by_label("Contact type").select_option("SUBSCRIBER")
    page.get_by_label("Reach the client by").select_option("EMAIL")
    page.get_by_label("Language for communications").select_option("SPANISH")
    page.get_by_label("Identity document type").select_option("CHILE_RUT")
    page.get_by_label("Identity number").fill("12.345.678-9")
    page.get_by_label("Issuing country of the identity document").select_option("CHL")
    page.get_by_role("button", name="Save draft").click()

    page.get_by_text("This RUT's check digit is wrong.").first.wait_for()
    screenshot(page, "case-client-section")
    page.get_by_label("Identity number").fill("12.345.678-5")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Juan García").wait_for()
    assert page.get_by_label("Display name").input_value() == "Juan García"
    screenshot(page, "case-sales-section")
