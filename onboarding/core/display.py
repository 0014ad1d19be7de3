"""Values as a person reads them, in the page's language: "17 abr 1985", "$85.000.000".

The JSON of the calls keeps ISO dates and bare digits; only what people read is formatted.
How a language writes an amount with its currency is in its format module
(`onboarding/formats/<language>/formats.py`, `CURRENCY_FORMAT` and `CURRENCY_FORMATS`).
"""

import datetime
import re

from django.utils import formats, numberformat
from django.utils.dateparse import parse_date

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WHOLE = re.compile(r"^[0-9]+$")
AMOUNT_PLACE = "{amount}"


def shown_date(value: datetime.date | str) -> str:
    """A date in the page's language; a text that is not an ISO date is left as it is."""
    if isinstance(value, str):
        if not ISO_DATE.match(value):
            return value
        try:
            parsed = parse_date(value)
        except ValueError:
            return value
        if parsed is None:
            return value
        value = parsed
    return str(formats.date_format(value, "DATE_FORMAT"))


def grouped(value: int | str) -> str:
    """Whole digits grouped the page's way ("85,000,000", "85.000.000"); anything else as it is."""
    digits = str(value).strip()
    if not WHOLE.match(digits):
        return digits
    return numberformat.format(
        int(digits),
        str(formats.get_format("DECIMAL_SEPARATOR")),
        grouping=int(formats.get_format("NUMBER_GROUPING")),
        thousand_sep=str(formats.get_format("THOUSAND_SEPARATOR")),
        force_grouping=True,
    )


def currency_format(currency: str) -> str:
    """How the page's language writes an amount in `currency`: "CLP {amount}", "${amount}"."""
    code = currency.strip().upper()
    own = formats.get_format("CURRENCY_FORMATS")
    if isinstance(own, dict) and code in own:
        return str(own[code])
    pattern = str(formats.get_format("CURRENCY_FORMAT"))
    if AMOUNT_PLACE not in pattern:  # a language without the setting
        pattern = "{code}\u00a0{amount}"
    return pattern.replace("{code}", code)


def currency_affixes(currency: str) -> tuple[str, str]:
    """What the page's language writes before and after an amount in `currency`."""
    before, _place, after = currency_format(currency).partition(AMOUNT_PLACE)
    return before.strip(), after.strip()


def shown_amount(value: int | str, *, currency: str) -> str:
    """Whole digits grouped the page's way, with the currency as the language writes it;
    anything else (an amount as typed, not valid) as it is."""
    digits = str(value).strip()
    if not WHOLE.match(digits):
        return digits
    return currency_format(currency).replace(AMOUNT_PLACE, grouped(digits))
