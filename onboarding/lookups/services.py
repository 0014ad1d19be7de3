"""The tenant's dropdown choices, cached per tenant in the shared cache.

Each list is kept as the last known good copy with the time it was fetched. A copy older
than LOOKUPS_TTL_SECONDS is refreshed on use; when Altafid cannot be reached the old copy is
served, marked stale, and no new attempt is made for FAILURE_BACKOFF_SECONDS so that pages
stay fast while Altafid is down.
"""

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from onboarding.accounts.models import Tenant
from onboarding.altafid import lookups as altafid_lookups
from onboarding.altafid.client import AltafidClient, client_for_tenant
from onboarding.altafid.errors import AltafidError
from onboarding.lookups.kinds import TENANT_WIDE_KINDS, LookupKind

logger = logging.getLogger(__name__)

Option = tuple[str, str]
# How long a lost copy is kept at all: far beyond any outage we expect to ride out.
KEEP_SECONDS = 30 * 24 * 3600
FAILURE_BACKOFF_SECONDS = 30
_CITY_INDEX_SUFFIX = "cities-requested"


@dataclass(frozen=True)
class Choices:
    options: list[Option]
    fetched_at: float | None
    stale: bool = False

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
        return Choices(options=[], fetched_at=None, stale=stale)
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
        return _from_entry(previous, stale=True)
    try:
        options = _fetch_options(client_factory(), kind, country)
    except AltafidError as error:
        logger.warning("lookup refresh failed kind=%s tenant=%s error=%s", kind, tenant.pk, error)
        cache.set(_backoff_key(key), 1, FAILURE_BACKOFF_SECONDS)
        return _from_entry(previous, stale=True)
    entry = {"options": options, "fetched_at": time.time()}
    cache.set(key, entry, KEEP_SECONDS)
    cache.delete(_backoff_key(key))
    return _from_entry(entry)


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


def lookups_refresh(*, tenant: Tenant) -> dict[str, bool]:
    """Fetches every list of the tenant anew; returns which ones succeeded."""
    factory = _client_factory(tenant)
    outcome: dict[str, bool] = {}
    targets: list[tuple[LookupKind, str | None]] = [(kind, None) for kind in TENANT_WIDE_KINDS]
    targets += [(LookupKind.CITIES, country) for country in _requested_city_countries(tenant)]
    for kind, country in targets:
        key = _cache_key(tenant, kind, country)
        cache.delete(_backoff_key(key))
        choices = _refresh(tenant, kind, country, cache.get(key), factory)
        outcome[f"{kind.value}:{country}" if country else kind.value] = not choices.stale
    return outcome


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
