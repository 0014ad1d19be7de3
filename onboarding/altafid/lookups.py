"""The tenant lookup calls of seed 001 "Dynamic configuration lookups".

Response shapes the seed does not show (cities, phone codes) are assumptions recorded in
docs/altafid-contract.md.
"""

from typing import Any, TypeVar

import phonenumbers
import pycountry
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from onboarding.altafid.client import AltafidClient
from onboarding.altafid.errors import AltafidBadResponse

CONFIG_PATH = "/api/core/platformconfigs/v1/contacts"
STAGES_PATH = f"{CONFIG_PATH}/stages"
SOURCES_PATH = f"{CONFIG_PATH}/sources"
SEGMENTS_PATH = f"{CONFIG_PATH}/segments"
INDUSTRIES_PATH = "/api/industries"
COUNTRIES_PATH = "/api/core/geo/v1/countries"
CITIES_PATH = "/api/core/geo/v1/cities"
PHONE_CODES_PATH = "/api/core/geo/v1/phone-codes"


class _Lookup(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class ConfigItem(_Lookup):
    """A stage, source or segment (001 "Sample responses")."""

    code: str
    display_name: str
    enabled: bool = True
    deleted: bool = False
    sort_order: int = 0


class Industry(_Lookup):
    """The seed shows none: a list of names, or objects with a name (and a label), are read."""

    name: str
    display_name: str

    @model_validator(mode="before")
    @classmethod
    def _accept_plausible_shapes(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"name": value, "displayName": value}
        if isinstance(value, dict):
            name = _first(value, "name", "code", "id")
            label = _first(value, "displayName", "label", "description", "name", "code")
            return {"name": name, "displayName": label or name}
        return value


class CountryName(_Lookup):
    common: str


class Country(_Lookup):
    cca3: str
    name: CountryName

    @property
    def common_name(self) -> str:
        return self.name.common


class City(_Lookup):
    name: str
    country_code: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _accept_plain_names(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value


class PhoneCode(_Lookup):
    """The seed shows none. Read: "+56" strings, or objects naming the country by ISO-2 or
    ISO-3 code (or name) and the code as phoneCode, phoneCountryCode, dialCode or code."""

    country_code: str
    country_name: str
    phone_code: str

    @model_validator(mode="before")
    @classmethod
    def _accept_plausible_shapes(cls, value: Any) -> Any:
        if isinstance(value, str | int):
            code = _dialling_code(value)
            region = _region_of(code)
            return {"countryCode": region, "countryName": _country_name(region), "phoneCode": code}
        if not isinstance(value, dict):
            return value
        code = _dialling_code(
            _first(value, "phoneCode", "phoneCountryCode", "dialCode", "callingCode", "code")
        )
        country = _first(value, "countryCode", "iso2", "iso3", "cca2", "cca3", "country") or ""
        name = _first(value, "countryName", "name", "commonName") or _country_name(country)
        return {
            "countryCode": country or _region_of(code),
            "countryName": name or _country_name(_region_of(code)),
            "phoneCode": code,
        }


def _first(value: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        found = value.get(key)
        if isinstance(found, str | int) and str(found).strip():
            return str(found).strip()
    return None


def _dialling_code(value: Any) -> Any:
    """ "+56", "56" or 56 as "+56"; anything else as it is, for validation to refuse."""
    text = str(value or "").strip()
    digits = text.removeprefix("+")
    return f"+{digits}" if digits.isdigit() else value


def _region_of(code: Any) -> str:
    digits = str(code or "").removeprefix("+")
    return phonenumbers.region_code_for_country_code(int(digits)) if digits.isdigit() else ""


def _country_name(code: str) -> str:
    found = None
    if len(code) == 2:
        found = pycountry.countries.get(alpha_2=code.upper())
    elif len(code) == 3:
        found = pycountry.countries.get(alpha_3=code.upper())
    return str(found.name) if found is not None else code


Item = TypeVar("Item", bound=_Lookup)


def _fetch_list(
    client: AltafidClient, path: str, model: type[Item], params: dict[str, str] | None = None
) -> list[Item]:
    body = client.get(path, params=params)
    try:
        return TypeAdapter(list[model]).validate_python(body)  # type: ignore[valid-type]
    except ValidationError:
        raise AltafidBadResponse(
            f"Unexpected {model.__name__} list: got {shape_of(body)}",
            method="GET",
            path=path,
            status=200,
        ) from None


def shape_of(body: Any) -> str:
    """What an answer looks like, without any of its values: types and key names only."""
    if isinstance(body, list):
        kinds = sorted({type(item).__name__ for item in body}) or ["nothing"]
        keys = sorted({key for item in body[:20] if isinstance(item, dict) for key in item})
        return f"a list of {'/'.join(kinds)}" + (f" with keys {', '.join(keys)}" if keys else "")
    if isinstance(body, dict):
        return f"an object with keys {', '.join(sorted(body))}"
    return f"a {type(body).__name__}"


def stages_fetch(client: AltafidClient) -> list[ConfigItem]:
    return _fetch_list(client, STAGES_PATH, ConfigItem)


def sources_fetch(client: AltafidClient) -> list[ConfigItem]:
    return _fetch_list(client, SOURCES_PATH, ConfigItem)


def segments_fetch(client: AltafidClient) -> list[ConfigItem]:
    return _fetch_list(client, SEGMENTS_PATH, ConfigItem)


def industries_fetch(client: AltafidClient) -> list[Industry]:
    return _fetch_list(client, INDUSTRIES_PATH, Industry)


def countries_fetch(client: AltafidClient) -> list[Country]:
    return _fetch_list(client, COUNTRIES_PATH, Country, {"fields": "cca3,name.common"})


def cities_fetch(client: AltafidClient, *, country: str) -> list[City]:
    """Cities of one country, given as ISO-3 (the code the countries lookup returns)."""
    return _fetch_list(client, CITIES_PATH, City, {"country": country})


def phone_codes_fetch(client: AltafidClient) -> list[PhoneCode]:
    return _fetch_list(client, PHONE_CODES_PATH, PhoneCode)
