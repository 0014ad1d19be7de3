"""Values as a person reads them, in the page's language: "17 abr 1985", "$85.000.000".

The JSON of the calls keeps ISO dates and bare digits; only what people read is formatted.
"""

import datetime
import re

from django.utils import formats, numberformat
from django.utils.dateparse import parse_date
from django.utils.translation import pgettext

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The form fields (snake case) and body keys (camel case) that hold an amount of money.
AMOUNTS = frozenset(
    {
        "annual_income",
        "liquid_net_worth",
        "total_net_worth",
        "annualIncome",
        "liquidNetWorth",
        "totalNetWorth",
    }
)


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


def shown_amount(value: int | str) -> str:
    """Whole digits grouped the page's way, with the currency as the language writes it."""
    digits = str(value).strip()
    if not digits.isdecimal():
        return digits
    grouped = numberformat.format(
        int(digits),
        str(formats.get_format("DECIMAL_SEPARATOR")),
        grouping=int(formats.get_format("NUMBER_GROUPING")),
        thousand_sep=str(formats.get_format("THOUSAND_SEPARATOR")),
        force_grouping=True,
    )
    return pgettext("an amount of money; Spanish puts the peso sign first", "%(amount)s") % {
        "amount": grouped
    }


def shown_field_value(name: str, value: object) -> str:
    """A field's value by its name: amounts grouped, ISO dates in words, the rest as text."""
    if name in AMOUNTS and isinstance(value, int | str):
        return shown_amount(value)
    if isinstance(value, datetime.date | str):
        return shown_date(value)
    return str(value)
