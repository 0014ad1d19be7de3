"""Masked copies of what went to Altafid and what came back, for the step history.

Keys not listed here are shown as "•••": a new field is masked until someone decides that it
is safe to show.
"""

from typing import Any

SHOWN = frozenset(
    {
        "contactUuid",
        "contactType",
        "contactMeans",
        "contactPreference",
        "preferredContactLanguage",
        "status",
        "firmType",
        "firmId",
        "contactManagerType",
        "contactManagerFirmType",
        "capturedByType",
        "identityType",
        "identityCountry",
        "country",
        "countryOfBirth",
        "primaryCountryOfCitizenship",
        "countryOfCitizenship",
        "addressType",
        "contactAddressType",
        "isPrimary",
        "specificationType",
        "employmentStatus",
        "stageName",
        "segmentName",
        "contactSource",
        "marketSegment",
        "errorCode",
        "code",
        "timestamp",
        "path",
    }
)
HIDDEN = "•••"
# Yes/no answers that are personal all the same: declarations about the client.
PERSONAL_FLAGS = frozenset({"relatedToPEP", "directorOrTenPercentShareholder"})


def masked(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {name: masked(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [masked(item, key) for item in value]
    if key in PERSONAL_FLAGS:
        return HIDDEN
    if value is None or isinstance(value, bool) or key in SHOWN:
        return value
    return HIDDEN
