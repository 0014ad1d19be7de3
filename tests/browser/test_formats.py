"""In Chromium: an RM working in Spanish types an amount and a phone number as Chileans write
them, saves, and finds them kept and shown the Chilean way."""

import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.cases.demo import CLIENT, SALES
from onboarding.cases.models import Case, Section
from onboarding.cases.services import case_create, case_section_save
from tests.browser.conftest import axe_check, log_in, screenshot
from tests.factories import TenantFactory, staff_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def case(sandbox, settings):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")
    case = case_create(tenant=tenant, owner=rm)
    for section, raw in ((Section.CLIENT, CLIENT), (Section.SALES, SALES)):
        case = case_section_save(
            case=case, section=section, raw=raw, version=case.version, user=rm
        ).case
    return case


def _save(page, label):
    with page.expect_response(
        lambda response: (
            response.request.method == "POST"
            and "action=autosave" not in (response.request.post_data or "")
        )
    ):
        page.get_by_role("button", name=label).click()


def test_it_keeps_amounts_and_phones_typed_the_chilean_way(page, live_server, case):
    base = live_server.url
    log_in(page, base, case.owner.email)
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": base}])

    page.goto(base + reverse("cases:section", args=[case.pk, "sales"]))
    income = page.get_by_label("Ingreso anual")
    assert income.input_value() == "90.000.000"
    income.fill("$120.000.000")
    _save(page, "Guardar borrador")
    page.reload()
    assert page.get_by_label("Ingreso anual").input_value() == "120.000.000"
    assert page.locator(".field-annual_income .amount-currency").inner_text() == "$"
    axe_check(page, "sales section in Spanish")
    screenshot(page, "amounts-es")

    page.goto(base + reverse("cases:section", args=[case.pk, "client"]))
    page.get_by_label("Código telefónico del país", exact=True).select_option("")
    page.get_by_label("Número de teléfono").fill("+56 2 2345 6789")
    _save(page, "Guardar borrador")
    page.reload()
    assert page.get_by_label("Código telefónico del país", exact=True).input_value() == "+56"
    assert page.get_by_label("Número de teléfono").input_value() == "223456789"

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(base + reverse("cases:section", args=[case.pk, "sales"]))
    assert page.get_by_label("Annual income").input_value() == "120,000,000"
    assert page.locator(".field-annual_income .amount-currency").inner_text() == "CLP"
    screenshot(page, "amounts-en")
    drafts = Case.objects.get(pk=case.pk).drafts
    assert drafts["sales"]["annual_income"] == ["120000000"]
    assert (drafts["client"]["phone_code"], drafts["client"]["phone_number"]) == (
        ["+56"],
        ["223456789"],
    )
