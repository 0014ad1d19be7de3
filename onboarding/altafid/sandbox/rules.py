"""What the sandbox refuses, written from seed 000 (required fields, "Hardcoded Enums",
formats) independently of the client's models, so that it can catch the client's mistakes.

Each check returns problems as "field: message", the standard schema's `details` lines.
"""

import re
from collections.abc import Callable
from typing import Any

from onboarding.altafid.sandbox import data

Check = Callable[[Any, str], list[str]]

ENUMS = {
    "gender": ("MALE", "FEMALE", "OTHER"),
    "maritalStatus": ("MARRIED", "SINGLE", "DIVORCED", "WIDOWED"),
    "contactMeans": ("EMAIL", "PHONE", "MESSAGE"),
    "identityType": (
        "CHILE_RUT",
        "PASSPORT",
        "NATIONAL_ID",
        "US_EIN",
        "DRIVING_LICENSE",
        "UK_COMPANY_NUMBER",
        "BVI_COMPANY_NUMBER",
    ),
    "preferredContactLanguage": ("SPANISH", "ENGLISH"),
    "contactType": ("SUBSCRIBER", "ACTIVE"),
    "status": ("ACTIVE", "INACTIVE"),
    "firmType": ("TENANT", "PARTNER"),
    "contactManagerType": ("TENANT", "PARTNER"),
    "employmentStatus": (
        "self-employed",
        "employed",
        "homemaker",
        "retired",
        "student",
        "not-employed",
    ),
    "contactPreference": ("EMAIL", "CALL", "MESSAGE"),
    "contactAddressType": ("SALES", "COMPLIANCE"),
    "addressType": ("HOME", "WORK", "OTHER"),
    "specificationType": ("CHILE_RUT_CARD", "PASSPORT", "NATIONAL_ID"),
}
_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def text(value: Any, name: str) -> list[str]:
    return [] if value is None or isinstance(value, str) else [f"{name}: must be a string"]


def enum(field: str) -> Check:
    allowed = ENUMS[field]

    def check(value: Any, name: str) -> list[str]:
        if value is None or value in allowed:
            return []
        return [f"{name}: must be one of {', '.join(allowed)}"]

    return check


def date(value: Any, name: str) -> list[str]:
    if value is None or (isinstance(value, str) and _DATE.match(value)):
        return []
    return [f"{name}: must be a date in YYYY-MM-DD format"]


def country(value: Any, name: str) -> list[str]:
    if value is None or value in data.country_codes():
        return []
    return [f"{name}: must be an ISO-3 country code"]


def email(value: Any, name: str) -> list[str]:
    if value is None or (isinstance(value, str) and _EMAIL.match(value)):
        return []
    return [f"{name}: must be a well-formed email address"]


def amount(value: Any, name: str) -> list[str]:
    if value is None or (isinstance(value, str) and value.isdigit()):
        return []
    return [f"{name}: must be a string of digits"]


def boolean(value: Any, name: str) -> list[str]:
    return [] if value is None or isinstance(value, bool) else [f"{name}: must be true or false"]


def anything(value: Any, name: str) -> list[str]:
    return []


def strings(value: Any, name: str) -> list[str]:
    if value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return []
    return [f"{name}: must be a list of strings"]


def obj(fields: dict[str, Check], required: tuple[str, ...] = ()) -> Check:
    def check(value: Any, name: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, dict):
            return [f"{name}: must be an object"]
        return check_fields(value, fields, required, prefix=f"{name}.")

    return check


def many(item: Check) -> Check:
    def check(value: Any, name: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            return [f"{name}: must be a list"]
        return [problem for i, entry in enumerate(value) for problem in item(entry, f"{name}[{i}]")]

    return check


def phone(value: Any, name: str) -> list[str]:
    problems = obj(
        {"phoneCountryCode": text, "phoneNumber": text, "country": country},
        required=("phoneCountryCode", "phoneNumber"),
    )(value, name)
    if problems or value is None:
        return problems
    if not re.fullmatch(r"\+\d{1,4}", value["phoneCountryCode"]):
        problems.append(f"{name}.phoneCountryCode: must look like +56")
    if not value["phoneNumber"].isdigit():
        problems.append(f"{name}.phoneNumber: must contain digits only")
    return problems


ADDRESS = obj(
    {
        "addressUuid": text,
        "streetNumber": text,
        "streetName": text,
        "city": text,
        "state": text,
        "zipCode": text,
        "country": country,
        "apartment": text,
        "commune": text,
        "landmark": text,
        "addressType": enum("addressType"),
        "contactAddressType": enum("contactAddressType"),
        "isPrimary": boolean,
    },
    required=("country", "contactAddressType"),
)
IDENTITY_DOCUMENT = obj(
    {
        "specificationData": obj(
            {
                "specificationType": enum("specificationType"),
                "country": country,
                "identityId": text,
                "issuingAuthority": text,
            },
            required=("specificationType", "country", "identityId"),
        )
    },
    required=("specificationData",),
)
EMPLOYMENT = obj(
    {
        "employmentStatus": enum("employmentStatus"),
        "employerName": text,
        "jobPosition": text,
        "startDate": date,
        "endDate": date,
        "country": country,
        "streetName": text,
        "regionState": text,
        "streetNumber": text,
        "city": text,
        "apartment": text,
        "commune": text,
        "zipCode": text,
    },
    required=("employmentStatus",),
)
PEP_ENTRY = obj(
    {"name": text, "position": text, "country": country, "relationship": text},
    required=("name",),
)

_PERSON = {
    "firstName": text,
    "paternalLastName": text,
    "maternalLastName": text,
    "middleName": text,
    "contactType": enum("contactType"),
    "contactMeans": enum("contactMeans"),
    "preferredContactLanguage": enum("preferredContactLanguage"),
    "firmType": enum("firmType"),
    "status": enum("status"),
    "preferredEmail": email,
    "dateOfBirth": date,
    "gender": enum("gender"),
    "maritalStatus": enum("maritalStatus"),
    "preferredPhoneNumber": phone,
    "identityType": enum("identityType"),
    "identityId": text,
    "identityCountry": country,
    "contactSource": text,
    "contactPreference": enum("contactPreference"),
}
CREATE_FIELDS: dict[str, Check] = {
    **_PERSON,
    "firmId": text,
    "contactManagerId": text,
    "contactManagerFirmType": enum("firmType"),
    "marketSegment": text,
}
CREATE_REQUIRED = (
    "firstName",
    "paternalLastName",
    "contactType",
    "contactMeans",
    "preferredContactLanguage",
    "firmId",
    "firmType",
    "contactManagerId",
    "contactManagerFirmType",
    "status",
)
UPDATE_FIELDS: dict[str, Check] = {
    **_PERSON,
    "annualIncome": amount,
    "liquidNetWorth": amount,
    "totalNetWorth": amount,
    "countryOfCitizenship": country,
    "primaryCountryOfCitizenship": country,
    "countryOfBirth": country,
    "segmentName": text,
    "stageName": text,
    "displayName": text,
    "firmEntityUuid": text,
    "firmName": text,
    "capturedByEntityUuid": text,
    "capturedByType": enum("firmType"),
    "contactManagerEntityUuid": text,
    "contactManagerType": enum("contactManagerType"),
    "addresses": many(ADDRESS),
    "alias": text,
    "primaryEmail": email,
    "phoneNumber": phone,
    "relatedToPEP": boolean,
    "directorOrTenPercentShareholder": boolean,
    "pepEntries": many(PEP_ENTRY),
    "companyNames": strings,
    "tradingSymbols": strings,
    "identityDocuments": many(IDENTITY_DOCUMENT),
    "currentEmployment": EMPLOYMENT,
    "employmentHistory": many(EMPLOYMENT),
    "customFields": anything,
    "contactComplianceUuid": anything,
    "contactUuid": anything,
}
# Blank is refused wherever a name is sent at all.
NOT_BLANK_WHEN_SENT = ("firstName", "paternalLastName")


def check_fields(
    body: dict[str, Any], fields: dict[str, Check], required: tuple[str, ...], prefix: str = ""
) -> list[str]:
    problems = []
    for name in required:
        value = body.get(name)
        if value is None:
            problems.append(f"{prefix}{name}: must not be null")
        elif isinstance(value, str) and not value.strip():
            problems.append(f"{prefix}{name}: must not be blank")
    for name, value in body.items():
        check = fields.get(name)
        if check is None:
            problems.append(f"{prefix}{name}: unknown field")
        elif name not in required or value is not None:
            problems.extend(check(value, f"{prefix}{name}"))
    return problems


def check_create(body: dict[str, Any]) -> list[str]:
    return check_fields(body, CREATE_FIELDS, CREATE_REQUIRED)


def check_update(body: dict[str, Any]) -> list[str]:
    problems = check_fields(body, UPDATE_FIELDS, ())
    for name in NOT_BLANK_WHEN_SENT:
        if name in body and (body[name] is None or not str(body[name]).strip()):
            problems.append(f"{name}: must not be blank")
    return problems
