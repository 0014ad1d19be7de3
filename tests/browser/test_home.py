import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.cases.lifecycle import CaseStatus, StepKind, StepState
from onboarding.kyc.models import Review
from tests.browser.conftest import log_in, screenshot
from tests.factories import PASSWORD, TenantFactory, staff_create
from tests.home.test_views import case_make, step_make

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


def test_it_opens_on_what_needs_the_rm_and_follows_a_count_to_its_list(
    live_server, page, sandbox, settings
):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")
    case_make(tenant, rm, CaseStatus.RETURNED, "Ana Returned")
    case_make(tenant, rm, CaseStatus.DRAFT, "Bruno Idle", age_days=9)
    flying = case_make(tenant, rm, CaseStatus.SUBMITTED, "Carla Flying")
    step_make(flying, StepKind.CREATE, StepState.SUCCEEDED)
    step_make(flying, StepKind.SALES, StepState.RUNNING)

    log_in(page, live_server.url, rm.email)
    page.get_by_role("heading", name="Needs you now").wait_for()
    screenshot(page, "home-rm")
    page.get_by_role("link", name="1 Drafts untouched for a week").click()

    page.wait_for_url("**/cases/?status=idle")
    assert page.get_by_role("link", name="Bruno Idle").is_visible()
    assert page.get_by_role("link", name="Ana Returned").count() == 0


def test_it_opens_on_the_review_queue_for_an_officer_in_spanish(
    live_server, page, sandbox, settings
):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant])
    officer = staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant], email="cora@example.com")
    for name in ("Diego Waiting", "Elena Waiting"):
        case = case_make(tenant, rm, CaseStatus.IN_REVIEW, name)
        step = step_make(case, StepKind.COMPLIANCE, StepState.IN_REVIEW)
        Review.objects.create(tenant=tenant, case=case, step=step, body={}, picture={}, digest="d")

    page.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Correo electrónico").fill(officer.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()

    page.get_by_role("heading", name="Cola de revisión").wait_for()
    screenshot(page, "home-officer-es")
    assert page.get_by_role("link", name="Diego Waiting").is_visible()
    page.get_by_role("link", name="2 Sin asignar").click()
    page.wait_for_url("**/kyc/?assigned=nobody")
