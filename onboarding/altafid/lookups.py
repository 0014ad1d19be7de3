"""The tenant lookup calls of seed 001 "Dynamic configuration lookups".

Response shapes the seed does not show (cities, phone codes) are assumptions recorded in
docs/altafid-contract.md.
"""

from typing import Any, TypeVar

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
    name: str
    display_name: str


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
    country_code: str
    country_name: str
    phone_code: str


Item = TypeVar("Item", bound=_Lookup)


def _fetch_list(
    client: AltafidClient, path: str, model: type[Item], params: dict[str, str] | None = None
) -> list[Item]:
    body = client.get(path, params=params)
    try:
        return TypeAdapter(list[model]).validate_python(body)  # type: ignore[valid-type]
    except ValidationError:
        raise AltafidBadResponse(
            f"Unexpected {model.__name__} list", method="GET", path=path, status=200
        ) from None


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
