"""Nothing an RM types is lost: Enter saves, leaving saves first (or warns), a removed row
comes back, errors stop "Save and continue", and a new onboarding exists once saved."""

import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.cases.demo import SALES
from onboarding.cases.models import Case, Section
from onboarding.cases.services import case_create, case_section_save
from onboarding.documents.demo import case_fill
from tests.browser.conftest import log_in, screenshot
from tests.factories import TenantFactory, staff_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What a person types into: every text-like input of a section (not the lists' filter boxes).
TEXT_INPUTS = (
    "#section-form input:is([type=text], [type=number], [type=date], [type=email], "
    "[type=tel]):not(.select-filter)"
)
# Each field of the section as the browser would post it, and how many rows each group has.
FIELDS = """() => {
    const fields = {};
    for (const [name, value] of new FormData(document.getElementById("section-form"))) {
        if (name !== "csrfmiddlewaretoken" && name !== "version") {
            (fields[name] = fields[name] || []).push(value);
        }
    }
    return fields;
}"""
TWO_ADDRESSES = {
    **SALES,
    "addresses-TOTAL_FORMS": ["2"],
    "addresses-1-street_name": ["Calle Merced"],
    "addresses-1-street_number": ["838"],
    "addresses-1-country": ["CHL"],
    "addresses-1-city": ["Santiago"],
    "addresses-1-address_type": ["WORK"],
}


@pytest.fixture
def rm(sandbox, settings):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    return staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")


@pytest.fixture
def filled(rm):
    case = case_fill(case_create(tenant=rm.staff_profile.tenants.get(), owner=rm), rm)
    return case_section_save(
        case=case, section=Section.SALES, raw=TWO_ADDRESSES, version=case.version, user=rm
    ).case


def _section_url(live_server, case, section):
    return live_server.url + reverse("cases:section", args=[case.pk, section])


def _posts(page):
    sent = []
    page.on("request", lambda request: sent.append(request) if request.method == "POST" else None)
    return sent


def _speak(page, language):
    """Switches the language with the header's form, as a person does."""
    page.locator("#language").select_option(language)
    page.locator(".language-form button").click()
    page.locator(f"html[lang={language}]").wait_for(state="attached")


def test_it_saves_and_loses_nothing_when_enter_is_pressed_in_any_field(
    live_server, page, rm, filled
):
    log_in(page, live_server.url, rm.email)
    pressed = 0
    for section in Section:
        page.goto(_section_url(live_server, filled, section.value))
        before = page.evaluate(FIELDS)
        inputs = page.locator(TEXT_INPUTS)
        for index in range(inputs.count()):
            field = inputs.nth(index)
            if not field.is_visible():
                continue
            name = field.get_attribute("name")
            field.focus()
            with page.expect_response(lambda r: r.request.method == "POST"):
                page.keyboard.press("Enter")
            page.reload()
            pressed += 1
            assert page.evaluate(FIELDS) == before, f"Enter in {section.value} {name}"
    assert pressed > 25
    assert Case.objects.get().draft(Section.SALES)["addresses-TOTAL_FORMS"] == ["2"]


LEAVING = {
    "a nav link": lambda page: (
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Onboardings").click()
    ),
    "the stepper": lambda page: page.locator("#stepper").get_by_role("link", name="Client").click(),
    "the language switch": lambda page: _speak(page, "es"),
    "back": lambda page: page.go_back(),
}


def _street(row):
    return Case.objects.get().draft(Section.SALES).get(f"addresses-{row}-street_name")


def _wait_until_saved(page, saved, tries=200):
    for _ in range(tries):
        if saved():
            return
        page.wait_for_timeout(50)


@pytest.mark.parametrize("way", list(LEAVING))
def test_it_keeps_what_was_typed_when_leaving_at_once(live_server, page, rm, filled, way):
    log_in(page, live_server.url, rm.email)
    page.goto(live_server.url + reverse("cases:overview", args=[filled.pk]))
    page.goto(_section_url(live_server, filled, "sales"))
    sent = _posts(page)

    page.locator("#id_addresses-1-street_name").fill("")
    page.locator("#id_addresses-1-street_name").press_sequentially("Huérfanos")
    # Left well within the pause after which typing is saved on its own: nothing sent yet.
    assert sent == []
    with page.expect_request(lambda r: r.method == "POST" and "/sales/" in r.url):
        LEAVING[way](page)
    arrival = {
        "a nav link": reverse("cases:list"),
        "the stepper": reverse("cases:section", args=[filled.pk, "client"]),
        "the language switch": reverse("cases:section", args=[filled.pk, "sales"]),
        "back": reverse("cases:overview", args=[filled.pk]),
    }[way]
    page.wait_for_url(live_server.url + arrival)
    if way == "back":
        # Back is not the page's to hold: the save goes with keepalive as the page goes, and
        # the browser reports no answer to a request that outlives its page.
        _wait_until_saved(page, lambda: _street(1) == ["Huérfanos"])

    page.goto(_section_url(live_server, filled, "sales"))
    assert page.locator("#id_addresses-1-street_name").input_value() == "Huérfanos"
    assert _street(1) == ["Huérfanos"]


REFUSALS = {
    # Someone saves this section meanwhile: this page's saves are refused from now on.
    "a conflict": "Not saved: someone changed this section meanwhile.",
    "too large": "This section is too large to keep. Shorten the longest entries.",
}


@pytest.mark.expect_http_status(400, 409)
@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_it_warns_before_leaving_when_the_save_is_refused_and_keeps_the_typing(
    live_server, page, rm, filled, settings, refusal
):
    log_in(page, live_server.url, rm.email)
    section = _section_url(live_server, filled, "sales")
    page.goto(section)
    if refusal == "a conflict":
        case_section_save(
            case=filled,
            section=Section.SALES,
            raw={**TWO_ADDRESSES, "display_name": ["Juanito"]},
            version=filled.version,
            user=rm,
        )
    else:
        settings.DRAFT_MAX_BYTES = 200
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.locator("#id_addresses-1-street_name").fill("Calle Huérfanos")
    with page.expect_event("dialog"):
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Onboardings").click()
    page.locator("#save-state").get_by_text(REFUSALS[refusal]).wait_for()

    assert dialogs == ["beforeunload"]
    assert page.url == section
    assert page.locator("#id_addresses-1-street_name").input_value() == "Calle Huérfanos"
    assert _street(1) == ["Calle Merced"]
    screenshot(page, f"typing-kept-save-refused-{refusal.replace(' ', '-')}")


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_brings_a_removed_row_back_with_its_values(live_server, page, rm, filled, language):
    log_in(page, live_server.url, rm.email)
    page.goto(_section_url(live_server, filled, "sales"))
    if language == "es":
        _speak(page, "es")
    words = {
        "en": ("Remove address 1", "Address 1 (Avenida Apoquindo) was removed.", "Undo"),
        "es": ("Quitar dirección 1", "Se quitó Dirección 1 (Avenida Apoquindo).", "Deshacer"),
    }[language]

    page.locator("#id_annual_income").fill("95000000")
    page.get_by_role("button", name=words[0]).click()
    page.get_by_text(words[1]).wait_for()
    assert page.locator("#id_addresses-0-street_name").input_value() == "Calle Merced"
    assert page.locator("#id_addresses-1-street_name").count() == 0
    screenshot(page, f"typing-kept-undo-{language}")
    page.reload()
    page.get_by_role("button", name=words[2]).click()
    page.get_by_text(words[1]).wait_for(state="detached")

    page.reload()
    assert page.locator("#id_addresses-0-street_name").input_value() == "Avenida Apoquindo"
    assert page.locator("#id_addresses-0-street_number").input_value() == "3000"
    assert Case.objects.get().draft(Section.SALES)["addresses-0-city"] == ["Santiago"]
    assert page.locator("#id_addresses-0-is_primary").is_checked()
    assert page.locator("#id_addresses-1-street_name").input_value() == "Calle Merced"
    # What was typed on the page before the removal is kept, shown grouped as the language
    # writes amounts.
    assert (
        page.locator("#id_annual_income").input_value()
        == {
            "en": "95,000,000",
            "es": "95.000.000",
        }[language]
    )
    assert Case.objects.get().draft(Section.SALES)["annual_income"] == ["95000000"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_stays_on_a_section_with_errors_after_save_and_continue(
    live_server, page, rm, filled, language
):
    log_in(page, live_server.url, rm.email)
    page.goto(_section_url(live_server, filled, "client"))
    if language == "es":
        _speak(page, "es")
    words = {
        "en": ("Save and continue", "Continue anyway", "Sales profile"),
        "es": ("Guardar y continuar", "Continuar de todos modos", "Perfil comercial"),
    }[language]

    page.locator("#id_preferred_email").fill("juan-at-example")
    page.locator("#id_first_name").fill("")
    page.get_by_role("button", name=words[0]).click()
    summary = page.locator("#to-fix")
    summary.wait_for()
    page.wait_for_function("() => document.activeElement.id === 'to-fix'")

    assert page.url.endswith(reverse("cases:section", args=[filled.pk, "client"]))
    assert summary.locator("a[href='#id_preferred_email']").count() == 1
    assert summary.locator("a[href='#id_first_name']").count() == 1
    assert page.locator("#id_preferred_email-errors li").count() == 1
    screenshot(page, f"typing-kept-errors-{language}")
    page.get_by_role("button", name=words[1]).click()
    page.get_by_role("heading", name=words[2]).wait_for()
    assert Case.objects.get().draft(Section.CLIENT)["preferred_email"] == ["juan-at-example"]


def test_it_creates_an_onboarding_only_once_something_is_saved_in_it(live_server, page, rm):
    log_in(page, live_server.url, rm.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Onboardings").click()
    page.get_by_role("link", name="New onboarding").click()
    page.get_by_role("heading", name="New onboarding").wait_for()
    page.go_back()
    page.get_by_text("No onboarding yet.").wait_for()
    assert not Case.objects.exists()

    page.get_by_role("link", name="New onboarding").click()
    page.locator("#id_first_name").fill("Ana")
    page.locator("#id_paternal_last_name").fill("Rojas")
    page.locator("#id_paternal_last_name").press("Tab")
    page.get_by_role("heading", name="Ana Rojas").wait_for()

    case = Case.objects.get()
    page.wait_for_url(_section_url(live_server, case, "client"))
    page.locator("#id_maternal_last_name").fill("Soto")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.get_by_role("button", name="Save draft").click()
    page.get_by_role("heading", name="Ana Rojas Soto").wait_for()
    assert Case.objects.count() == 1
    assert page.locator(".breadcrumbs").get_by_role("link", name="Ana Rojas Soto").count() == 1
