import time

import pytest
from django.core.management import CommandError, call_command

from onboarding.altafid.sandbox.faults import Faults
from onboarding.lookups.kinds import LookupKind
from onboarding.lookups.services import lookups_get, lookups_refresh_all
from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db

CONFIG_ITEMS = [
    {"code": "late", "displayName": "Late", "enabled": True, "deleted": False, "sortOrder": 3},
    {"code": "off", "displayName": "Off", "enabled": False, "deleted": False, "sortOrder": 0},
    {"code": "gone", "displayName": "Gone", "enabled": True, "deleted": True, "sortOrder": 1},
    {"code": "early", "displayName": "Early", "enabled": True, "deleted": False, "sortOrder": 2},
]


@pytest.fixture
def tenant(settings):
    return TenantFactory(altafid_uuid=settings.ALTAFID_TENANT_UUID)


@pytest.mark.parametrize("kind", [LookupKind.STAGES, LookupKind.SOURCES, LookupKind.SEGMENTS])
def test_it_offers_only_live_items_in_sort_order(sandbox, tenant, kind):
    sandbox.set_lookup(kind.value, CONFIG_ITEMS)

    choices = lookups_get(tenant=tenant, kinds=[kind])[kind]

    assert choices.options == [("early", "Early"), ("late", "Late")]
    assert choices.available
    assert not choices.stale


def test_it_labels_countries_phone_codes_and_industries(sandbox, tenant):
    kinds = [LookupKind.COUNTRIES, LookupKind.PHONE_CODES, LookupKind.INDUSTRIES]

    found = lookups_get(tenant=tenant, kinds=kinds)

    assert ("CHL", "Chile") in found[LookupKind.COUNTRIES].options
    assert ("+56", "Chile (+56)") in found[LookupKind.PHONE_CODES].options
    assert len(found[LookupKind.INDUSTRIES].options) > 3


def test_it_fetches_the_cities_of_one_country(sandbox, tenant):
    found = lookups_get(tenant=tenant, kinds=[LookupKind.CITIES], country="CHL")

    assert ("Santiago", "Santiago") in found[LookupKind.CITIES].options
    assert sandbox.request_count(path_prefix="/api/core/geo/v1/cities") == 1


def test_it_asks_altafid_nothing_for_cities_without_a_country(sandbox, tenant):
    found = lookups_get(tenant=tenant, kinds=[LookupKind.CITIES])

    assert not found[LookupKind.CITIES].available
    assert sandbox.request_count() == 0


def test_it_makes_no_call_when_the_cache_is_warm(sandbox, tenant):
    kinds = list(LookupKind)
    lookups_get(tenant=tenant, kinds=kinds, country="ARG")
    calls_when_cold = sandbox.request_count()

    lookups_get(tenant=tenant, kinds=kinds, country="ARG")

    assert calls_when_cold >= len(kinds)
    assert sandbox.request_count() == calls_when_cold


def test_it_keeps_tenants_apart(sandbox, tenant):
    other = TenantFactory()
    sandbox.set_lookup("stages", CONFIG_ITEMS, tenant_uuid=other.altafid_uuid)

    mine = lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])[LookupKind.STAGES]
    theirs = lookups_get(tenant=other, kinds=[LookupKind.STAGES])[LookupKind.STAGES]

    assert theirs.options == [("early", "Early"), ("late", "Late")]
    assert mine.options != theirs.options


def test_it_refetches_a_list_older_than_its_time_to_live(sandbox, tenant, settings):
    lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])
    settings.LOOKUPS_TTL_SECONDS = 0
    sandbox.set_lookup("stages", CONFIG_ITEMS)

    choices = lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])[LookupKind.STAGES]

    assert choices.options == [("early", "Early"), ("late", "Late")]
    assert sandbox.request_count(path_prefix="/api/core/platformconfigs") == 2


@pytest.mark.parametrize("outage", ["unavailable", "unreachable"])
def test_it_serves_the_last_good_list_marked_stale_when_altafid_is_down(
    sandbox, tenant, settings, outage
):
    fresh = lookups_get(tenant=tenant, kinds=[LookupKind.COUNTRIES])[LookupKind.COUNTRIES]
    settings.LOOKUPS_TTL_SECONDS = 0
    if outage == "unavailable":
        sandbox.set_faults(Faults(error_rate=1.0, kinds=("unavailable",)))
    else:
        settings.ALTAFID_BASE_URL = "http://127.0.0.1:9"

    served = lookups_get(tenant=tenant, kinds=[LookupKind.COUNTRIES])[LookupKind.COUNTRIES]

    assert served.stale
    assert served.options == fresh.options
    assert served.fetched_at == fresh.fetched_at


def test_it_backs_off_after_a_failed_refresh(sandbox, tenant, settings):
    lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])
    settings.LOOKUPS_TTL_SECONDS = 0
    sandbox.set_faults(Faults(error_rate=1.0, kinds=("unavailable",)))
    lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])
    calls_after_failure = sandbox.request_count()

    again = lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])[LookupKind.STAGES]

    assert again.stale
    assert sandbox.request_count() == calls_after_failure


def test_it_says_a_list_is_unavailable_when_it_never_loaded(sandbox, tenant):
    sandbox.set_faults(Faults(error_rate=1.0, kinds=("unavailable_empty",)))

    choices = lookups_get(tenant=tenant, kinds=[LookupKind.SEGMENTS])[LookupKind.SEGMENTS]

    assert not choices.available
    assert choices.options == []


def test_it_refreshes_every_tenant_and_the_cities_in_use(sandbox, tenant):
    other = TenantFactory()
    lookups_get(tenant=tenant, kinds=[LookupKind.CITIES], country="PER")
    before = time.time()

    outcome = lookups_refresh_all()

    assert set(outcome) == {tenant.altafid_uuid, other.altafid_uuid}
    assert all(outcome[tenant.altafid_uuid].values())
    assert "cities:PER" in outcome[tenant.altafid_uuid]
    cities = lookups_get(tenant=tenant, kinds=[LookupKind.CITIES], country="PER")
    assert cities[LookupKind.CITIES].fetched_at >= before


def test_it_refreshes_from_the_command_line(sandbox, tenant, capsys):
    call_command("refresh_lookups")

    assert "all fresh" in capsys.readouterr().out
    assert sandbox.request_count(path_prefix="/api/core/geo/v1/countries") == 1


def test_it_reports_lists_it_could_not_fetch_and_goes_on(sandbox, tenant, settings, capsys):
    settings.ALTAFID_BASE_URL = "http://127.0.0.1:9"

    call_command("refresh_lookups")

    assert "could not fetch: countries" in capsys.readouterr().err
    with pytest.raises(CommandError, match="could not be refreshed"):
        call_command("refresh_lookups", "--strict")


def test_it_schedules_the_refresh_with_beat(settings):
    from onboarding.celery import app

    task_names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "onboarding.lookups.tasks.refresh_all_lookups" in task_names
    app.loader.import_default_modules()
    assert task_names <= set(app.tasks)
