"""Money and time in the tenant's terms: each tenant has a currency and a time zone, set by a
deployment administrator, and its pages show times in its zone."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from onboarding.accounts.models import Tenant
from onboarding.accounts.roles import Role
from onboarding.cases.models import Case
from onboarding.cases.services import case_create
from tests.factories import TenantFactory, staff_create

pytestmark = pytest.mark.django_db

# 15:00 UTC on a January day: 12:00 in Santiago (summer time, UTC-3).
AT = datetime.datetime(2026, 1, 15, 15, 0, tzinfo=datetime.UTC)


def test_it_gives_a_new_tenant_chilean_pesos_and_santiagos_time():
    tenant = Tenant.objects.create(name="Andes Capital", altafid_uuid="T1")

    assert (tenant.currency, tenant.time_zone) == ("CLP", "America/Santiago")
    assert str(tenant.zone) == "America/Santiago"


@pytest.mark.parametrize(
    ("currency", "time_zone", "wrong"),
    [
        ("CLP", "America/Santiago", set()),
        ("usd", "Europe/Madrid", set()),
        ("XYZ", "America/Santiago", {"currency"}),
        ("PESO", "America/Santiago", {"currency"}),
        ("CLP", "America/Valparaiso", {"time_zone"}),
        ("CLP", "localtime", {"time_zone"}),
        ("CLP", "america/santiago", {"time_zone"}),
    ],
)
def test_it_accepts_only_a_real_currency_and_time_zone(currency, time_zone, wrong):
    tenant = Tenant(name="Andes Capital", altafid_uuid="T1", currency=currency, time_zone=time_zone)

    if not wrong:
        tenant.full_clean()
        assert tenant.currency == currency.upper()
        return
    with pytest.raises(ValidationError) as caught:
        tenant.full_clean()
    assert set(caught.value.message_dict) == wrong


def test_it_lets_a_deployment_administrator_set_them_in_django_admin(admin_client):
    tenant = TenantFactory()
    url = reverse("admin:accounts_tenant_change", args=[tenant.pk])
    data = {
        "name": tenant.name,
        "altafid_uuid": tenant.altafid_uuid,
        "privacy_notice_version": "1.0",
    }

    refused = admin_client.post(url, {**data, "currency": "XYZ", "time_zone": "Mars/Olympus"})
    saved = admin_client.post(url, {**data, "currency": "usd", "time_zone": "Europe/Madrid"})

    assert refused.status_code == 200
    assert "is not an ISO 4217 currency code" in refused.content.decode()
    assert "is not a time zone of the IANA database" in refused.content.decode()
    assert saved.status_code == 302
    tenant.refresh_from_db()
    assert (tenant.currency, tenant.time_zone) == ("USD", "Europe/Madrid")


@pytest.mark.parametrize(("zone", "shown"), [("America/Santiago", "12:00"), ("UTC", "15:00")])
def test_it_shows_times_in_the_tenants_time_zone(client, zone, shown):
    tenant = TenantFactory(time_zone=zone)
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant])
    case = case_create(tenant=tenant, owner=rm)
    Case.objects.filter(pk=case.pk).update(created_at=AT, updated_at=AT)
    client.force_login(rm)

    listed = client.get(reverse("cases:list")).content.decode()
    overview = client.get(reverse("cases:overview", args=[case.pk])).content.decode()

    assert f"15 Jan 2026 {shown}</time>" in listed
    assert f"15 Jan 2026 {shown}</time>" in overview


def test_it_shows_each_person_the_zone_of_the_tenant_they_work_in(client):
    santiago = TenantFactory(time_zone="America/Santiago")
    madrid = TenantFactory(time_zone="Europe/Madrid")
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[santiago, madrid])
    case = case_create(tenant=madrid, owner=rm)
    Case.objects.filter(pk=case.pk).update(created_at=AT, updated_at=AT)
    client.force_login(rm)

    client.post(reverse("accounts:tenant-switch"), {"tenant": madrid.pk})
    page = client.get(reverse("cases:list")).content.decode()

    assert "15 Jan 2026 16:00</time>" in page


def test_it_leaves_no_time_zone_active_after_a_request(client):
    tenant = TenantFactory(time_zone="Asia/Tokyo")
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant])
    client.force_login(rm)

    client.get(reverse("cases:list"))

    assert timezone.get_current_timezone_name() == "UTC"
