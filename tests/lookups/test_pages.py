import pytest
from django.urls import reverse

from onboarding.altafid.sandbox.faults import Faults
from tests.factories import TenantFactory, staff_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def rm(settings):
    return staff_create(tenants=[TenantFactory(altafid_uuid=settings.ALTAFID_TENANT_UUID)])


def test_it_renders_every_dropdown_without_calling_altafid_when_warm(client, rm, sandbox):
    client.force_login(rm)
    client.get(reverse("accounts:home"), {"country": "CHL"})
    calls_when_cold = sandbox.request_count()

    response = client.get(reverse("accounts:home"), {"country": "CHL"})

    assert response.status_code == 200
    assert "Santiago" in response.content.decode()
    assert calls_when_cold > 0
    assert sandbox.request_count() == calls_when_cold


def test_it_says_the_lists_may_be_out_of_date_when_altafid_is_down(client, rm, sandbox, settings):
    client.force_login(rm)
    client.get(reverse("accounts:home"))
    settings.LOOKUPS_TTL_SECONDS = 0
    sandbox.set_faults(Faults(error_rate=1.0, kinds=("unavailable",)))

    response = client.get(reverse("accounts:home"))

    page = response.content.decode()
    assert "may be out of date" in page
    assert '<option value="CHL">Chile</option>' in page


def test_it_says_which_lists_could_not_be_loaded(client, rm, sandbox):
    client.force_login(rm)
    sandbox.set_faults(Faults(error_rate=1.0, kinds=("unavailable_empty",)))

    response = client.get(reverse("accounts:home"))

    assert "could not be loaded" in response.content.decode()
