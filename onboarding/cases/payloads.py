"""The five Altafid calls of a case, built from its sections with the client's own models.

`case_payloads` is what the review page shows and what the submission pipeline will send, so
that what the RM checked is exactly what goes out.
"""

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from onboarding.altafid.contacts import (
    ComplianceUpdate,
    ContactCreate,
    PrimaryEmailUpdate,
    SalesUpdate,
)
from onboarding.altafid.enums import ContactAddressType, DocumentType, FirmType, IdentityType
from onboarding.cases.forms import SAME
from onboarding.cases.models import Case, Section
from onboarding.cases.sections import BoundSection, primary_address
from onboarding.cases.validators import phone_country


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    path: str
    section: Section
    body: dict[str, Any] | None
    problems: list[str]
    model: BaseModel | None = None


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in ("", None)}


def _split(text: str | None) -> list[str] | None:
    items = [item.strip() for item in (text or "").split(",") if item.strip()]
    return items or None


def _phone(data: dict[str, Any]) -> dict[str, Any] | None:
    if not (data.get("phone_code") and data.get("phone_number")):
        return None
    return {"phone_country_code": data["phone_code"], "phone_number": data["phone_number"]}


def _addresses(bound: BoundSection, kind: ContactAddressType) -> list[dict[str, Any]]:
    return [_clean({**row, "contact_address_type": kind.value}) for row in bound.rows("addresses")]


def _client_fields(case: Case, client: dict[str, Any]) -> dict[str, Any]:
    return _clean(
        {
            name: client.get(name)
            for name in (
                "first_name",
                "middle_name",
                "paternal_last_name",
                "maternal_last_name",
                "contact_type",
                "contact_means",
                "preferred_contact_language",
                "preferred_email",
                "date_of_birth",
                "gender",
                "marital_status",
                "identity_type",
                "identity_id",
                "identity_country",
                "contact_source",
                "contact_preference",
            )
        }
    )


@dataclass(frozen=True)
class Built:
    model: BaseModel | None
    body: dict[str, Any] | None
    problems: list[str]


def _build(model: type[BaseModel], fields: dict[str, Any]) -> Built:
    try:
        payload = model.model_validate(fields)
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}"
            for issue in error.errors()
        ]
        return Built(None, None, problems)
    assert hasattr(payload, "payload")
    return Built(payload, payload.payload(), [])


DOCUMENT_OF_IDENTITY: dict[str, DocumentType] = {
    IdentityType.CHILE_RUT: DocumentType.CHILE_RUT_CARD,
    IdentityType.PASSPORT: DocumentType.PASSPORT,
    IdentityType.NATIONAL_ID: DocumentType.NATIONAL_ID,
}


def case_payloads(*, case: Case, sections: dict[Section, BoundSection]) -> list[Call]:
    """The five calls in order; a call whose section data is not valid yet has `problems`.

    Each fact is read from the one section that holds it (docs/architecture.md, "One client
    record"): names, birth, phone, language and identity from the client; nationality, wealth
    and addresses from the sales profile.
    """
    client = sections[Section.CLIENT].data
    sales_bound = sections[Section.SALES]
    sales_data = sales_bound.data
    kyc_bound = sections[Section.COMPLIANCE]
    kyc = kyc_bound.data
    firm = case.tenant.altafid_uuid
    manager = _manager_uuid(case)
    common = _client_fields(case, client)
    phone = _phone(client)

    create = _build(
        ContactCreate,
        {
            **common,
            "market_segment": client.get("market_segment") or None,
            "preferred_phone_number": phone,
            "firm_id": firm,
            "firm_type": FirmType.TENANT,
            "contact_manager_id": manager,
            "contact_manager_firm_type": FirmType.TENANT,
        },
    )

    names = [client.get(name) for name in ("first_name", "paternal_last_name")]
    sales = _build(
        SalesUpdate,
        {
            **common,
            **_clean(dict(sales_data)),
            "segment_name": client.get("market_segment") or None,
            "display_name": sales_data.get("display_name") or " ".join(n for n in names if n),
            "preferred_phone_number": phone,
            "firm_entity_uuid": firm,
            "firm_name": case.tenant.name,
            "firm_type": FirmType.TENANT,
            "captured_by_entity_uuid": manager,
            "captured_by_type": FirmType.TENANT,
            "contact_manager_entity_uuid": manager,
            "contact_manager_type": FirmType.TENANT,
            "addresses": _addresses(sales_bound, ContactAddressType.SALES),
        },
    )

    kyc_phone = _phone(client)
    if kyc_phone:
        kyc_phone["country"] = phone_country(
            phone_code=client["phone_code"], number=client["phone_number"]
        )
    if kyc.get("compliance_address") == SAME:
        address = primary_address(sales_bound)
        kyc_addresses = (
            [_clean({**address, "contact_address_type": ContactAddressType.COMPLIANCE.value})]
            if address
            else []
        )
    else:
        kyc_addresses = _addresses(kyc_bound, ContactAddressType.COMPLIANCE)
    documents = [{"specification_data": _clean(row)} for row in kyc_bound.rows("documents")]
    identity_document = DOCUMENT_OF_IDENTITY.get(client.get("identity_type") or "")
    if identity_document and client.get("identity_id"):
        documents.insert(
            0,
            {
                "specification_data": _clean(
                    {
                        "specification_type": identity_document,
                        "identity_id": client["identity_id"],
                        "country": client.get("identity_country"),
                        "issuing_authority": kyc.get("identity_issuing_authority"),
                    }
                )
            },
        )
    compliance = _build(
        ComplianceUpdate,
        {
            **_clean({name: client.get(name) for name in KYC_FROM_CLIENT}),
            **_clean({name: sales_data.get(name) for name in KYC_FROM_SALES}),
            "primary_country_of_citizenship": sales_data.get("country_of_citizenship") or None,
            **_clean({name: kyc.get(name) for name in KYC_OWN}),
            "company_names": _split(kyc.get("company_names")),
            "trading_symbols": _split(kyc.get("trading_symbols")),
            "phone_number": kyc_phone,
            "addresses": kyc_addresses,
            "identity_documents": documents,
            "employment_history": [_clean(row) for row in kyc_bound.rows("employment")],
            "pep_entries": [_clean(row) for row in kyc_bound.rows("peps")],
        },
    )

    activation_data = sections[Section.ACTIVATION].data
    login = (
        client.get("preferred_email")
        if activation_data.get("login_email") == SAME
        else activation_data.get("primary_email")
    )
    activation = _build(
        PrimaryEmailUpdate,
        {
            "primary_email": login or None,
            "preferred_contact_language": client.get("preferred_contact_language") or None,
            **_clean(
                {k: client.get(k) for k in ("identity_type", "identity_id", "identity_country")}
            ),
        },
    )
    contact_path = "/api/contacts/{contactUuid}"
    return [
        Call("create", "POST", "/api/contacts", Section.CLIENT, *_parts(create)),
        Call("sales", "PUT", contact_path, Section.SALES, *_parts(sales)),
        Call("compliance", "PUT", contact_path, Section.COMPLIANCE, *_parts(compliance)),
        Call("primary_email", "PUT", contact_path, Section.ACTIVATION, *_parts(activation)),
        Call(
            "credentials",
            "POST",
            contact_path + "/credentials/init",
            Section.ACTIVATION,
            {},
            [],
        ),
    ]


KYC_FROM_CLIENT = (
    "first_name",
    "middle_name",
    "paternal_last_name",
    "maternal_last_name",
    "gender",
    "date_of_birth",
    "marital_status",
    "preferred_contact_language",
)
KYC_FROM_SALES = ("country_of_birth", "annual_income", "liquid_net_worth", "total_net_worth")
KYC_OWN = ("alias", "related_to_pep", "director_or_ten_percent_shareholder")


def _parts(built: Built) -> tuple[dict[str, Any] | None, list[str], BaseModel | None]:
    return built.body, built.problems, built.model


def _manager_uuid(case: Case) -> str:
    profile = getattr(case.owner, "staff_profile", None)
    return getattr(profile, "altafid_staff_uuid", "") or ""
