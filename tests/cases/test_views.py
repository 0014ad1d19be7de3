import re

import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.cases.models import Case, Section
from onboarding.cases.services import case_create, case_section_save
from tests.cases.conftest import CLIENT_SECTION
from tests.factories import TenantFactory, staff_create

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def case(tenant, rm):
    return case_create(tenant=tenant, owner=rm)


@pytest.fixture
def logged_in(client, rm):
    client.force_login(rm)
    return client


def _post(client, case, section, data, **extra):
    return client.post(
        reverse("cases:section", args=[case.pk, section]),
        {**data, "version": case.version, **extra.pop("fields", {})},
        **extra,
    )


def test_it_lists_the_rms_cases_and_filters_them_with_htmx(logged_in, case, rm):
    case_section_save(
        case=case, section=Section.CLIENT, raw=CLIENT_SECTION, version=case.version, user=rm
    )

    page = logged_in.get(reverse("cases:list"))
    fragment = logged_in.post(reverse("cases:list"), {"q": "nobody"}, **HTMX)

    assert b"Juan Garc\xc3\xada L\xc3\xb3pez" in page.content
    assert b"<html" in page.content
    assert b"<html" not in fragment.content
    assert b'id="results"' in fragment.content
    assert b"No onboarding matches." in fragment.content


def test_it_opens_a_new_onboarding_without_creating_a_case(logged_in, rm):
    response = logged_in.get(reverse("cases:new"))

    html = response.content.decode()
    assert response.status_code == 200
    assert not Case.objects.exists()
    assert f'action="{reverse("cases:new")}"' in html
    assert "<h1>New onboarding</h1>" in html
    assert 'aria-label="Sections"' in html
    assert "/cases/None/" not in html


def test_it_starts_a_case_with_its_first_save_and_opens_it(logged_in, rm):
    response = logged_in.post(reverse("cases:new"), {**CLIENT_SECTION, "action": "save"})

    case = Case.objects.get(owner=rm)
    assert response.status_code == 302
    assert response.url == reverse("cases:section", args=[case.pk, "client"])
    assert case.draft(Section.CLIENT)["first_name"] == ["Juan"]
    assert case.client_name == "Juan García López"


def test_it_creates_nothing_when_nothing_is_entered(logged_in, rm):
    blank = dict.fromkeys(CLIENT_SECTION, "")

    page = logged_in.post(reverse("cases:new"), {**blank, "action": "save"})
    autosave = logged_in.post(reverse("cases:new"), {**blank, "action": "autosave"}, **HTMX)

    assert page.status_code == 302
    assert page.url == reverse("cases:new")
    assert autosave.status_code == 204
    assert not Case.objects.exists()


def test_it_gives_the_new_page_its_onboardings_address_on_the_first_autosave(logged_in, rm):
    response = logged_in.post(
        reverse("cases:new"), {**CLIENT_SECTION, "action": "autosave"}, **HTMX
    )

    case = Case.objects.get(owner=rm)
    html = response.content.decode()
    assert response["HX-Replace-Url"] == reverse("cases:section", args=[case.pk, "client"])
    assert "Draft saved at" in html
    assert '<div id="section-head" hx-swap-oob="true">' in html
    assert "<h1>Juan García López</h1>" in html
    assert f'name="version" value="{case.version}"' in html


def test_it_moves_a_new_onboarding_on_only_once_it_exists(logged_in, rm):
    response = logged_in.post(reverse("cases:new"), {**CLIENT_SECTION, "action": "next"})

    case = Case.objects.get(owner=rm)
    assert response.url == reverse("cases:section", args=[case.pk, "sales"])


def test_it_shows_the_clients_name_in_the_heading_once_saved(logged_in, case):
    response = _post(logged_in, case, "client", CLIENT_SECTION, fields={"action": "save"}, **HTMX)

    html = response.content.decode()
    assert 'id="section-form"' in html
    assert '<div id="section-head" hx-swap-oob="true">' in html
    assert "<h1>Juan García López</h1>" in html


@pytest.mark.parametrize("section", list(Section))
def test_it_saves_when_enter_is_pressed_in_any_field(logged_in, rm, case, section):
    from onboarding.documents.demo import case_fill

    filled = case_fill(case, rm)
    html = logged_in.get(reverse("cases:section", args=[filled.pk, section.value])).content
    form = html.decode().split('id="section-form"')[1].split("</form>")[0]
    submits = re.findall(r"<button[^>]*>|<input[^>]*type=\"submit\"[^>]*>", form)

    # Enter submits the form with its first submit button (the HTML standard's "default
    # button"): one without an action, which saves.
    assert submits[0] == (
        '<button type="submit" class="default-action" hidden tabindex="-1" aria-hidden="true">'
    )
    assert any("remove:" in button for button in submits) is (
        section in (Section.SALES, Section.COMPLIANCE)
    )


def test_it_keeps_a_removed_row_to_bring_back_with_its_values(logged_in, case):
    two = {
        "addresses-TOTAL_FORMS": ["2"],
        "addresses-INITIAL_FORMS": ["0"],
        "addresses-0-street_name": ["Apoquindo"],
        "addresses-0-country": ["CHL"],
        "addresses-1-street_name": ["Providencia"],
        "addresses-1-country": ["CHL"],
    }
    _post(logged_in, case, "sales", two, fields={"action": "save"})
    case.refresh_from_db()

    removed = _post(logged_in, case, "sales", two, fields={"action": "remove:addresses:0"}, **HTMX)
    case.refresh_from_db()
    after_removal = case.draft(Section.SALES)
    page = logged_in.get(reverse("cases:section", args=[case.pk, "sales"])).content.decode()
    undone = _post(
        logged_in, case, "sales", after_removal, fields={"action": "undo:addresses"}, **HTMX
    )
    case.refresh_from_db()

    assert after_removal["addresses-TOTAL_FORMS"] == ["1"]
    assert after_removal["addresses-0-street_name"] == ["Providencia"]
    for html in (removed.content.decode(), page):
        assert "Address 1 (Apoquindo) was removed." in html
        assert 'name="action" value="undo:addresses"' in html
    assert case.draft(Section.SALES)["addresses-0-street_name"] == ["Apoquindo"]
    assert case.draft(Section.SALES)["addresses-1-street_name"] == ["Providencia"]
    assert "was removed" not in undone.content.decode()
    assert 'value="Apoquindo"' in undone.content.decode()


def test_it_stays_on_a_section_with_errors_after_save_and_continue(logged_in, case):
    data = CLIENT_SECTION | {"preferred_email": ["not-an-address"], "first_name": [""]}

    response = _post(logged_in, case, "client", data, fields={"action": "next"})
    page = logged_in.get(response.url).content.decode()
    fragment = _post(
        logged_in, Case.objects.get(pk=case.pk), "client", data, fields={"action": "next"}, **HTMX
    )

    url = reverse("cases:section", args=[case.pk, "client"])
    assert response.url == f"{url}?stopped=1#to-fix"
    assert Case.objects.get(pk=case.pk).current_section == "client"
    assert Case.objects.get(pk=case.pk).draft(Section.CLIENT)["preferred_email"] == [
        "not-an-address"
    ]
    for html in (page, fragment.content.decode()):
        assert 'id="to-fix" tabindex="-1" role="alert"' in html
        assert '<a href="#id_first_name">First name</a>: This field is required.' in html
        assert '<a href="#id_preferred_email">E-mail</a>: Enter a valid email address.' in html
        assert 'name="action" value="next-anyway"' in html
    assert fragment.status_code == 200
    assert "HX-Redirect" not in fragment


def test_it_continues_anyway_with_errors(logged_in, case):
    data = CLIENT_SECTION | {"preferred_email": ["not-an-address"]}

    response = _post(logged_in, case, "client", data, fields={"action": "next-anyway"})

    assert response.url == reverse("cases:section", args=[case.pk, "sales"])
    assert Case.objects.get(pk=case.pk).current_section == "sales"


def test_it_offers_continue_anyway_only_after_save_and_continue(logged_in, case):
    data = CLIENT_SECTION | {"preferred_email": ["not-an-address"]}
    _post(logged_in, case, "client", data, fields={"action": "save"})

    html = logged_in.get(reverse("cases:section", args=[case.pk, "client"])).content.decode()

    assert '<a href="#id_preferred_email">E-mail</a>' in html
    assert 'role="status"' in html.split('id="to-fix"')[1][:80]
    assert "next-anyway" not in html


def test_it_renders_every_section_with_labels_and_dropdowns(logged_in, case):
    for section in Section:
        response = logged_in.get(reverse("cases:section", args=[case.pk, section.value]))
        assert response.status_code == 200, section

    client_page = logged_in.get(reverse("cases:section", args=[case.pk, "client"]))
    assert b"Paternal last name" in client_page.content
    assert b'<option value="CHL">Chile</option>' in client_page.content


def test_it_keeps_what_was_typed_and_shows_errors_next_to_fields(logged_in, case):
    data = CLIENT_SECTION | {"identity_id": ["12.345.678-9"]}

    response = _post(logged_in, case, "client", data)
    page = logged_in.get(response.url)

    assert response.status_code == 302
    html = page.content.decode()
    assert 'value="12.345.678-9"' in html
    assert "The check digit 9 does not match the number before it" in html
    assert 'aria-describedby="id_identity_id-errors id_identity_id-help"' in html
    assert 'aria-invalid="true"' in html


def test_it_moves_on_to_the_next_section(logged_in, case):
    response = _post(logged_in, case, "client", CLIENT_SECTION, fields={"action": "next"})

    assert response.url == reverse("cases:section", args=[case.pk, "sales"])
    case.refresh_from_db()
    assert case.current_section == "sales"
    assert logged_in.get(reverse("cases:resume", args=[case.pk])).url.endswith("/sales/")


def test_it_autosaves_and_answers_with_the_save_state_only(logged_in, case):
    data = CLIENT_SECTION | {"first_name": ["Ju"]}

    response = _post(logged_in, case, "client", data, fields={"action": "autosave"}, **HTMX)

    case.refresh_from_db()
    html = response.content.decode()
    assert case.draft(Section.CLIENT)["first_name"] == ["Ju"]
    assert "Draft saved at" in html
    assert 'id="section-form"' not in html
    assert f'name="version" value="{case.version}" id="case-version" hx-swap-oob="true"' in html
    assert 'id="stepper" aria-label="Sections" hx-swap-oob="true"' in html


def test_it_does_not_write_when_autosave_sends_what_is_stored(logged_in, case, rm):
    saved = case_section_save(
        case=case, section=Section.CLIENT, raw=CLIENT_SECTION, version=case.version, user=rm
    ).case

    _post(logged_in, saved, "client", CLIENT_SECTION, fields={"action": "autosave"}, **HTMX)

    assert Case.objects.get(pk=case.pk).version == saved.version


def test_it_tells_the_autosave_that_the_case_changed_elsewhere(logged_in, case, rm):
    stale_version = case.version
    case_section_save(
        case=case, section=Section.CLIENT, raw=CLIENT_SECTION, version=case.version, user=rm
    )

    response = logged_in.post(
        reverse("cases:section", args=[case.pk, "client"]),
        {**CLIENT_SECTION, "first_name": ["Juana"], "version": stale_version, "action": "autosave"},
        **HTMX,
    )

    assert response.status_code == 409
    assert b"Not saved: someone changed this section meanwhile." in response.content
    assert b"Reload the case" in response.content
    assert Case.objects.get(pk=case.pk).draft(Section.CLIENT)["first_name"] == ["Juan"]


def test_it_refuses_a_stale_save_without_losing_the_entries(logged_in, case, rm):
    case_section_save(
        case=case, section=Section.CLIENT, raw=CLIENT_SECTION, version=case.version, user=rm
    )
    stale = case.version - 1
    data = CLIENT_SECTION | {"first_name": ["Juana"]}

    response = logged_in.post(
        reverse("cases:section", args=[case.pk, "client"]), {**data, "version": stale}
    )
    page = logged_in.get(response.url)

    assert response.status_code == 302
    assert "?conflict=" in response.url
    assert page.status_code == 409
    assert b"your save was not applied" in page.content
    assert b'value="Juana"' in page.content
    assert b"Reload the latest version" in page.content
    case.refresh_from_db()
    assert case.draft(Section.CLIENT)["first_name"] == ["Juan"]


def test_it_adds_and_removes_address_rows(logged_in, case):
    base = {"addresses-TOTAL_FORMS": ["1"], "addresses-INITIAL_FORMS": ["0"]}
    base |= {"addresses-0-street_name": ["Apoquindo"], "addresses-0-country": ["CHL"]}

    _post(logged_in, case, "sales", base, fields={"action": "add:addresses"})
    case.refresh_from_db()
    assert case.draft(Section.SALES)["addresses-TOTAL_FORMS"] == ["2"]

    data = case.draft(Section.SALES)
    response = _post(
        logged_in, case, "sales", data, fields={"action": "remove:addresses:0"}, **HTMX
    )
    case.refresh_from_db()
    assert case.draft(Section.SALES)["addresses-TOTAL_FORMS"] == ["1"]
    assert "addresses-0-street_name" not in case.draft(Section.SALES)
    assert b"<html" not in response.content
    assert b'id="section-form"' in response.content
    assert b"Address 1 (Apoquindo) was removed." in response.content


def test_it_offers_the_cities_of_the_chosen_country(logged_in, case):
    data = {"addresses-TOTAL_FORMS": ["1"], "addresses-0-country": ["CHL"]}

    response = _post(logged_in, case, "sales", data, **HTMX)

    assert b'<option value="Valpara\xc3\xadso">' in response.content


def test_it_swaps_in_the_cities_of_a_rows_country_without_saving(logged_in, case):
    sales = logged_in.get(reverse("cases:section", args=[case.pk, "sales"])).content.decode()
    url = reverse("cases:cities", args=[case.pk])

    response = logged_in.get(url, {"prefix": "addresses-0", "addresses-0-country": "CHL"}, **HTMX)

    html = response.content.decode()
    assert f'hx-get="{url}"' in sales
    assert 'hx-target="next .field-city"' in sales
    assert 'class="field field-city' in html
    assert 'name="addresses-0-city"' in html
    assert '<option value="Valparaíso">' in html
    assert "<html" not in html
    assert Case.objects.get(pk=case.pk).version == case.version


def test_it_lets_the_rm_type_the_city_where_altafid_has_no_list(logged_in, case):
    url = reverse("cases:cities", args=[case.pk])

    response = logged_in.get(url, {"prefix": "addresses-1", "addresses-1-country": "ISL"})

    assert b'<input type="text" name="addresses-1-city"' in response.content


def test_it_refuses_a_city_request_for_a_made_up_row(logged_in, case):
    url = reverse("cases:cities", args=[case.pk])

    assert logged_in.get(url, {"prefix": "../x"}).status_code == 404
    assert logged_in.post(url, {"prefix": "addresses-0"}).status_code == 405


@pytest.mark.parametrize("name", ["section", "review", "resume", "cities"])
def test_it_hides_another_tenants_case_and_another_rms_case(logged_in, rm, tenant, name):
    stranger = staff_create(tenants=[TenantFactory()])
    colleague = staff_create(tenants=[tenant])
    foreign = case_create(tenant=stranger.staff_profile.tenants.get(), owner=stranger)
    colleagues = case_create(tenant=tenant, owner=colleague)
    args = {"section": ["client"], "review": [], "resume": [], "cities": []}[name]

    for other in (foreign, colleagues):
        response = logged_in.get(reverse(f"cases:{name}", args=[other.pk, *args]))
        assert response.status_code == 404


def test_it_lets_a_compliance_officer_open_any_case_of_the_tenant(client, case, tenant):
    officer = staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant])
    client.force_login(officer)

    assert client.get(reverse("cases:section", args=[case.pk, "client"])).status_code == 200


def test_it_answers_405_to_a_wrong_method(logged_in, case):
    assert logged_in.put(reverse("cases:section", args=[case.pk, "client"])).status_code == 405
    assert logged_in.post(reverse("cases:review", args=[case.pk])).status_code == 405
    assert logged_in.put(reverse("cases:list")).status_code == 405


def test_it_answers_404_for_an_unknown_section(logged_in, case):
    assert logged_in.get(reverse("cases:section", args=[case.pk, "nope"])).status_code == 404


def test_it_shows_the_json_of_the_five_calls_on_review(logged_in, case, rm):
    case_section_save(
        case=case, section=Section.CLIENT, raw=CLIENT_SECTION, version=case.version, user=rm
    )

    response = logged_in.get(reverse("cases:review", args=[case.pk]))

    html = response.content.decode()
    assert "POST /api/contacts" in html
    assert "&quot;paternalLastName&quot;: &quot;García&quot;" in html
    assert "&quot;phoneNumber&quot;: &quot;961234567&quot;" in html
    assert "/credentials/init" in html


def test_it_shows_chosen_options_by_their_labels_on_review(logged_in, case, rm):
    saved = case_section_save(
        case=case, section=Section.CLIENT, raw=CLIENT_SECTION, version=case.version, user=rm
    ).case
    sales = {
        "addresses-TOTAL_FORMS": ["1"],
        "addresses-0-street_name": ["Apoquindo"],
        "addresses-0-country": ["CHL"],
    }
    case_section_save(case=saved, section=Section.SALES, raw=sales, version=saved.version, user=rm)

    html = logged_in.get(reverse("cases:review", args=[case.pk])).content.decode()

    assert "<dt>Contact type</dt><dd>Subscriber</dd>" in html
    assert "<dt>Issuing country of the identity document</dt><dd>Chile</dd>" in html
    assert '<h3 class="summary-heading">Address 1</h3>' in html
    assert "<dt>Street</dt><dd>Apoquindo</dd>" in html


def test_it_speaks_spanish_on_the_section_pages(logged_in, case):
    logged_in.cookies["django_language"] = "es"

    html = logged_in.get(reverse("cases:section", args=[case.pk, "compliance"])).content.decode()
    client = logged_in.get(reverse("cases:section", args=[case.pk, "client"])).content.decode()

    assert "Apellido paterno" in client
    assert "Personas expuestas políticamente" in html
    assert "Guardar borrador" in html
    assert "Paternal last name" not in client


def test_it_keeps_the_search_term_out_of_every_url(logged_in, case, rm):
    case_section_save(
        case=case, section=Section.CLIENT, raw=CLIENT_SECTION, version=case.version, user=rm
    )

    response = logged_in.post(reverse("cases:list"), {"q": "12.345.678-5", "status": ""})
    page = logged_in.get(response.url)
    fragment = logged_in.post(reverse("cases:list"), {"q": "12.345.678-5"}, **HTMX)

    assert response.status_code == 302
    assert "12" not in response.url
    assert response.url.endswith("?status=&search=1")
    assert "Juan García López" in page.content.decode()
    assert "12.345.678-5" not in fragment["HX-Push-Url"]
    assert "Juan García López" in fragment.content.decode()
    assert "Juan García López" in logged_in.get(reverse("cases:list")).content.decode()
    assert "No onboarding matches." not in page.content.decode()


def test_it_marks_the_fields_in_error_as_soon_as_it_autosaves(logged_in, case):
    data = CLIENT_SECTION | {"first_name": [""], "preferred_email": ["not-an-address"]}

    response = _post(logged_in, case, "client", data, fields={"action": "autosave"}, **HTMX)

    html = response.content.decode()
    assert "1 to fix" not in html
    assert (
        '<div class="field-feedback" id="id_first_name-errors" hx-swap-oob="true">'
        '<ul class="field-error"><li>This field is required.</li>'
    ) in html
    assert '<div class="field-feedback" id="id_preferred_email-errors" hx-swap-oob="true">' in html
    assert (
        '<div class="field-feedback" id="id_paternal_last_name-errors" hx-swap-oob="true"></div>'
    ) in html
    assert 'id="section-form"' not in html


def test_it_shows_pep_rows_only_when_the_client_is_declared_a_pep(logged_in, case):
    url = reverse("cases:section", args=[case.pk, "compliance"])

    hidden = logged_in.get(url).content.decode()
    _post(logged_in, case, "compliance", {"related_to_pep": ["on"]}, fields={"action": "save"})
    shown = logged_in.get(url).content.decode()

    assert 'id="rows-peps" hidden' in hidden
    assert 'id="rows-peps">' in shown


def test_it_puts_review_errors_beside_their_fields_in_the_order_of_the_form(logged_in, case):
    data = CLIENT_SECTION | {"first_name": [""], "preferred_email": ["not-an-address"]}
    _post(logged_in, case, "client", data, fields={"action": "save"})

    html = logged_in.get(reverse("cases:review", args=[case.pk])).content.decode()

    first = html.index('<dt>First name</dt><dd>—<ul class="field-error">')
    email = html.index('<dt>E-mail</dt><dd>not-an-address<ul class="field-error">')
    assert first < email
    assert f'href="/cases/{case.pk}/client/#id_first_name">This field is required.</a>' in html


def test_it_calls_a_section_complete_only_once_something_is_entered(logged_in, case):
    empty_address_row = {"addresses-TOTAL_FORMS": ["1"], "addresses-INITIAL_FORMS": ["0"]}
    _post(logged_in, case, "sales", empty_address_row, fields={"action": "save"})
    case.refresh_from_db()
    _post(logged_in, case, "client", CLIENT_SECTION, fields={"action": "save"})

    html = logged_in.get(reverse("cases:section", args=[case.pk, "sales"])).content.decode()

    stepper = html.split('id="stepper"')[1].split("</nav>")[0]
    sales = stepper.split("Sales profile")[1].split("</li>")[0]
    client = stepper.split("Client")[1].split("</li>")[0]
    assert "nothing entered" in sales
    assert "complete" in client
