"""The sandbox's lookup lists: tenant config items shaped as in seed 001 "Sample responses",
countries from ISO 3166 (pycountry), dialling codes from libphonenumber."""

import functools
from typing import Any

import phonenumbers
import pycountry

_STAMP = "2024-01-10T08:00:00Z"


def _config(prefix: str, labels: list[str], disabled: str, deleted: str) -> list[dict[str, Any]]:
    items = [
        (f"{prefix}{index:03d}", label, True, False, index)
        for index, label in enumerate(labels, start=1)
    ]
    items.append((f"{prefix}090", disabled, False, False, 90))
    items.append((f"{prefix}091", deleted, True, True, 91))
    return [
        {
            "code": code,
            "displayName": label,
            "enabled": enabled,
            "deleted": is_deleted,
            "sortOrder": order,
            "createdAt": _STAMP,
            "updatedAt": _STAMP,
        }
        for code, label, enabled, is_deleted, order in items
    ]


STAGES = _config(
    "conStage", ["Prospect", "Qualified", "Proposal", "Client"], "Dormant", "Legacy lead"
)
SOURCES = _config(
    "conSource", ["Referral", "Event", "Website", "Partner introduction"], "Cold call", "Fair 2023"
)
SEGMENTS = _config(
    "conSegment",
    ["Retail", "High net worth", "Ultra high net worth", "Institutional"],
    "Mass affluent",
    "Private banking (old)",
)
INDUSTRIES = [
    {"name": name, "displayName": name.replace("_", " ").capitalize()}
    for name in (
        "TECHNOLOGY",
        "FINANCIAL_SERVICES",
        "HEALTHCARE",
        "MINING",
        "AGRICULTURE",
        "ENERGY",
        "REAL_ESTATE",
        "RETAIL",
        "MANUFACTURING",
        "EDUCATION",
        "GOVERNMENT",
        "OTHER",
    )
]
CITIES = {
    "CHL": ["Santiago", "Valparaíso", "Concepción", "La Serena", "Antofagasta", "Temuco"],
    "ARG": ["Buenos Aires", "Córdoba", "Rosario", "Mendoza", "La Plata"],
    "PER": ["Lima", "Arequipa", "Trujillo", "Cusco"],
    "COL": ["Bogotá", "Medellín", "Cali", "Barranquilla"],
    "MEX": ["Ciudad de México", "Guadalajara", "Monterrey", "Puebla"],
    "BRA": ["São Paulo", "Rio de Janeiro", "Brasília", "Belo Horizonte"],
    "URY": ["Montevideo", "Punta del Este", "Salto"],
    "USA": ["New York", "Miami", "Chicago", "San Francisco", "Houston"],
    "ESP": ["Madrid", "Barcelona", "Valencia", "Sevilla"],
    "GBR": ["London", "Manchester", "Edinburgh", "Birmingham"],
}


@functools.cache
def countries() -> list[dict[str, Any]]:
    return [
        {
            "cca2": country.alpha_2,
            "cca3": country.alpha_3,
            "name": {
                "common": getattr(country, "common_name", None) or country.name,
                "official": getattr(country, "official_name", None) or country.name,
            },
        }
        for country in pycountry.countries
    ]


@functools.cache
def country_codes() -> frozenset[str]:
    return frozenset(country["cca3"] for country in countries())


@functools.cache
def phone_codes() -> list[dict[str, str]]:
    found = []
    for country in countries():
        code = phonenumbers.country_code_for_region(country["cca2"])
        if code:
            found.append(
                {
                    "countryCode": country["cca3"],
                    "countryName": country["name"]["common"],
                    "phoneCode": f"+{code}",
                }
            )
    return found


def cities(country: str) -> list[dict[str, str]]:
    return [{"name": name, "countryCode": country} for name in CITIES.get(country, [])]


def lookup_defaults() -> dict[str, list[dict[str, Any]]]:
    """Every list a new tenant starts with, keyed as the sandbox's `set_lookup` takes them."""
    return {
        "stages": STAGES,
        "sources": SOURCES,
        "segments": SEGMENTS,
        "industries": INDUSTRIES,
        "countries": countries(),
        "phone-codes": phone_codes(),
        "cities": [city for code in CITIES for city in cities(code)],
    }
