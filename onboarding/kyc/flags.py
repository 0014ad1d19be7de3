"""Risk flags, computed from the KYC data under review, each tied to the fields it comes from."""

import datetime
from collections.abc import Collection
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.cl import rut as chile_rut
from stdnum.exceptions import ValidationError as NumberInvalid

from onboarding.altafid.enums import DocumentType


class Flag(models.TextChoices):
    PEP = "pep", _("Politically exposed person")
    # xgettext:no-python-format
    DIRECTOR = "director", _("Director or 10% shareholder")
    MINOR = "minor", _("Under 18")
    IDENTITY_CHECK_DIGIT = "identity_check_digit", _("Identity number fails its check digit")
    IDENTITY_ELSEWHERE = "identity_elsewhere", _("Identity number in another onboarding")
    NO_IDENTITY_DOCUMENT = "no_identity_document", _("No identity document")
    HIGH_RISK_COUNTRY = "high_risk_country", _("High-risk country")
    LIQUID_ABOVE_TOTAL = "liquid_above_total", _("Liquid net worth above total")
    WEALTH_MISSING = "wealth_missing", _("Income or net worth missing")
    INCOMPLETE = "incomplete", _("Incomplete for compliance")
    DECLARED_DIFFERENT = "declared_different", _("Said to be someone else than an Altafid contact")


def flags_of(
    picture: dict[str, Any],
    *,
    identity_elsewhere: bool,
    high_risk_countries: Collection[str],
    today: datetime.date,
    incomplete: Collection[str] = (),
    declared_different: bool = False,
) -> dict[Flag, list[str]]:
    """Each flag raised, with the wire keys of the fields it comes from (in `picture`).

    `incomplete`: the wire keys of the completeness rules the case does not meet
    (`cases.completeness`); `declared_different`: the RM said the client is not a contact
    Altafid has with the same identity number or e-mail."""
    raised: dict[Flag, list[str]] = {}
    if incomplete:
        raised[Flag.INCOMPLETE] = list(incomplete)
    if declared_different:
        raised[Flag.DECLARED_DIFFERENT] = ["identityDocuments"]
    if picture.get("relatedToPEP") or picture.get("pepEntries"):
        raised[Flag.PEP] = [key for key in ("relatedToPEP", "pepEntries") if picture.get(key)]
    if picture.get("directorOrTenPercentShareholder"):
        raised[Flag.DIRECTOR] = ["directorOrTenPercentShareholder"]
    born = _date(picture.get("dateOfBirth"))
    if born is not None and _age(born, today) < 18:
        raised[Flag.MINOR] = ["dateOfBirth"]
    documents = picture.get("identityDocuments") or []
    if not documents:
        raised[Flag.NO_IDENTITY_DOCUMENT] = ["identityDocuments"]
    if any(_rut_invalid(document) for document in documents):
        raised[Flag.IDENTITY_CHECK_DIGIT] = ["identityDocuments"]
    if identity_elsewhere:
        raised[Flag.IDENTITY_ELSEWHERE] = ["identityDocuments"]
    risky = [
        key
        for key in ("primaryCountryOfCitizenship", "countryOfBirth")
        if picture.get(key) and picture[key] in high_risk_countries
    ]
    if risky:
        raised[Flag.HIGH_RISK_COUNTRY] = risky
    liquid, total = amount(picture.get("liquidNetWorth")), amount(picture.get("totalNetWorth"))
    if liquid is not None and total is not None and liquid > total:
        raised[Flag.LIQUID_ABOVE_TOTAL] = ["liquidNetWorth", "totalNetWorth"]
    missing = [key for key in ("annualIncome", "totalNetWorth") if amount(picture.get(key)) is None]
    if missing:
        raised[Flag.WEALTH_MISSING] = missing
    return raised


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _age(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def amount(value: Any) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _rut_invalid(document: dict[str, Any]) -> bool:
    data = document.get("specificationData") or {}
    if data.get("specificationType") != DocumentType.CHILE_RUT_CARD:
        return False
    try:
        chile_rut.validate(str(data.get("identityId") or ""))
    except NumberInvalid:
        return True
    return False
