"""Checks on the e-mail addresses people sign in with, and on a tenant's settings."""

import functools
import unicodedata
import zoneinfo

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _alphabet(character: str) -> str | None:
    """The alphabet of a letter or digit: the first word of its Unicode name ("LATIN",
    "CYRILLIC", "GREEK", "FULLWIDTH"...). None for what every alphabet shares: ASCII digits,
    punctuation, accents written as separate marks."""
    if character.isascii() and not character.isalpha():
        return None
    if unicodedata.category(character)[0] not in "LN":
        return None
    return unicodedata.name(character, "UNNAMED").split(" ", 1)[0]


def email_script_validate(value: str) -> None:
    """Refuses an address whose letters come from more than one alphabet, such as a Cyrillic
    a (U+0430) in "example.com": it would read as another person's address."""
    alphabets = {_alphabet(character) for character in value} - {None}
    if len(alphabets) > 1:
        raise ValidationError(
            _(
                "This address mixes alphabets (for example a Cyrillic letter among Latin ones), "
                "so it could pass for another address. Type it in one alphabet."
            ),
            code="mixed_scripts",
        )


def currency_validate(value: str) -> None:
    """An ISO 4217 currency code (CLP, USD), in any case."""
    if not (
        isinstance(value, str)
        and len(value.strip()) == 3
        and pycountry.currencies.get(alpha_3=value.strip().upper())
    ):
        raise ValidationError(
            _("“%(value)s” is not an ISO 4217 currency code, such as CLP or USD."),
            code="currency_unknown",
            params={"value": value},
        )


@functools.cache
def _zones() -> frozenset[str]:
    # "localtime" (the machine's own, when the system has one) and "Factory" are files of the
    # zone directory, not zones.
    return frozenset(zoneinfo.available_timezones()) - {"localtime", "Factory"}


def time_zone_validate(value: str) -> None:
    """An IANA time zone (America/Santiago), as the time zone database names it."""
    if value not in _zones():
        raise ValidationError(
            _("“%(value)s” is not a time zone of the IANA database, such as America/Santiago."),
            code="time_zone_unknown",
            params={"value": value},
        )


def country_codes(value: str) -> list[str]:
    """The ISO 3166 alpha-3 codes of a comma-separated list, upper-cased, empties dropped."""
    return [code.strip().upper() for code in (value or "").split(",") if code.strip()]


def country_codes_validate(value: str) -> None:
    """A comma-separated list of ISO 3166 alpha-3 country codes (PRK, IRN), in any case."""
    unknown = [code for code in country_codes(value) if not pycountry.countries.get(alpha_3=code)]
    if unknown:
        raise ValidationError(
            _("Not ISO 3166 alpha-3 country codes (such as PRK or IRN): %(codes)s."),
            code="country_unknown",
            params={"codes": ", ".join(unknown)},
        )
