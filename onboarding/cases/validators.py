"""Rules of ours on top of Altafid's: they raise Django `ValidationError`s with codes."""

import datetime
import re

import phonenumbers
import pycountry
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cl import rut as chile_rut
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)


def rut_validate(value: str) -> str:
    """A Chilean RUT, returned as "12345678-5"."""
    try:
        compact = chile_rut.validate(value)
    except InvalidChecksum:
        raise ValidationError(
            _("This RUT's check digit is wrong."), code="rut_check_digit"
        ) from None
    except StdnumError:
        raise ValidationError(_("Enter a RUT like 12.345.678-5."), code="rut_format") from None
    return f"{compact[:-1]}-{compact[-1]}"


def phone_validate(*, phone_code: str, number: str, region: str | None = None) -> str:
    """A phone number for its dialling code, as Altafid keeps it: the national digits.

    Spaces, dashes, dots, brackets, the dialling code itself (+56, 0056) and a leading 0 are
    accepted and dropped.
    """
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
