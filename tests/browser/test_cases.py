import re

import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.cases.models import Case, Section
from onboarding.documents.demo import sample_jpeg
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, TenantFactory, staff_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rm(sandbox, settings):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    return staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")


def _log_in(page, live_server, rm):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill(rm.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Onboardings").click()


def _field(page, label):
    """The field labelled exactly `label` (a required field's label ends in an asterisk)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def _save(page):
    # The save's own answer, not an autosave's that the pause before the click may have fired.
    with page.expect_response(
        lambda response: (
            response.request.method == "POST"
            and "action=autosave" not in (response.request.post_data or "")
        )
    ):
        page.get_by_role("button", name="Save draft").click()


def _continue(page, heading):
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name=heading).wait_for()


def _fill_client_section(page):
    _field(page, "First name").fill("Juan")
    _field(page, "Paternal last name").fill("García")
    _field(page, "Maternal last name").fill("López")
    _field(page, "Contact type").select_option("SUBSCRIBER")
    _field(page, "Reach the client by").select_option("EMAIL")
    _field(page, "Language for communications").select_option("SPANISH")
    _field(page, "E-mail").fill("juan.garcia@example.com")
    _field(page, "Date of birth").fill("1980-05-20")
    _field(page, "Phone country code").select_option("+56")
    _field(page, "Phone number").fill("961234567")
    _field(page, "Identity document type").select_option("CHILE_RUT")
    _field(page, "Identity number").fill("12.345.678-9")
    # The filter box of a long list: typing narrows it and picks the first match.
    page.get_by_label("Issuing country of the identity document (type to filter the list)").fill(
        "chile"
    )
    assert _field(page, "Issuing country of the identity document").input_value() == "CHL"
    _field(page, "Contact source").select_option(label="Referral")
    _field(page, "Market segment").select_option(label="High net worth")
    _save(page)
    page.get_by_text("The check digit 9 does not match the number before it").first.wait_for()
    screenshot(page, "case-1-client-with-an-error")
    _field(page, "Identity number").fill("12.345.678-5")
    _field(page, "Phone number").fill("+56 9 6123 4567")
    _save(page)
    # Kept as Altafid documents them, and shown to the RM that way.
    assert _field(page, "Identity number").input_value() == "12345678-5"
    assert _field(page, "Phone number").input_value() == "961234567"


def _fill_sales_section(page):
    facts = page.locator(".facts-card")
    assert "García" in facts.inner_text()
    assert "juan.garcia@example.com" in facts.inner_text()
    _field(page, "Pipeline stage").select_option(label="Qualified")
    _field(page, "Annual income").fill("90000000")
    _field(page, "Liquid net worth").fill("400000000")
    _field(page, "Total net worth").fill("350000000")
    _field(page, "Country of citizenship").select_option("CHL")
    _field(page, "Country of birth").select_option("CHL")
    page.locator("#id_addresses-0-street_name").fill("Avenida Apoquindo")
    page.locator("#id_addresses-0-street_number").fill("3000")
    page.locator("#id_addresses-0-country").select_option("CHL")
    page.locator("#id_addresses-0-city option[value='Santiago']").wait_for(state="attached")
    page.locator("#id_addresses-0-city").select_option("Santiago")
    page.locator("#id_addresses-0-is_primary").check()

    page.get_by_role("button", name="Add another address").click()
    page.locator("#id_addresses-1-street_name").fill("Calle Falsa")
    assert page.locator("#id_addresses-0-city").input_value() == "Santiago"
    page.get_by_role("button", name="Remove address 2").click()
    page.locator("#id_addresses-1-street_name").wait_for(state="detached")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Liquid net worth is higher than total net worth").wait_for()
    screenshot(page, "case-2-sales")
    _field(page, "Liquid net worth").fill("300000000")


def _fill_compliance_section(page):
    shown = page.locator(".facts-card").all_inner_texts()
    for fact in ("Juan", "12345678-5", "961234567"):
        assert fact in shown[0]
    assert "90,000,000" in shown[1]
    assert page.get_by_label("The primary address of the sales profile").is_checked()
    assert page.locator("#rows-addresses").is_hidden()
    page.locator("#id_employment-0-employment_status").select_option("employed")
    page.locator("#id_employment-0-employer_name").fill("Viña Andes SpA")
    page.locator("#id_employment-0-start_date").fill("2010-03-01")
    page.locator("#id_employment-0-end_date").fill("2009-01-01")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("The start date must be before the end date.").first.wait_for()
    page.locator("#id_employment-0-end_date").fill("")
    screenshot(page, "case-3-compliance")


def test_it_takes_an_rm_through_every_section_to_a_review_with_nothing_blocking(
    live_server, page, rm
):
    _log_in(page, live_server, rm)
    page.get_by_role("link", name="New onboarding").click()
    _fill_client_section(page)
    _continue(page, "Sales profile")
    _fill_sales_section(page)
    _continue(page, "Compliance (KYC)")
    _fill_compliance_section(page)
    _continue(page, "Activation")
    assert page.get_by_label("The client's e-mail of the Client section").is_checked()
    assert "juan.garcia@example.com" in page.locator(".facts-card").inner_text()
    screenshot(page, "case-4-activation")
    page.get_by_role("button", name="Save and review").click()
    page.get_by_role("link", name="Attach the client's identity document").click()
    page.locator("#file-identity").set_input_files(
        {"name": "cedula.jpg", "mimeType": "image/jpeg", "buffer": sample_jpeg()}
    )
    page.locator("#kind-identity").get_by_role("button", name="Attach").click()
    page.locator("#kind-identity .document").wait_for()
    page.get_by_role("button", name="Record the consent").click()
    page.locator(".consent-facts").wait_for()
    page.locator(".page-head").get_by_role("link", name="Review").click()
    page.get_by_text("Nothing blocks submission.").wait_for()

    page.get_by_role("button", name="Log out").click()
    _log_in(page, live_server, rm)
    page.get_by_role("link", name="Juan García López").click()
    page.get_by_role("heading", name="Activation").wait_for()
    page.get_by_role("link", name="2 Sales profile").click()
    assert page.locator("#id_addresses-0-city").input_value() == "Santiago"
    assert page.locator("#id_addresses-1-street_name").count() == 0
    assert _field(page, "Liquid net worth").input_value() == "300,000,000"
    page.get_by_role("link", name="Review").click()
    page.get_by_text("Nothing blocks submission.").wait_for()
    page.get_by_text("Show the exact JSON of the five Altafid calls").click()
    screenshot(page, "case-5-review")
    assert page.get_by_text('"paternalLastName": "García"').first.is_visible()


def test_it_autosaves_a_moment_after_typing_stops(live_server, page, rm):
    _log_in(page, live_server, rm)
    page.get_by_role("link", name="New onboarding").click()
    # An autosave starts from htmx's listeners, there once its script has run, as for a person.
    page.wait_for_load_state()
    _field(page, "First name").fill("Ana")
    page.get_by_text("Draft saved at").wait_for()

    case = Case.objects.get(owner=rm)
    assert case.draft(Section.CLIENT)["first_name"] == ["Ana"]
    page.reload()
    assert _field(page, "First name").input_value() == "Ana"
    _field(page, "Paternal last name").fill("Rojas")
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.get_by_role("button", name="Save draft").click()
    case.refresh_from_db()
    assert case.draft(Section.CLIENT)["paternal_last_name"] == ["Rojas"]


def test_it_names_the_client_in_the_tab_as_soon_as_the_name_is_typed(live_server, page, rm):
    from playwright.sync_api import expect

    _log_in(page, live_server, rm)
    page.get_by_role("link", name="New onboarding").click()
    page.wait_for_load_state()
    assert page.title() == "Client · New onboarding · Altafid Onboarding"

    _field(page, "First name").fill("Ana")
    _field(page, "Paternal last name").fill("Rojas")
    page.get_by_role("heading", name="Ana Rojas").wait_for()

    expect(page).to_have_title("Client · Ana Rojas · Altafid Onboarding")
    _field(page, "Maternal last name").fill("Soto")
    _save(page)
    expect(page).to_have_title("Client · Ana Rojas Soto · Altafid Onboarding")


def test_it_marks_a_field_in_error_when_the_autosave_finds_it(live_server, page, rm):
    _log_in(page, live_server, rm)
    page.get_by_role("link", name="New onboarding").click()
    # An autosave starts from htmx's listeners, there once its script has run, as for a person.
    page.wait_for_load_state()
    _field(page, "First name").fill("Ana")
    _field(page, "E-mail").fill("ana-at-example")
    page.get_by_text("Draft saved at").wait_for()

    email_errors = page.locator("#id_preferred_email-errors")
    email_errors.get_by_text("Enter a valid email address.").wait_for()
    assert _field(page, "E-mail").input_value() == "ana-at-example"
    assert _field(page, "E-mail").evaluate("e => getComputedStyle(e).borderTopColor") == (
        "rgb(179, 38, 30)"
    )
    screenshot(page, "case-autosave-marks-errors")
    _field(page, "E-mail").fill("ana@example.com")
    page.locator("#id_preferred_email-errors li").wait_for(state="detached")


@pytest.mark.expect_http_status(409)
def test_it_refuses_the_later_of_two_saves_until_asked_and_loses_nothing(live_server, page, rm):
    _log_in(page, live_server, rm)
    page.get_by_role("link", name="New onboarding").click()
    page.wait_for_url("**/new/")
    _field(page, "First name").fill("Ana")
    _save(page)
    tab_b = page.context.new_page()
    tab_b.goto(page.url)

    # Tab A changes the first name; tab B, opened before, changes the last name.
    _field(page, "First name").fill("Anita")
    _save(page)
    tab_b.bring_to_front()
    _field(tab_b, "Paternal last name").fill("Rojas")
    tab_b.get_by_role("button", name="Save draft").click()
    tab_b.get_by_text("your save was not applied").wait_for()
    assert "First name" in tab_b.locator("#conflict").inner_text()
    screenshot(tab_b, "case-conflict")

    # Saving again from the stale copy is refused again: A's change survives.
    with tab_b.expect_response(lambda r: "action=save" in (r.request.post_data or "")):
        tab_b.get_by_role("button", name="Save draft").click()
    tab_b.get_by_text("your save was not applied").wait_for()
    case = Case.objects.get(owner=rm)
    assert case.draft(Section.CLIENT)["first_name"] == ["Anita"]
    assert _field(tab_b, "Paternal last name").input_value() == "Rojas"

    with tab_b.expect_response(lambda r: "action=apply" in (r.request.post_data or "")):
        tab_b.get_by_role("button", name="Apply my changes on top of it").click()
    tab_b.get_by_text("Draft saved").first.wait_for()
    case.refresh_from_db()
    assert case.draft(Section.CLIENT)["first_name"] == ["Anita"]
    assert case.draft(Section.CLIENT)["paternal_last_name"] == ["Rojas"]
    assert _field(tab_b, "First name").input_value() == "Anita"


@pytest.mark.browser_context(java_script_enabled=False)
def test_it_works_without_javascript(live_server, page, rm):
    _log_in(page, live_server, rm)
    page.get_by_role("link", name="New onboarding").click()
    _field(page, "First name").fill("Ana")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved.").wait_for()
    case = Case.objects.get(owner=rm)
    page.goto(live_server.url + reverse("cases:section", args=[case.pk, "sales"]))

    page.locator("#id_addresses-0-country").select_option("CHL")
    page.get_by_role("button", name="Add another address").click()
    page.locator("#id_addresses-0-city").select_option("Santiago")
    page.get_by_role("button", name="Remove address 2").click()
    page.get_by_role("button", name="Save draft").click()

    page.get_by_text("Draft saved.").wait_for()
    assert page.locator(".select-filter").count() == 0
    assert case.__class__.objects.get(pk=case.pk).draft(Section.SALES)["addresses-0-city"] == [
        "Santiago"
    ]


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_tells_early_of_an_altafid_contact_and_links_unmet_rules_at_review(
    live_server, page, rm, sandbox, language
):
    from onboarding.cases.demo import COMPLIANCE
    from onboarding.cases.services import case_create, case_section_save
    from onboarding.documents.demo import case_fill

    case = case_fill(case_create(tenant=rm.staff_profile.tenants.get(), owner=rm), rm)
    case = case_section_save(
        case=case,
        section=Section.COMPLIANCE,
        raw={**COMPLIANCE, "related_to_pep": ["on"], "peps-TOTAL_FORMS": ["1"]},
        version=case.version,
        user=rm,
    ).case
    sandbox.add_contact(
        case.tenant.altafid_uuid,
        {
            "contactUuid": "C-EXISTING",
            "firstName": "Juan",
            "paternalLastName": "García",
            "identityId": "12345678-5",
        },
    )
    _log_in(page, live_server, rm)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )

    page.goto(live_server.url + reverse("cases:section", args=[case.pk, "client"]))
    notice = page.locator("#altafid-matches .notice")
    notice.wait_for()
    screenshot(page, f"case-early-duplicate-{language}")
    notice.get_by_role("link").click()
    page.locator("#matches").wait_for()
    unmet = page.locator(f"a[href$='/cases/{case.pk}/compliance/#rows-peps']")
    unmet.scroll_into_view_if_needed()
    screenshot(page, f"case-review-unmet-rules-{language}")
    unmet.click()
    page.locator("#rows-peps").wait_for()

    assert page.url.endswith("/compliance/#rows-peps")
