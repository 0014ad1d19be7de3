"""Where each form field goes in Altafid's bodies: one table per section.

Each row of a table is one form field and one Altafid path its value reaches (a field sent
under two names, or composed into an object, has a row for each). The tables are read by the
payload builders (`payloads.py` copies the fields that are not `built`), the refusal mapping
(`submissions/refusals.py` puts Altafid's field errors back on these fields), the masking of
stored attempts (`submissions/masking.py` hides every `personal` name) and the labels of
Altafid's names (`presenters.py`). A form field that is in no row is listed in its section's
`local`; tests fail on a field that is neither, and on a body path that has no row.
"""

from dataclasses import dataclass
from enum import StrEnum

from onboarding.cases.lifecycle import STEPS
from onboarding.cases.models import Section


class Sent(StrEnum):
    """The calls that carry a field, by the letters of docs/altafid-contract.md's Field Matrix."""

    CREATE = "C"
    SALES = "S"
    COMPLIANCE = "K"
    ACTIVATION = "A"


# The letter of each call of `payloads.case_payloads`, by its name (`lifecycle.STEPS`).
CALLS = {spec.kind.value: Sent(spec.letter) for spec in STEPS if spec.letter}


@dataclass(frozen=True)
class Field:
    """A form field and one Altafid path its value reaches."""

    name: str  # the form field
    wire: str  # "firstName", "preferredPhoneNumber.phoneNumber"; within a row, from the row
    calls: str = ""  # the calls that carry it (`Sent` letters); a row's are its group's
    personal: bool = True  # masked in stored attempts; a new field is, until decided otherwise
    built: bool = False  # composed by `payloads.py` (an object, a list, a fallback), not copied
    # An amount of money: whole units of the tenant's currency, sent as a string of digits
    # ("120000000", as the seeds show), shown grouped with the currency.
    amount: bool = False


@dataclass(frozen=True)
class Group:
    """Repeating rows: a formset of the section, sent as one Altafid list."""

    prefix: str  # the formset's prefix in the section's forms
    wire: str  # the list in the body
    calls: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class SectionMap:
    section: Section
    fields: tuple[Field, ...]
    groups: tuple[Group, ...] = ()
    # Form fields that are never sent themselves: they choose where a value comes from.
    local: tuple[str, ...] = ()

    def group(self, wire: str) -> Group | None:
        return next((group for group in self.groups if group.wire == wire), None)


@dataclass(frozen=True)
class Plumbing:
    """A field of the bodies that no form field fills: the firm, the manager, constants."""

    wire: str
    calls: str
    source: str  # what fills it; the create call names some sources differently from sales
    shown: bool  # shown as it is in stored attempts


def _address(calls: str) -> Group:
    return Group(
        "addresses",
        "addresses",
        calls,
        (
            Field("street_name", "streetName"),
            Field("street_number", "streetNumber"),
            Field("apartment", "apartment"),
            Field("commune", "commune"),
            Field("country", "country", personal=False),
            Field("city", "city"),
            Field("state", "state"),
            Field("zip_code", "zipCode"),
            Field("address_type", "addressType", personal=False),
            Field("is_primary", "isPrimary", personal=False),
        ),
    )


CLIENT = SectionMap(
    Section.CLIENT,
    (
        Field("first_name", "firstName", "CSK"),
        Field("middle_name", "middleName", "CSK"),
        Field("paternal_last_name", "paternalLastName", "CSK"),
        Field("maternal_last_name", "maternalLastName", "CSK"),
        Field("contact_type", "contactType", "CS", personal=False),
        Field("contact_means", "contactMeans", "CS", personal=False),
        Field("contact_preference", "contactPreference", "CS", personal=False),
        Field("preferred_contact_language", "preferredContactLanguage", "CSKA", personal=False),
        Field("preferred_email", "preferredEmail", "CS"),
        # The login e-mail, when activation says "the client's e-mail".
        Field("preferred_email", "primaryEmail", "A", built=True),
        Field("date_of_birth", "dateOfBirth", "CSK"),
        Field("gender", "gender", "CSK"),
        Field("marital_status", "maritalStatus", "CSK"),
        # The phone is an object, sent only when both parts are there; the compliance one
        # carries the number's country as well. An error on the object lands on the number.
        Field("phone_number", "preferredPhoneNumber", "CS", built=True),
        Field("phone_code", "preferredPhoneNumber.phoneCountryCode", "CS", built=True),
        Field("phone_number", "preferredPhoneNumber.phoneNumber", "CS", built=True),
        Field("phone_number", "phoneNumber", "K", built=True),
        Field("phone_code", "phoneNumber.phoneCountryCode", "K", built=True),
        Field("phone_number", "phoneNumber.phoneNumber", "K", built=True),
        Field("phone_code", "phoneNumber.country", "K", personal=False, built=True),
        Field("identity_type", "identityType", "CSA", personal=False),
        Field("identity_id", "identityId", "CSA"),
        Field("identity_country", "identityCountry", "CSA", personal=False),
        # The client's identity is the compliance update's first identity document.
        Field(
            "identity_type",
            "identityDocuments[].specificationData.specificationType",
            "K",
            personal=False,
            built=True,
        ),
        Field("identity_id", "identityDocuments[].specificationData.identityId", "K", built=True),
        Field(
            "identity_country",
            "identityDocuments[].specificationData.country",
            "K",
            personal=False,
            built=True,
        ),
        Field("contact_source", "contactSource", "CS", personal=False),
        # The create call and the sales update name the segment differently.
        Field("market_segment", "marketSegment", "C", personal=False),
        Field("market_segment", "segmentName", "S", personal=False),
    ),
)

SALES = SectionMap(
    Section.SALES,
    (
        Field("stage_name", "stageName", "S", personal=False),
        # Empty, it is the client's first and paternal last names.
        Field("display_name", "displayName", "S", built=True),
        Field("annual_income", "annualIncome", "SK", amount=True),
        Field("liquid_net_worth", "liquidNetWorth", "SK", amount=True),
        Field("total_net_worth", "totalNetWorth", "SK", amount=True),
        Field("country_of_citizenship", "countryOfCitizenship", "S", personal=False),
        Field("country_of_citizenship", "primaryCountryOfCitizenship", "K", personal=False),
        Field("country_of_birth", "countryOfBirth", "SK", personal=False),
    ),
    # The compliance update sends the primary one as its own when compliance says "the same".
    (_address("S"),),
)

COMPLIANCE = SectionMap(
    Section.COMPLIANCE,
    (
        Field("alias", "alias", "K"),
        Field(
            "identity_issuing_authority",
            "identityDocuments[].specificationData.issuingAuthority",
            "K",
            built=True,
        ),
        # Yes/no answers that are personal all the same: declarations about the client.
        Field("related_to_pep", "relatedToPEP", "K"),
        Field("director_or_ten_percent_shareholder", "directorOrTenPercentShareholder", "K"),
        # Typed as one text, sent as a list.
        Field("company_names", "companyNames", "K", built=True),
        Field("trading_symbols", "tradingSymbols", "K", built=True),
    ),
    (
        _address("K"),
        Group(
            "documents",
            "identityDocuments",
            "K",
            (
                Field("specification_type", "specificationData.specificationType", personal=False),
                Field("identity_id", "specificationData.identityId"),
                Field("country", "specificationData.country", personal=False),
                Field("issuing_authority", "specificationData.issuingAuthority"),
            ),
        ),
        Group(
            "employment",
            "employmentHistory",
            "K",
            (
                Field("employment_status", "employmentStatus", personal=False),
                Field("employer_name", "employerName"),
                Field("job_position", "jobPosition"),
                Field("start_date", "startDate"),
                Field("end_date", "endDate"),
                Field("country", "country", personal=False),
                Field("city", "city"),
                Field("street_name", "streetName"),
                Field("street_number", "streetNumber"),
                Field("region_state", "regionState"),
                Field("zip_code", "zipCode"),
            ),
        ),
        Group(
            "peps",
            "pepEntries",
            "K",
            (
                Field("name", "name"),
                Field("position", "position"),
                Field("country", "country", personal=False),
                Field("relationship", "relationship"),
            ),
        ),
    ),
    local=("compliance_address",),
)

ACTIVATION = SectionMap(
    Section.ACTIVATION,
    # When activation says "another address"; otherwise it is the client's e-mail.
    (Field("primary_email", "primaryEmail", "A", built=True),),
    local=("login_email",),
)

TABLES: dict[Section, SectionMap] = {
    table.section: table for table in (CLIENT, SALES, COMPLIANCE, ACTIVATION)
}

PLUMBING = (
    Plumbing("firmId", "C", "firm", shown=True),
    Plumbing("firmEntityUuid", "S", "firm", shown=False),
    Plumbing("firmName", "S", "firm name", shown=False),
    Plumbing("firmType", "CS", "firm type", shown=True),
    Plumbing("contactManagerId", "C", "manager", shown=False),
    Plumbing("contactManagerEntityUuid", "S", "manager", shown=False),
    Plumbing("contactManagerFirmType", "C", "manager type", shown=True),
    Plumbing("contactManagerType", "S", "manager type", shown=True),
    Plumbing("capturedByEntityUuid", "S", "captured by", shown=False),
    Plumbing("capturedByType", "S", "captured by type", shown=True),
    Plumbing("status", "CS", "status", shown=True),
    Plumbing("customFields", "K", "custom fields", shown=False),
    Plumbing("addresses[].contactAddressType", "SK", "address kind", shown=True),
)


def paths(table: SectionMap) -> list[tuple[str, str, Field]]:
    """(full Altafid path, the group's form prefix or "", field) of every row of a table."""
    found = [(field.wire, "", field) for field in table.fields]
    for group in table.groups:
        found += [(f"{group.wire}[].{field.wire}", group.prefix, field) for field in group.fields]
    return found


def leaf(path: str) -> str:
    """The last name of a path: the key masking sees ("zipCode" of "addresses[].zipCode")."""
    return path.rpartition(".")[2]


def form_field(wire: str) -> str:
    """The form field a top-level Altafid name comes from ("segmentName": "market_segment")."""
    for table in TABLES.values():
        for field in table.fields:
            if field.wire == wire:
                return field.name
    return ""


def _names(*, personal: bool) -> frozenset[str]:
    fields = {
        leaf(path) for t in TABLES.values() for path, _p, f in paths(t) if f.personal is personal
    }
    plumbing = {leaf(p.wire) for p in PLUMBING if p.shown is not personal}
    return frozenset(fields | plumbing)


# The names of the bodies whose values are personal, and those that are classification codes.
PERSONAL_NAMES = _names(personal=True)
SHOWN_NAMES = _names(personal=False)
# The form fields and the bodies' names that hold an amount of money.
AMOUNT_NAMES = frozenset(
    name
    for table in TABLES.values()
    for _path, _prefix, field in paths(table)
    if field.amount
    for name in (field.name, leaf(field.wire))
)


def _create_names() -> dict[str, str]:
    """{the create call's name: the sales update's} for a value the two name differently."""
    rows = [(f"{t.section}.{f.name}", f.wire, f.calls) for t in TABLES.values() for f in t.fields]
    rows += [(p.source, p.wire, p.calls) for p in PLUMBING]
    names: dict[tuple[str, str], set[str]] = {}
    for source, wire, calls in rows:
        if "." not in wire and "[" not in wire:
            for call in calls:
                names.setdefault((source, call), set()).add(wire)
    aliases = {}
    for (source, call), created in names.items():
        updated = names.get((source, Sent.SALES), set())
        if call == Sent.CREATE and len(created) == len(updated) == 1 and created != updated:
            aliases[created.pop()] = updated.pop()
    return aliases


# The create call names a few fields differently from the updates (docs/altafid-contract.md).
CREATE_NAMES = _create_names()
