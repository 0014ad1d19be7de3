"""The admin's preview of the tenant's lookup lists, on the health page."""

import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.altafid.sandbox.faults import Faults
from tests.factories import TenantFactory, staff_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(settings):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    return staff_create(role=Role.ADMIN, tenants=[tenant])


def test_it_shows_every_dropdown_from_altafid(client, admin, sandbox):
    client.force_login(admin)

    response = client.get(reverse("health:status"))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<option value="CHL">Chile</option>' in page
    assert sandbox.request_count(path_prefix="/api/core/platformconfigs/v1/contacts/stages") == 1


def test_it_fills_the_cities_of_the_chosen_country(client, admin, sandbox):
    client.force_login(admin)

    response = client.get(reverse("health:status"), {"country": "CHL"})

    assert '<option value="Santiago">Santiago</option>' in response.content.decode()


def test_it_answers_htmx_with_only_the_city_fragment(client, admin, sandbox):
    client.force_login(admin)

    response = client.get(
        reverse("health:status"),
        {"country": "CHL"},
        headers={"HX-Request": "true", "HX-Target": "city-field"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div class="field" id="city-field">')
    assert "Santiago" in page
    assert "<html" not in page


def test_it_renders_every_dropdown_without_calling_altafid_when_warm(client, admin, sandbox):
    client.force_login(admin)
    client.get(reverse("health:status"), {"country": "CHL"})
    calls_when_cold = sandbox.request_count()

    response = client.get(reverse("health:status"), {"country": "CHL"})

    assert "Santiago" in response.content.decode()
    assert calls_when_cold > 0
    assert sandbox.request_count() == calls_when_cold


def test_it_says_the_lists_may_be_out_of_date_when_altafid_is_down(
    client, admin, sandbox, settings
):
    client.force_login(admin)
    client.get(reverse("health:status"))
    settings.LOOKUPS_TTL_SECONDS = 0
    sandbox.set_faults(Faults(error_rate=1.0, kinds=("unavailable",)))

    response = client.get(reverse("health:status"))

    page = response.content.decode()
    assert "may be out of date" in page
    assert '<option value="CHL">Chile</option>' in page


def test_it_says_which_lists_could_not_be_loaded(client, admin, sandbox):
    client.force_login(admin)
    sandbox.set_faults(Faults(error_rate=1.0, kinds=("unavailable_empty",)))

    response = client.get(reverse("health:status"))

    assert "could not be loaded" in response.content.decode()


def test_it_keeps_the_preview_from_relationship_managers(client, admin):
    rm = staff_create(
        role=Role.RELATIONSHIP_MANAGER, tenants=list(admin.staff_profile.tenants.all())
    )
    client.force_login(rm)

    assert client.get(reverse("health:status"), {"country": "CHL"}).status_code == 403
