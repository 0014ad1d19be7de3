"""The tenant's dropdown choices, cached per tenant in the shared cache.

Each list is kept as the last known good copy with the time it was fetched. A copy older
than LOOKUPS_TTL_SECONDS is refreshed on use; when Altafid cannot be reached the old copy is
served, marked stale, and no new attempt is made for FAILURE_BACKOFF_SECONDS so that pages
stay fast while Altafid is down. A list with no copy at all that Altafid answered with an
error for is asked for again by the next page that needs it: a dropdown without choices is
worse than a page that waits a moment (an Altafid that does not answer at all is not).
"""

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import phonenumbers
import pycountry
from django.conf import settings
from django.core.cache import cache

from onboarding.accounts.models import Tenant
from onboarding.altafid import lookups as altafid_lookups
from onboarding.altafid.client import AltafidClient, client_for_tenant
from onboarding.altafid.errors import AltafidBadResponse, AltafidError
from onboarding.lookups.kinds import TENANT_WIDE_KINDS, LookupKind

logger = logging.getLogger(__name__)

Option = tuple[str, str]
# How long a lost copy is kept at all: far beyond any outage we expect to ride out.
KEEP_SECONDS = 30 * 24 * 3600
FAILURE_BACKOFF_SECONDS = 30
_CITY_INDEX_SUFFIX = "cities-requested"


# A lookup GET is idempotent: a transient failure is tried again, briefly, before the list is
# called unavailable (a page waits for it).
TRIES = 3
RETRY_BUDGET_SECONDS = 1.0
RETRY_FIRST_PAUSE_SECONDS = 0.1
# A GET changes nothing, so any answer of a server in trouble is worth another try.
RATE_LIMITED = 429
CONTRACT_KEY = "lookups:contract:{tenant}:{kind}"


@dataclass(frozen=True)
class Choices:
    options: list[Option]
    fetched_at: float | None
    # A copy kept from before, served because Altafid could not give it anew: out of date,
    # perhaps. A list never had is not stale but unavailable.
    stale: bool = False
    # Altafid answered, but in a shape we cannot read: not a matter of trying again soon.
    unreadable: bool = False
    # Not Altafid's list: a stand-in built in (phone codes from phonenumbers).
    built_in: bool = False

    @property
    def available(self) -> bool:
        return self.fetched_at is not None


def _config_options(items: Iterable[altafid_lookups.ConfigItem]) -> list[Option]:
    usable = [item for item in items if item.enabled and not item.deleted]
    usable.sort(key=lambda item: (item.sort_order, item.display_name))
    return [(item.code, item.display_name) for item in usable]


def _fetch_options(client: AltafidClient, kind: LookupKind, country: str | None) -> list[Option]:
    if kind is LookupKind.STAGES:
        return _config_options(altafid_lookups.stages_fetch(client))
    if kind is LookupKind.SOURCES:
        return _config_options(altafid_lookups.sources_fetch(client))
    if kind is LookupKind.SEGMENTS:
        return _config_options(altafid_lookups.segments_fetch(client))
    if kind is LookupKind.INDUSTRIES:
        industries = altafid_lookups.industries_fetch(client)
        return sorted(((i.name, i.display_name) for i in industries), key=lambda o: o[1])
    if kind is LookupKind.COUNTRIES:
        countries = altafid_lookups.countries_fetch(client)
        return sorted(((c.cca3, c.common_name) for c in countries), key=lambda o: o[1])
    if kind is LookupKind.CITIES:
        assert country is not None
        cities = altafid_lookups.cities_fetch(client, country=country)
        return sorted({(c.name, c.name) for c in cities}, key=lambda o: o[1])
    phone_codes = altafid_lookups.phone_codes_fetch(client)
    return sorted(
        ((p.phone_code, f"{p.country_name} ({p.phone_code})") for p in phone_codes),
        key=lambda o: o[1],
    )


def _cache_key(tenant: Tenant, kind: LookupKind, country: str | None = None) -> str:
    suffix = f":{country}" if country else ""
    return f"lookups:v1:{tenant.altafid_uuid}:{kind.value}{suffix}"


def _backoff_key(key: str) -> str:
    return f"{key}:failed"


def _from_entry(entry: dict[str, Any] | None, *, stale: bool = False) -> Choices:
    if entry is None:
        return Choices(options=[], fetched_at=None)
    options = [(str(value), str(label)) for value, label in entry["options"]]
    return Choices(options=options, fetched_at=entry["fetched_at"], stale=stale)


def _is_fresh(entry: dict[str, Any] | None) -> bool:
    return entry is not None and time.time() - entry["fetched_at"] < settings.LOOKUPS_TTL_SECONDS


def _refresh(
    tenant: Tenant,
    kind: LookupKind,
    country: str | None,
    previous: dict[str, Any] | None,
    client_factory: Callable[[], AltafidClient],
) -> Choices:
    key = _cache_key(tenant, kind, country)
    if cache.get(_backoff_key(key)):
        return _fallback(kind, previous)
    try:
        options = _fetch_with_retries(lambda: _fetch_options(client_factory(), kind, country))
    except AltafidBadResponse as error:
        _contract_error_record(tenant, kind, error)
        cache.set(_backoff_key(key), 1, FAILURE_BACKOFF_SECONDS)
        fallback = _fallback(kind, previous)
        return fallback if fallback.available else replace(fallback, unreadable=True)
    except AltafidError as error:
        logger.warning("lookup refresh failed kind=%s tenant=%s error=%s", kind, tenant.pk, error)
        # Pages wait for no unreachable Altafid twice in a row; a list Altafid answered with an
        # error for, and that the tenant never had, is asked for again by the next page.
        if previous is not None or error.status is None:
            cache.set(_backoff_key(key), 1, FAILURE_BACKOFF_SECONDS)
        return _fallback(kind, previous)
    entry = {"options": options, "fetched_at": time.time()}
    cache.set(key, entry, KEEP_SECONDS)
    cache.delete(_backoff_key(key))
    cache.delete(CONTRACT_KEY.format(tenant=tenant.altafid_uuid, kind=kind.value))
    return _from_entry(entry)


def _transient(error: AltafidError) -> bool:
    return error.status is None or error.status >= 500 or error.status == RATE_LIMITED


def _fetch_with_retries(fetch: Callable[[], list[Option]]) -> list[Option]:
    """Tries a fetch again after a transient failure, within a small budget of time."""
    deadline = time.monotonic() + RETRY_BUDGET_SECONDS
    pause = RETRY_FIRST_PAUSE_SECONDS
    for attempt in range(1, TRIES + 1):
        try:
            return fetch()
        except AltafidError as error:
            left = deadline - time.monotonic()
            if attempt == TRIES or not _transient(error) or left <= pause:
                raise
            wait = max(pause, min(error.retry_after or 0.0, left))
            time.sleep(min(wait, left))
            pause *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def _fallback(kind: LookupKind, previous: dict[str, Any] | None) -> Choices:
    """The last list Altafid gave, marked stale; for phone codes, the built-in list if none."""
    if previous is None and kind is LookupKind.PHONE_CODES:
        return Choices(options=phone_codes_built_in(), fetched_at=time.time(), built_in=True)
    return _from_entry(previous, stale=True)


def phone_codes_built_in() -> list[Option]:
    """Every calling code phonenumbers knows, named by country: the RM can still enter a phone."""
    options = []
    for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items():
        for region in regions:
            country = pycountry.countries.get(alpha_2=region)
            if country is not None:
                options.append((f"+{code}", f"{country.name} (+{code})"))
    return sorted(set(options), key=lambda option: option[1])


def _contract_error_record(tenant: Tenant, kind: LookupKind, error: AltafidBadResponse) -> None:
    """Logged once per list while it lasts, with the shape seen (never its values)."""
    key = CONTRACT_KEY.format(tenant=tenant.altafid_uuid, kind=kind.value)
    record = {"at": time.time(), "shape": error.message, "path": error.path}
    if cache.add(key, record, KEEP_SECONDS):
        logger.error(
            "lookup contract error kind=%s tenant=%s path=%s shape=%s",
            kind,
            tenant.pk,
            error.path,
            error.message,
        )


def lookups_contract_errors(*, tenant: Tenant) -> dict[LookupKind, dict[str, Any]]:
    """The lists whose last answer Altafid gave in a shape we cannot read, for the health page."""
    keys = {
        kind: CONTRACT_KEY.format(tenant=tenant.altafid_uuid, kind=kind.value)
        for kind in LookupKind
    }
    found = cache.get_many(list(keys.values()))
    return {kind: found[key] for kind, key in keys.items() if key in found}


def _client_factory(tenant: Tenant) -> Callable[[], AltafidClient]:
    return lambda: client_for_tenant(tenant.altafid_uuid)


def lookups_get(
    *, tenant: Tenant, kinds: Sequence[LookupKind], country: str | None = None
) -> dict[LookupKind, Choices]:
    """The choices for each kind, reading the cache once; only missing or old lists are fetched.

    `country` (ISO-3) is needed for CITIES and ignored otherwise.
    """
    keys = {
        kind: _cache_key(tenant, kind, country if kind is LookupKind.CITIES else None)
        for kind in kinds
        if kind is not LookupKind.CITIES or country
    }
    entries = cache.get_many(list(keys.values()))
    factory = _client_factory(tenant)
    result: dict[LookupKind, Choices] = {}
    for kind in kinds:
        if kind not in keys:
            result[kind] = Choices(options=[], fetched_at=None)
            continue
        entry = entries.get(keys[kind])
        if _is_fresh(entry):
            result[kind] = _from_entry(entry)
            continue
        if kind is LookupKind.CITIES:
            assert country is not None
            _remember_city_country(tenant, country)
        result[kind] = _refresh(
            tenant, kind, country if kind is LookupKind.CITIES else None, entry, factory
        )
    return result


# Wire fields whose value is a code of a tenant's configured list, and that list.
CODE_FIELDS = {
    "stageName": LookupKind.STAGES,
    "contactSource": LookupKind.SOURCES,
    "segmentName": LookupKind.SEGMENTS,
    "marketSegment": LookupKind.SEGMENTS,
}


def lookups_refused(field_errors: dict[str, Any]) -> list[LookupKind]:
    """The configured lists behind fields Altafid refused: their codes may have changed."""
    return sorted({CODE_FIELDS[name] for name in field_errors if name in CODE_FIELDS})


def lookups_refresh(
    *, tenant: Tenant, kinds: Sequence[LookupKind] | None = None
) -> dict[str, bool]:
    """Fetches the tenant's lists anew (all of them unless `kinds`); says which succeeded."""
    factory = _client_factory(tenant)
    outcome: dict[str, bool] = {}
    wanted = TENANT_WIDE_KINDS if kinds is None else tuple(kinds)
    targets: list[tuple[LookupKind, str | None]] = [(kind, None) for kind in wanted]
    if kinds is None:
        targets += [(LookupKind.CITIES, country) for country in _requested_city_countries(tenant)]
    for kind, country in targets:
        key = _cache_key(tenant, kind, country)
        cache.delete(_backoff_key(key))
        choices = _refresh(tenant, kind, country, cache.get(key), factory)
        fetched = choices.available and not (choices.stale or choices.built_in)
        outcome[f"{kind.value}:{country}" if country else kind.value] = fetched
    return outcome


def lookups_retry(*, tenant: Tenant, kinds: Sequence[LookupKind]) -> None:
    """The next read of these lists asks Altafid at once, even in the pause after a failure:
    a person asked to try again. (A list still fresh in the cache is not asked for.)"""
    cache.delete_many([_backoff_key(_cache_key(tenant, kind)) for kind in kinds])


def lookups_refresh_all() -> dict[str, dict[str, bool]]:
    return {tenant.altafid_uuid: lookups_refresh(tenant=tenant) for tenant in Tenant.objects.all()}


def _city_index_key(tenant: Tenant) -> str:
    return f"lookups:v1:{tenant.altafid_uuid}:{_CITY_INDEX_SUFFIX}"


def _requested_city_countries(tenant: Tenant) -> list[str]:
    return sorted(cache.get(_city_index_key(tenant)) or [])


def _remember_city_country(tenant: Tenant, country: str) -> None:
    # Only the countries someone has picked are refreshed in the background.
    countries = set(cache.get(_city_index_key(tenant)) or [])
    if country not in countries:
        countries.add(country)
        cache.set(_city_index_key(tenant), sorted(countries), KEEP_SECONDS)


def lookups_ages(*, tenant: Tenant) -> dict[LookupKind, float | None]:
    """How old each tenant-wide list in the cache is, in seconds (None: not there); no fetch."""
    keys = {kind: _cache_key(tenant, kind) for kind in TENANT_WIDE_KINDS}
    entries = cache.get_many(list(keys.values()))
    now = time.time()
    return {
        kind: now - entries[key]["fetched_at"] if key in entries else None
        for kind, key in keys.items()
    }
