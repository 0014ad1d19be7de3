"""A dropdown whose list Altafid could not give: the section says so, and "Try again" brings
the list once Altafid is back, with everything typed kept, with and without JavaScript."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.altafid.lookups import STAGES_PATH
from onboarding.cases.demo import CLIENT, SALES
from onboarding.cases.models import Case, Section
from onboarding.cases.services import case_create, case_section_save
from tests.browser.conftest import axe_check, log_in, screenshot
from tests.factories import TenantFactory, staff_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rm(sandbox, settings):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    return staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")


@pytest.fixture
def case(rm):
    case = case_create(tenant=rm.staff_profile.tenants.get(), owner=rm)
    for section, raw in ((Section.CLIENT, CLIENT), (Section.SALES, SALES)):
        case = case_section_save(
            case=case, section=section, raw=raw, version=case.version, user=rm
        ).case
    return case


@pytest.mark.parametrize(
    "name",
    [
        "htmx",
        pytest.param("no-javascript", marks=pytest.mark.browser_context(java_script_enabled=False)),
    ],
)
def test_it_brings_the_list_back_on_try_again_and_keeps_what_was_typed(
    live_server, page, sandbox, rm, case, name
):
    cache.clear()  # the stages list was never had: no copy of it is kept
    sandbox.fail_next("server_error", method="GET", path_prefix=STAGES_PATH, times=1000)
    log_in(page, live_server.url, rm.email)
    page.goto(live_server.url + reverse("cases:section", args=[case.pk, "sales"]))
    stage = page.get_by_label("Pipeline stage")
    field = page.locator(".field-stage_name")
    banner = page.locator("#lookups-unavailable")

    assert field.get_by_text("This list could not be loaded from Altafid.").is_visible()
    assert "Some lists could not be loaded from Altafid: Pipeline stage." in banner.inner_text()
    assert stage.locator("option:checked").inner_text() == "conStage002 (as saved)"
    page.get_by_label("Display name").fill("Juanito Pérez")
    page.get_by_label("Annual income").fill("120000000")
    screenshot(page, f"lookup-unavailable-{name}")
    if name == "htmx":  # axe-core runs as a script in the page
        axe_check(page, "a section with a list that could not be loaded")

    sandbox.reset()  # Altafid is well again
    field.get_by_role("button", name="Try again").click()
    page.locator("#id_stage_name option", has_text="Proposal").wait_for(state="attached")
    screenshot(page, f"lookup-loaded-{name}")

    assert stage.locator("option:checked").inner_text() == "Qualified"
    assert page.get_by_label("Display name").input_value() == "Juanito Pérez"
    assert page.get_by_label("Annual income").input_value() == "120,000,000"
    assert page.get_by_text("could not be loaded").count() == 0
    assert "may be out of date" not in page.content()
    stage.select_option(label="Proposal")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved").first.wait_for()
    draft = Case.objects.get().draft(Section.SALES)
    assert draft["display_name"] == ["Juanito Pérez"]
    assert draft["annual_income"] == ["120000000"]
    assert draft["stage_name"] == ["conStage003"]
