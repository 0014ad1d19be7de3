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


def test_it_starts_a_case_and_opens_its_first_section(logged_in, rm):
    response = logged_in.post(reverse("cases:new"))

    case = Case.objects.get(owner=rm)
    assert response.url == reverse("cases:section", args=[case.pk, "client"])
    assert logged_in.get(reverse("cases:new")).status_code == 405


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
