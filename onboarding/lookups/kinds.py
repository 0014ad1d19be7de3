from enum import StrEnum


class LookupKind(StrEnum):
    STAGES = "stages"
    SOURCES = "sources"
    SEGMENTS = "segments"
    INDUSTRIES = "industries"
    COUNTRIES = "countries"
    CITIES = "cities"
    PHONE_CODES = "phone-codes"


# Cities hang off a country and are fetched per country; the others are one list per tenant.
TENANT_WIDE_KINDS = tuple(kind for kind in LookupKind if kind is not LookupKind.CITIES)
