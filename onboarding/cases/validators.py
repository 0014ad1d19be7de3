"""Rules of ours on top of Altafid's: they raise Django `ValidationError`s with codes."""

import datetime
import re

import phonenumbers
import pycountry
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cl import rut as chile_rut

EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)


# The purpose of the keyed hash of a RUT's digits before its check digit
# (`Case.identity_body_hash`).
RUT_BODY = "rut-body"
RUT_TYPED = re.compile(r"^[0-9.]+-?[0-9K]$")
RUT_GROUPED = re.compile(r"^[0-9]{1,3}(\.[0-9]{3})+$")


def rut_validate(value: str) -> str:
    """A Chilean RUT, returned as "12345678-5".

    Typed with or without dots, spaces and the dash, the check digit K in either case. The
    last character is the check digit, except after a dot and three digits ("15.234.567"),
    where the check digit is plainly missing.
    """
    text = re.sub(r"\s", "", value).upper()
    if RUT_GROUPED.match(text):
        raise ValidationError(
            _("The check digit is missing: add it after a dash, as on the client's card."),
            code="rut_check_digit_missing",
        )
    if not RUT_TYPED.match(text):
        raise ValidationError(
            _("A RUT holds only digits, dots, a dash and its check digit (0 to 9 or K)."),
            code="rut_format",
        )
    body, digit = text[:-1].rstrip("-"), text[-1]
    if "." in body and not RUT_GROUPED.match(body):
        raise ValidationError(
            _("The dots are misplaced: they go between groups of three digits."),
            code="rut_format",
        )
    body = body.replace(".", "").lstrip("0")
    if not 7 <= len(body) <= 8:
        raise ValidationError(
            _("A RUT has 7 or 8 digits before its check digit; this one has %(count)s."),
            code="rut_length",
            params={"count": len(body)},
        )
    if chile_rut.calc_check_digit(body) != digit:
        if "-" in text:
            message = _(
                "The check digit %(digit)s does not match the number before it: check both "
                "on the client's card."
            )
        else:
            message = _(
                "Read with %(digit)s as its check digit, this RUT is not valid: check it, and "
                "put the check digit after a dash if it is missing."
            )
        raise ValidationError(message, code="rut_check_digit", params={"digit": digit})
    return f"{body}-{digit}"


def rut_body(value: str) -> str | None:
    """The digits of a RUT typed without its check digit, as in a search ("15.234.567",
    "15234567"); None for anything else. Without dots, the digits may also be a shorter
    RUT with its check digit (1.523.456-7): a search looks for both."""
    text = re.sub(r"\s", "", value)
    if "." in text and not RUT_GROUPED.match(text):
        return None
    body = text.replace(".", "").lstrip("0")
    if not (body.isascii() and body.isdigit() and 7 <= len(body) <= 8):
        return None
    return body


AMOUNT_MAX_DIGITS = 15
AMOUNT_MAX_TYPED = 60
# A currency sign or code typed before or after an amount: "$", "US$", "CLP", "clp"...
CURRENCY_TYPED = re.compile(
    r"^(?P<before>[A-Za-z]{2,3}\$|[A-Za-z]{3}|[$€£])?(?P<amount>.*?)"
    r"(?P<after>[A-Za-z]{2,3}\$|[A-Za-z]{3}|[$€£])?$",
    re.DOTALL,
)
# The signs that name one currency ("$" alone is written for pesos and dollars alike).
SIGN_CURRENCIES = {"€": "EUR", "£": "GBP", "US$": "USD"}


def amount_parse(value: str, *, currency: str) -> str:
    """An amount as people type it, returned as Altafid keeps it: whole units in digits.

    "120.000.000", "120,000,000", "$120.000.000", "CLP 120.000.000", "120 000 000" and
    "120.000.000,00" are all "120000000". A single dot or comma followed by three digits
    groups thousands ("1.500" is 1500); otherwise the last dot or comma starts decimals,
    which must be zeros: amounts are whole units of the tenant's currency (Chilean pesos
    have no cents in use, and Altafid's examples are digits only).
    """
    currency = currency.strip().upper()
    text = value.strip()
    if len(text) > AMOUNT_MAX_TYPED:
        raise ValidationError(_("This is too long for an amount."), code="amount_too_long")
    text = _currency_strip(text, currency)
    text = re.sub(r"\s", "", text)
    if text.startswith("-") or text.endswith("-"):
        raise ValidationError(_("An amount cannot be negative."), code="amount_negative")
    strange = list(dict.fromkeys(re.findall(r"[^0-9.,]+", text)))
    if strange:
        raise ValidationError(
            _(
                "An amount is written in digits, with dots or commas between thousands if you "
                "like: %(found)s cannot be part of it."
            ),
            code="amount_characters",
            params={"found": ", ".join(f"“{part}”" for part in strange)},
        )
    if not re.search(r"[0-9]", text):
        raise ValidationError(_("Enter the amount's digits."), code="amount_empty")
    whole, decimals = _amount_split(text)
    if decimals.strip(".,0"):
        raise ValidationError(
            _("Amounts are kept in whole %(currency)s, without decimals: remove “%(decimals)s”."),
            code="amount_decimals",
            params={"currency": currency, "decimals": decimals},
        )
    digits = whole.replace(".", "").replace(",", "").lstrip("0") or "0"
    if len(digits) > AMOUNT_MAX_DIGITS:
        raise ValidationError(
            _("An amount has at most %(count)s digits."),
            code="amount_too_long",
            params={"count": AMOUNT_MAX_DIGITS},
        )
    return digits


def _currency_strip(text: str, currency: str) -> str:
    """The amount without a currency sign or code typed before or after it; a code other than
    the tenant's currency is refused, a word that is no currency left for the caller."""
    typed = CURRENCY_TYPED.match(text)
    assert typed is not None  # every part of the pattern is optional
    named = [_currency_named(typed[place]) for place in ("before", "after")]
    if any(name == "" for name in named):
        return text
    for name in named:
        if name and name != currency:
            raise ValidationError(
                _("This amount is in %(typed)s, but this firm's amounts are in %(currency)s."),
                code="amount_currency",
                params={"typed": name, "currency": currency},
            )
    return typed["amount"]


def _currency_named(sign: str | None) -> str | None:
    """The currency a sign or code names; None for "$" (pesos and dollars alike) or nothing;
    "" for letters that name no currency."""
    if not sign or sign == "$":
        return None
    if sign in SIGN_CURRENCIES:
        return SIGN_CURRENCIES[sign]
    if sign.upper() == "US$":
        return "USD"
    code = sign.rstrip("$").upper()
    if len(code) == 3 and pycountry.currencies.get(alpha_3=code) is not None:
        return code
    return ""


def _amount_split(text: str) -> tuple[str, str]:
    """(the whole units with their grouping, the decimals with their separator, or "")."""
    marks = [character for character in text if character in ".,"]
    if not marks:
        return text, ""
    if len(set(marks)) == 2:
        point = marks[-1]
        whole, _point, decimals = text.rpartition(point)
        decimals = point + decimals
        if point in whole:
            raise _grouping_error()
    else:
        mark = marks[0]
        parts = text.split(mark)
        if len(parts) > 2 or len(parts[-1]) == 3:
            whole, decimals = text, ""
        else:
            whole, decimals = parts[0], mark + parts[1]
    if "." in whole or "," in whole:
        groups = re.split(r"[.,]", whole)
        if not (1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])):
            raise _grouping_error()
    elif not whole:
        whole = "0"
    return whole, decimals


def _grouping_error() -> ValidationError:
    return ValidationError(
        _(
            "The dots or commas are misplaced: they go between groups of three digits, as in "
            "120.000.000 or 120,000,000."
        ),
        code="amount_grouping",
    )


def phone_validate(*, phone_code: str, number: str, region: str | None = None) -> str:
    """A phone number for its dialling code, as Altafid keeps it: the national digits.

    Spaces, dashes, dots, brackets, the dialling code itself (+56, 0056) and a leading 0 are
    accepted and dropped.
    """
    typed_code = phone_code_of(number)
    if typed_code is not None and typed_code != f"+{phone_code.strip().lstrip('+')}":
        raise ValidationError(
            _(
                "This number starts with %(typed)s, but the country code chosen is %(code)s: "
                "change one of them."
            ),
            code="phone_code_mismatch",
            params={"typed": typed_code, "code": phone_code},
        )
    parsed = _phone_parse(phone_code, number)
    if parsed is None:
        raise ValidationError(
            _("This is not a valid phone number for %(code)s."),
            code="phone_invalid",
            params={"code": phone_code},
        )
    country = pycountry.countries.get(alpha_3=region) if region else None
    if country is not None and not phonenumbers.is_valid_number_for_region(parsed, country.alpha_2):
        raise ValidationError(
            _("This number does not belong to %(country)s."),
            code="phone_region",
            params={"country": getattr(country, "common_name", None) or country.name},
        )
    return phonenumbers.national_significant_number(parsed)


def phone_code_of(number: str) -> str | None:
    """The dialling code a number typed in international form starts with: "+56" for
    "+56 2 2345 6789" or "0056 2 2345 6789"; None for a national number."""
    text = re.sub(r"[\s().-]", "", number)
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+") or not text[1:].isascii() or not text[1:].isdigit():
        return None
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    return f"+{parsed.country_code}" if parsed.country_code else None


def phone_country(*, phone_code: str, number: str) -> str | None:
    """The ISO-3 country a valid number belongs to (+1 alone is several countries)."""
    parsed = _phone_parse(phone_code, number)
    region = phonenumbers.region_code_for_number(parsed) if parsed else None
    country = pycountry.countries.get(alpha_2=region) if region else None
    return country.alpha_3 if country is not None else None


def _phone_parse(phone_code: str, number: str) -> phonenumbers.PhoneNumber | None:
    code = phone_code.strip().lstrip("+")
    text = re.sub(r"[\s().-]", "", number)
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+"):
        if not text[1:].startswith(code):
            return None
        text = text[1 + len(code) :]
    if not text.isdigit():
        return None
    candidates = [text, text[1:]] if text.startswith("0") else [text]
    for digits in candidates:
        try:
            parsed = phonenumbers.parse(f"+{code}{digits}")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return parsed
    return None


def date_in_past_validate(value: datetime.date, *, today: datetime.date | None = None) -> None:
    if value >= (today or timezone.localdate()):
        raise ValidationError(_("The date of birth must be in the past."), code="date_not_past")
    if value < EARLIEST_BIRTH_DATE:
        raise ValidationError(_("Enter a date after 1900."), code="date_too_old")


def period_validate(start: datetime.date | None, end: datetime.date | None) -> None:
    if start and end and start > end:
        raise ValidationError(_("The start date must be before the end date."), code="period_order")


def net_worth_warning(liquid: str | int | None, total: str | int | None) -> str | None:
    """A warning, not an error: liquid wealth above total wealth is odd but possible to type."""
    if liquid is None or total is None or not str(liquid).isdecimal() or not str(total).isdecimal():
        return None
    if int(liquid) > int(total):
        return str(_("Liquid net worth is higher than total net worth. Please check both figures."))
    return None
