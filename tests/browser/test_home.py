import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, TenantFactory, staff_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_an_admin_log_in_and_preview_the_cities_of_a_country(
    live_server, page, sandbox, settings
):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    rm = staff_create(role=Role.ADMIN, tenants=[tenant], email="rosa@example.com")

    page.goto(live_server.url + reverse("home:index"))
    screenshot(page, "login")
    page.get_by_label("E-mail address").fill(rm.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("heading", name="Welcome, Rosa").wait_for()
    screenshot(page, "home-admin")
    page.get_by_role("link", name="Health details").click()
    page.get_by_label("Country", exact=True).select_option("CHL")
    page.locator("#id_city option[value='Santiago']").wait_for(state="attached")
    page.get_by_label("City").select_option("Santiago")
    screenshot(page, "health-lookups")

    assert page.get_by_label("Pipeline stage").locator("option").count() > 2
    assert page.get_by_label("Phone country code").locator("option[value='+56']").count() >= 1


def test_it_switches_the_page_to_spanish(live_server, page, sandbox, settings):
    tenant = TenantFactory(altafid_uuid=settings.ALTAFID_TENANT_UUID)
    rm = staff_create(tenants=[tenant])

    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    page.get_by_label("Correo electrónico").fill(rm.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()

    page.get_by_role("heading", name="Requiere su atención").wait_for()
    screenshot(page, "home-es")
