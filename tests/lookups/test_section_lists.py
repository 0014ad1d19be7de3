"""A section whose dropdown list Altafid could not give: what the page says, and "Try again"."""

import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.altafid.lookups import STAGES_PATH
from onboarding.cases.demo import SALES
from onboarding.cases.models import Section
from onboarding.cases.services import case_create, case_section_save
from onboarding.lookups.services import TRIES
from tests.factories import TenantFactory, staff_create

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
COULD_NOT_LOAD = "This list could not be loaded from Altafid."
TRY_AGAIN = '<button type="submit" name="action" value="lookups-retry"'
OUT_OF_DATE = (
    "Some lists could not be refreshed from Altafid and may be out of date: Pipeline stage."
)
UNAVAILABLE = "Some lists could not be loaded from Altafid: Pipeline stage."


@pytest.fixture
def tenant(settings, sandbox):
    return TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)


@pytest.fixture
def rm(tenant):
    return staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")


@pytest.fixture
def case(tenant, rm):
    return case_create(tenant=tenant, owner=rm)


@pytest.fixture
def logged_in(client, rm):
    client.force_login(rm)
    return client


def _stages_fail(sandbox, kind="unavailable"):
    """Altafid fails every try of one reading of the stages."""
    sandbox.fail_next(kind, method="GET", path_prefix=STAGES_PATH, times=TRIES)


def _url(case, section=Section.SALES):
    return reverse("cases:section", args=[case.pk, section.value])


def _stage_asked(sandbox):
    return sandbox.request_count(path_prefix=STAGES_PATH)


def test_it_says_a_list_it_never_had_could_not_be_loaded_and_offers_to_try_again(
    logged_in, case, sandbox
):
    _stages_fail(sandbox)

    page = logged_in.get(_url(case)).content.decode()

    assert COULD_NOT_LOAD in page
    assert UNAVAILABLE in page
    assert page.count(TRY_AGAIN) == 2  # beside the dropdown, and in the banner
    assert 'aria-describedby="id_stage_name-errors id_stage_name-lookup"' in page
    assert '<option value="" selected>Could not be loaded</option>' in page
    assert "may be out of date" not in page
    assert "List unavailable" not in page


def test_it_says_a_list_kept_from_before_may_be_out_of_date(logged_in, case, sandbox, settings):
    logged_in.get(_url(case))
    settings.LOOKUPS_TTL_SECONDS = 0
    _stages_fail(sandbox)

    page = logged_in.get(_url(case)).content.decode()

    assert OUT_OF_DATE in page
    assert '<option value="conStage002">' in page
    assert COULD_NOT_LOAD not in page
    assert "could not be loaded from Altafid:" not in page
    assert TRY_AGAIN not in page


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_it_asks_altafid_again_when_try_again_is_pressed_and_keeps_what_was_typed(
    logged_in, case, sandbox, htmx
):
    # No answer at all: pages then wait a while before asking again, unless someone asks.
    _stages_fail(sandbox, "drop_before")
    logged_in.get(_url(case))
    assert COULD_NOT_LOAD in logged_in.get(_url(case)).content.decode()
    asked = _stage_asked(sandbox)
    typed = {"display_name": "Juanito", "annual_income": "1.000.000", "stage_name": ""}

    response = logged_in.post(
        _url(case),
        {**typed, "version": case.version, "action": "lookups-retry"},
        **(HTMX if htmx else {}),
    )

    page = (response if htmx else logged_in.get(response.url)).content.decode()
    case.refresh_from_db()
    assert _stage_asked(sandbox) == asked + 1
    assert response.status_code == (200 if htmx else 302)
    assert '<option value="conStage002">' in page
    assert COULD_NOT_LOAD not in page
    assert 'value="Juanito"' in page
    assert case.draft(Section.SALES)["display_name"] == ["Juanito"]
    assert case.draft(Section.SALES)["annual_income"] == ["1000000"]


def test_it_waits_before_asking_again_when_nobody_asks(logged_in, case, sandbox):
    _stages_fail(sandbox, "drop_before")
    logged_in.get(_url(case))
    asked = _stage_asked(sandbox)

    page = logged_in.get(_url(case)).content.decode()

    assert _stage_asked(sandbox) == asked
    assert COULD_NOT_LOAD in page


def test_it_shows_and_keeps_the_saved_value_while_the_list_cannot_be_loaded(
    logged_in, case, rm, sandbox
):
    sandbox.fail_next("unavailable", method="GET", path_prefix=STAGES_PATH, times=100)
    case = case_section_save(
        case=case, section=Section.SALES, raw=SALES, version=case.version, user=rm
    ).case

    page = logged_in.get(_url(case)).content.decode()
    saved = logged_in.post(
        _url(case),
        {**SALES, "display_name": "Juanito", "version": case.version, "action": "save"},
    )

    case.refresh_from_db()
    assert '<option value="conStage002" selected>conStage002 (as saved)</option>' in page
    assert saved.status_code == 302
    assert case.draft(Section.SALES)["stage_name"] == ["conStage002"]
    assert case.draft(Section.SALES)["display_name"] == ["Juanito"]


def test_it_saves_a_draft_without_the_list(logged_in, case, sandbox):
    sandbox.fail_next("unavailable", method="GET", path_prefix=STAGES_PATH, times=100)

    response = logged_in.post(
        _url(case), {"display_name": "Juanito", "version": case.version, "action": "save"}
    )

    case.refresh_from_db()
    assert response.status_code == 302
    assert case.draft(Section.SALES)["display_name"] == ["Juanito"]


def test_it_lets_someone_who_only_reads_the_section_ask_for_the_list_again(
    client, case, sandbox, tenant
):
    officer = staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant])
    client.force_login(officer)
    _stages_fail(sandbox, "drop_before")
    first = client.get(_url(case)).content.decode()

    again = client.get(_url(case), {"lookups": "retry"}).content.decode()

    assert COULD_NOT_LOAD in first
    assert TRY_AGAIN not in first
    assert '<a href="?lookups=retry">Try again</a>' in first
    assert '<option value="conStage002">' in again


def test_it_opens_a_new_onboarding_again_when_nothing_is_typed(logged_in, sandbox):
    sandbox.fail_next(
        "drop_before", method="GET", path_prefix="/api/core/platformconfigs", times=100
    )
    page = logged_in.get(reverse("cases:new")).content.decode()
    sandbox.reset()

    response = logged_in.post(reverse("cases:new"), {"action": "lookups-retry"}, follow=True)

    html = response.content.decode()
    assert "Some lists could not be loaded from Altafid: Contact source, Market segment." in page
    assert response.redirect_chain == [(reverse("cases:new"), 302)]
    assert COULD_NOT_LOAD not in html
    assert "Nothing is entered yet" not in html


def test_it_shows_a_reader_the_saved_value_while_the_list_cannot_be_loaded(
    client, case, rm, sandbox, tenant
):
    sandbox.fail_next("unavailable", method="GET", path_prefix=STAGES_PATH, times=100)
    case_section_save(case=case, section=Section.SALES, raw=SALES, version=case.version, user=rm)
    client.force_login(staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant]))

    page = client.get(_url(case)).content.decode()

    assert '<option value="conStage002" selected>conStage002 (as saved)</option>' in page
    assert 'value="Juan García"' in page


def test_it_does_not_offer_to_try_again_for_a_list_it_cannot_read(logged_in, case, sandbox):
    sandbox.set_lookup("stages", [{"weird": True}])

    page = logged_in.get(_url(case)).content.decode()

    assert "Altafid sent some lists in a form this app cannot read: Pipeline stage." in page
    assert "This list cannot be read; administrators can see why" in page
    assert COULD_NOT_LOAD not in page
    assert TRY_AGAIN not in page
