"""Lookups that survive Altafid's faults: retries, shapes we can read, contract errors."""

import pytest
from pydantic import TypeAdapter

from onboarding.altafid.lookups import Industry, PhoneCode, shape_of
from onboarding.lookups.kinds import LookupKind
from onboarding.lookups.services import (
    TRIES,
    lookups_contract_errors,
    lookups_get,
    lookups_retry,
)
from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant(settings):
    return TenantFactory(altafid_uuid=settings.ALTAFID_TENANT_UUID)


def test_it_fills_the_dropdown_when_a_fetch_fails_once_then_succeeds(sandbox, tenant):
    sandbox.fail_next("unavailable", method="GET", path_prefix="/api/core/platformconfigs")

    stages = lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])[LookupKind.STAGES]

    assert stages.options
    assert not stages.stale
    assert sandbox.request_count(path_prefix="/api/core/platformconfigs/v1/contacts/stages") == 2


def test_it_tries_again_after_altafid_answers_with_a_server_error(sandbox, tenant):
    sandbox.fail_next("server_error", method="GET", path_prefix="/api/core/platformconfigs")

    stages = lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])[LookupKind.STAGES]

    assert stages.options
    assert sandbox.request_count(path_prefix="/api/core/platformconfigs/v1/contacts/stages") == 2


def test_it_asks_again_on_the_next_page_for_a_list_it_never_had(sandbox, tenant):
    sandbox.fail_next("unavailable", method="GET", path_prefix="/api/core/platformconfigs", times=3)
    first = lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])[LookupKind.STAGES]

    second = lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])[LookupKind.STAGES]

    assert not first.available
    assert second.options
    assert sandbox.request_count(path_prefix="/api/core/platformconfigs/v1/contacts/stages") == 4


def test_it_calls_a_list_it_never_had_unavailable_not_out_of_date(sandbox, tenant):
    sandbox.fail_next(
        "server_error", method="GET", path_prefix="/api/core/platformconfigs", times=TRIES
    )

    stages = lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])[LookupKind.STAGES]

    assert not stages.available
    assert not stages.stale


def test_it_asks_again_at_once_when_someone_asks_to_try_again(sandbox, tenant):
    sandbox.fail_next(
        "drop_before", method="GET", path_prefix="/api/core/platformconfigs", times=TRIES
    )
    lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])
    waiting = lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])[LookupKind.STAGES]
    asked = sandbox.request_count(path_prefix="/api/core/platformconfigs/v1/contacts/stages")

    lookups_retry(tenant=tenant, kinds=[LookupKind.STAGES])
    stages = lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])[LookupKind.STAGES]

    assert not waiting.available
    assert asked == TRIES
    assert stages.options
    assert sandbox.request_count(path_prefix="/api/core/platformconfigs/v1/contacts/stages") == 4


def test_it_gives_up_on_a_refusal_at_once(sandbox, tenant, settings):
    settings.ALTAFID_BASE_URL = sandbox.base_url + "/nowhere"

    stages = lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])[LookupKind.STAGES]

    assert not stages.available
    assert sandbox.request_count(path_prefix="/nowhere") == 1


@pytest.mark.parametrize(
    "body",
    [
        ["+56"],
        ["56"],
        [{"countryCode": "CL", "phoneCode": "+56"}],
        [{"iso3": "CHL", "dialCode": "56"}],
        [{"country": "CL", "phoneCountryCode": 56}],
        [{"cca2": "CL", "code": "+56", "name": "Chile"}],
        [{"countryCode": "CL", "countryName": "Chile", "phoneCode": "+56"}],
    ],
)
def test_it_reads_every_plausible_phone_code_shape(body):
    [code] = TypeAdapter(list[PhoneCode]).validate_python(body)

    assert code.phone_code == "+56"
    assert code.country_name == "Chile"


@pytest.mark.parametrize(
    ("body", "name", "label"),
    [
        (["Mining"], "Mining", "Mining"),
        ([{"name": "MINING", "displayName": "Mining"}], "MINING", "Mining"),
        ([{"code": "MIN", "label": "Mining"}], "MIN", "Mining"),
    ],
)
def test_it_reads_every_plausible_industry_shape(body, name, label):
    [industry] = TypeAdapter(list[Industry]).validate_python(body)

    assert (industry.name, industry.display_name) == (name, label)


def test_it_falls_back_to_phonenumbers_for_phone_codes_in_an_unknown_shape(sandbox, tenant):
    sandbox.set_lookup("phone-codes", [{"prefix": "?"}], tenant_uuid=tenant.altafid_uuid)

    codes = lookups_get(tenant=tenant, kinds=[LookupKind.PHONE_CODES])[LookupKind.PHONE_CODES]

    assert codes.built_in
    assert ("+56", "Chile (+56)") in codes.options
    errors = lookups_contract_errors(tenant=tenant)
    assert errors[LookupKind.PHONE_CODES]["shape"].endswith("a list of dict with keys prefix")


def test_it_tells_a_list_it_cannot_read_from_one_it_cannot_reach(sandbox, tenant):
    sandbox.set_lookup("stages", [{"weird": True}], tenant_uuid=tenant.altafid_uuid)

    stages = lookups_get(tenant=tenant, kinds=[LookupKind.STAGES])[LookupKind.STAGES]

    assert stages.unreadable
    assert not stages.available
    assert LookupKind.STAGES in lookups_contract_errors(tenant=tenant)


def test_it_describes_a_shape_without_its_values():
    assert shape_of([{"name": "Juan", "rut": "12345678-5"}]) == "a list of dict with keys name, rut"
    assert shape_of({"content": []}) == "an object with keys content"
    assert shape_of("x") == "a str"
