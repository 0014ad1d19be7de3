"""The five onboarding calls of seed 000 "Client Onboarding", a read, and the v2 search.

Each request model carries the fields the Field Matrix gives its call (as reconstructed in
docs/altafid-contract.md) and only the rules Altafid itself states: required fields, the
"Hardcoded Enums", YYYY-MM-DD dates, ISO-3 country codes. Rules of our own (RUT check
digit, phone validity for a country, …) live with the onboarding forms, not here.
"""

import datetime
import re
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationError,
)
from pydantic.alias_generators import to_camel

from onboarding.altafid.client import AltafidClient, path_segment
from onboarding.altafid.enums import (
    AddressType,
    ContactAddressType,
    ContactMeans,
    ContactPreference,
    ContactStatus,
    ContactType,
    DocumentType,
    EmploymentStatus,
    FirmType,
    Gender,
    IdentityType,
    Language,
    MaritalStatus,
)
from onboarding.altafid.errors import AltafidBadResponse

CONTACTS_PATH = "/api/contacts"
CONTACT_FILTER_PATH = "/api/v2/contacts/filter"


def _email(value: str) -> str:
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError("Enter a valid e-mail address") from None
    return value


def _strict_date(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError("Enter a date as YYYY-MM-DD")


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)
]
CountryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]{3}$"),
]
Amount = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{1,15}$")]
PhoneDigits = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{4,15}$")]
PhoneCountryCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+\d{1,4}$")]
IsoDate = Annotated[
    datetime.date,
    BeforeValidator(_strict_date),
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
]


class _Wire(BaseModel):
    """A request body: camelCase on the wire, unknown fields refused so typos surface here."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        use_enum_values=True,
    )

    def payload(self) -> dict[str, Any]:
        """The JSON body, leaving out what we have no value for."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class PhoneNumber(_Wire):
    phone_country_code: PhoneCountryCode
    phone_number: PhoneDigits


class CompliancePhoneNumber(PhoneNumber):
    country: CountryCode | None = None


class Address(_Wire):
    address_uuid: str | None = None
    street_number: OptionalText = None
    street_name: OptionalText = None
    apartment: OptionalText = None
    commune: OptionalText = None
    city: OptionalText = None
    state: OptionalText = None
    zip_code: OptionalText = None
    country: CountryCode
    landmark: OptionalText = None
    address_type: AddressType = AddressType.HOME
    contact_address_type: ContactAddressType
    is_primary: bool = False


class DocumentSpecification(_Wire):
    specification_type: DocumentType
    country: CountryCode
    identity_id: Text
    issuing_authority: OptionalText = None


class IdentityDocument(_Wire):
    specification_data: DocumentSpecification


class EmploymentRecord(_Wire):
    employment_status: EmploymentStatus
    employer_name: OptionalText = None
    job_position: OptionalText = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    country: CountryCode | None = None
    street_name: OptionalText = None
    street_number: OptionalText = None
    apartment: OptionalText = None
    commune: OptionalText = None
    city: OptionalText = None
    region_state: OptionalText = None
    zip_code: OptionalText = None


class PepEntry(_Wire):
    name: Text
    position: OptionalText = None
    country: CountryCode | None = None
    relationship: OptionalText = None


class ContactCreate(_Wire):
    """`POST /api/contacts` (seed 000 "POST /api/contacts", "Required Fields Summary")."""

    first_name: Text
    paternal_last_name: Text
    maternal_last_name: OptionalText = None
    middle_name: OptionalText = None
    contact_type: ContactType
    contact_means: ContactMeans
    preferred_contact_language: Language
    firm_id: Text
    firm_type: FirmType = FirmType.TENANT
    contact_manager_id: Text
    contact_manager_firm_type: FirmType = FirmType.TENANT
    status: ContactStatus = ContactStatus.ACTIVE
    preferred_email: Email | None = None
    date_of_birth: IsoDate | None = None
    gender: Gender | None = None
    marital_status: MaritalStatus | None = None
    preferred_phone_number: PhoneNumber | None = None
    identity_type: IdentityType | None = None
    identity_id: OptionalText = None
    identity_country: CountryCode | None = None
    contact_source: OptionalText = None
    market_segment: OptionalText = None
    contact_preference: ContactPreference | None = None


def _only(kind: ContactAddressType) -> Any:
    def check(addresses: list[Address]) -> list[Address]:
        if any(address.contact_address_type != kind for address in addresses):
            raise ValueError(f"Every address of this call must be a {kind.value} address")
        return addresses

    return AfterValidator(check)


class SalesUpdate(_Wire):
    """`PUT /api/contacts/{contactUuid}`, sales side (seed 000 "Sales Information")."""

    first_name: Text
    paternal_last_name: Text
    maternal_last_name: OptionalText = None
    middle_name: OptionalText = None
    display_name: OptionalText = None
    contact_type: ContactType
    contact_means: ContactMeans
    preferred_contact_language: Language
    status: ContactStatus = ContactStatus.ACTIVE
    gender: Gender | None = None
    date_of_birth: IsoDate | None = None
    marital_status: MaritalStatus | None = None
    preferred_email: Email | None = None
    preferred_phone_number: PhoneNumber | None = None
    annual_income: Amount | None = None
    liquid_net_worth: Amount | None = None
    total_net_worth: Amount | None = None
    identity_type: IdentityType | None = None
    identity_id: OptionalText = None
    identity_country: CountryCode | None = None
    country_of_citizenship: CountryCode | None = None
    country_of_birth: CountryCode | None = None
    contact_source: OptionalText = None
    segment_name: OptionalText = None
    stage_name: OptionalText = None
    contact_preference: ContactPreference | None = None
    firm_entity_uuid: Text
    firm_name: OptionalText = None
    firm_type: FirmType = FirmType.TENANT
    captured_by_entity_uuid: OptionalText = None
    captured_by_type: FirmType | None = None
    contact_manager_entity_uuid: Text
    contact_manager_type: FirmType = FirmType.TENANT
    addresses: Annotated[list[Address], _only(ContactAddressType.SALES)] = Field(
        default_factory=list
    )


class ComplianceUpdate(_Wire):
    """`PUT /api/contacts/{contactUuid}`, KYC side (seed 000 "Compliance Information").

    `primaryEmail` is left out on purpose: setting it is the activation step.
    """

    first_name: Text
    middle_name: OptionalText = None
    paternal_last_name: Text
    maternal_last_name: OptionalText = None
    alias: OptionalText = None
    phone_number: CompliancePhoneNumber | None = None
    gender: Gender | None = None
    date_of_birth: IsoDate | None = None
    primary_country_of_citizenship: CountryCode | None = None
    country_of_birth: CountryCode | None = None
    marital_status: MaritalStatus | None = None
    preferred_contact_language: Language
    annual_income: Amount | None = None
    liquid_net_worth: Amount | None = None
    total_net_worth: Amount | None = None
    related_to_pep: bool = Field(default=False, alias="relatedToPEP")
    director_or_ten_percent_shareholder: bool = False
    pep_entries: list[PepEntry] = Field(default_factory=list)
    company_names: list[Text] | None = None
    trading_symbols: list[Text] | None = None
    addresses: Annotated[list[Address], _only(ContactAddressType.COMPLIANCE)] = Field(
        default_factory=list
    )
    identity_documents: list[IdentityDocument] = Field(default_factory=list)
    current_employment: EmploymentRecord | None = None
    employment_history: list[EmploymentRecord] = Field(default_factory=list)
    custom_fields: dict[str, Any] | None = None


class PrimaryEmailUpdate(_Wire):
    """`PUT /api/contacts/{contactUuid}` with `primaryEmail` (seed 000 "Step 3a")."""

    primary_email: Email
    preferred_contact_language: Language
    identity_type: IdentityType | None = None
    identity_id: OptionalText = None
    identity_country: CountryCode | None = None


class Contact(BaseModel):
    """A contact as Altafid returns it; fields we do not use are kept, not typed."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    contact_uuid: str
    first_name: str | None = None
    paternal_last_name: str | None = None
    maternal_last_name: str | None = None
    date_of_birth: str | None = None
    identity_id: str | None = None
    preferred_email: str | None = None
    primary_email: str | None = None
    status: str | None = None


class ContactPage(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    content: list[Contact]
    page: int = 0
    size: int = 20
    total_elements: int = 0
    total_pages: int = 0


class ContactFilter(_Wire):
    """One condition of seed 001 "V2 filtering conventions"."""

    field: str
    operator: Literal["equals", "in", "contains"] = "equals"
    value: str | None = None
    values: list[str] | None = None


def _contact(body: Any, *, method: str, path: str) -> Contact:
    try:
        return Contact.model_validate(body)
    except ValidationError:
        # The write went through but we cannot tell what it produced.
        raise AltafidBadResponse(
            "The answer carries no contact", method=method, path=path, status=200, ambiguous=True
        ) from None


def _contact_path(contact_uuid: str) -> str:
    return f"{CONTACTS_PATH}/{path_segment(contact_uuid)}"


def contact_create(client: AltafidClient, *, payload: ContactCreate) -> Contact:
    """Seed 000 "POST /api/contacts"; the answer's `contactUuid` keys every later call."""
    body = client.post(CONTACTS_PATH, json=payload.payload())
    return _contact(body, method="POST", path=CONTACTS_PATH)


def contact_get(client: AltafidClient, *, contact_uuid: str) -> Contact:
    path = _contact_path(contact_uuid)
    return _contact(client.get(path), method="GET", path=path)


def _contact_put(client: AltafidClient, contact_uuid: str, payload: _Wire) -> Contact | None:
    path = _contact_path(contact_uuid)
    body = client.put(path, json=payload.payload())
    return None if body is None else _contact(body, method="PUT", path=path)


def contact_update_sales(
    client: AltafidClient, *, contact_uuid: str, payload: SalesUpdate
) -> Contact | None:
    """Seed 000 "PUT /api/contacts/{contactUuid} — Sales Information"."""
    return _contact_put(client, contact_uuid, payload)


def contact_update_compliance(
    client: AltafidClient, *, contact_uuid: str, payload: ComplianceUpdate
) -> Contact | None:
    """Seed 000 "PUT /api/contacts/{contactUuid} — Compliance Information"."""
    return _contact_put(client, contact_uuid, payload)


def contact_set_primary_email(
    client: AltafidClient, *, contact_uuid: str, payload: PrimaryEmailUpdate
) -> Contact | None:
    """Seed 000 "Step 3a — Set primaryEmail"."""
    return _contact_put(client, contact_uuid, payload)


def contact_amend(
    client: AltafidClient, *, contact_uuid: str, fields: dict[str, Any]
) -> Contact | None:
    """Seed 000 "PUT /api/contacts/{contactUuid}": "the fields you include determine what gets
    updated". An amendment sends only the fields that changed (None clears one); the full
    models above checked them when the amendment was planned."""
    path = _contact_path(contact_uuid)
    body = client.put(path, json=fields)
    return None if body is None else _contact(body, method="PUT", path=path)


def contact_init_credentials(client: AltafidClient, *, contact_uuid: str) -> None:
    """Seed 000 "Step 3b — Initialize credentials"; fails unless primaryEmail was set."""
    client.post(f"{_contact_path(contact_uuid)}/credentials/init", json={})


def contacts_list(client: AltafidClient, *, page: int = 0, size: int = 20) -> ContactPage:
    body = client.get(CONTACTS_PATH, params={"page": str(page), "size": str(size)})
    return _page(body, method="GET", path=CONTACTS_PATH)


def contact_search(
    client: AltafidClient,
    *,
    filters: list[ContactFilter],
    page: int = 0,
    size: int = 20,
    sort: tuple[str, ...] = ("createdAt,desc",),
) -> ContactPage:
    """Seed 001 "V2 filtering conventions" on contacts; a read, so safe to repeat."""
    request = {
        "filters": [condition.payload() for condition in filters],
        "page": page,
        "size": size,
        "sort": list(sort),
    }
    return _page(
        client.post(CONTACT_FILTER_PATH, json=request), method="POST", path=CONTACT_FILTER_PATH
    )


def contact_duplicates(
    client: AltafidClient, *, identity_id: str | None, email: str | None
) -> list[Contact]:
    """Contacts that may be this person: the same identity number, or the same e-mail.

    Seed 001 "V2 filtering conventions"; one search per value we have, as filters combine
    with "and".
    """
    found: dict[str, Contact] = {}
    for name, value in (("identityId", identity_id), ("preferredEmail", email)):
        if not value:
            continue
        page = contact_search(client, filters=[ContactFilter(field=name, value=value)], size=10)
        for contact in page.content:
            found.setdefault(contact.contact_uuid, contact)
    return list(found.values())


def _page(body: Any, *, method: str, path: str) -> ContactPage:
    try:
        return ContactPage.model_validate(body)
    except ValidationError:
        raise AltafidBadResponse("Unexpected page", method=method, path=path, status=200) from None
