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
from onboarding.cases.lifecycle import STEPS, StepKind
from onboarding.cases.mapping import TABLES, Group, Sent
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


def _filled(value: Any) -> bool:
    return value not in ("", None)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if _filled(value)}


def _split(text: str | None) -> list[str] | None:
    items = [item.strip() for item in (text or "").split(",") if item.strip()]
    return items or None


def _phone(data: dict[str, Any]) -> dict[str, Any] | None:
    if not (data.get("phone_code") and data.get("phone_number")):
        return None
    return {"phoneCountryCode": data["phone_code"], "phoneNumber": data["phone_number"]}


def _copied(sent: Sent, data: dict[Section, dict[str, Any]]) -> dict[str, Any]:
    """The fields a call sends as they are, by Altafid's names, each from its section."""
    return {
        field.wire: value
        for table in TABLES.values()
        for field in table.fields
        if sent in field.calls and not field.built
        if _filled(value := data[table.section].get(field.name))
    }


def _row(group: Group, row: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for field in group.fields:
        if _filled(value := row.get(field.name)):
            *parents, name = field.wire.split(".")
            place = body
            for parent in parents:
                place = place.setdefault(parent, {})
            place[name] = value
    return body


def _rows(bound: BoundSection) -> dict[str, list[dict[str, Any]]]:
    """Each repeating group of the section as its Altafid list, by the list's name."""
    return {
        group.wire: [_row(group, row) for row in bound.rows(group.prefix)]
        for group in TABLES[bound.section].groups
    }


def _addresses(rows: list[dict[str, Any]], kind: ContactAddressType) -> list[dict[str, Any]]:
    return [{**row, "contactAddressType": kind.value} for row in rows]


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
    record"); which fields each call copies, and under which names, is `mapping.TABLES`.
    """
    data = {section: bound.data for section, bound in sections.items()}
    client, sales_data, kyc = (
        data[Section.CLIENT],
        data[Section.SALES],
        data[Section.COMPLIANCE],
    )
    firm = case.tenant.altafid_uuid
    manager = _manager_uuid(case)
    phone = _phone(client)

    create = _build(
        ContactCreate,
        {
            **_copied(Sent.CREATE, data),
            "preferredPhoneNumber": phone,
            "firmId": firm,
            "firmType": FirmType.TENANT,
            "contactManagerId": manager,
            "contactManagerFirmType": FirmType.TENANT,
        },
    )

    names = [client.get(name) for name in ("first_name", "paternal_last_name")]
    sales_rows = _rows(sections[Section.SALES])
    sales = _build(
        SalesUpdate,
        {
            **_copied(Sent.SALES, data),
            "displayName": sales_data.get("display_name") or " ".join(n for n in names if n),
            "preferredPhoneNumber": phone,
            "firmEntityUuid": firm,
            "firmName": case.tenant.name,
            "firmType": FirmType.TENANT,
            "capturedByEntityUuid": manager,
            "capturedByType": FirmType.TENANT,
            "contactManagerEntityUuid": manager,
            "contactManagerType": FirmType.TENANT,
            "addresses": _addresses(sales_rows["addresses"], ContactAddressType.SALES),
        },
    )

    kyc_phone = _phone(client)
    if kyc_phone:
        kyc_phone["country"] = phone_country(
            phone_code=client["phone_code"], number=client["phone_number"]
        )
    kyc_rows = _rows(sections[Section.COMPLIANCE])
    if kyc.get("compliance_address") == SAME:
        address = primary_address(sections[Section.SALES])
        group = TABLES[Section.SALES].group("addresses")
        assert group is not None
        own = [_row(group, address)] if address else []
    else:
        own = kyc_rows["addresses"]
    documents = kyc_rows["identityDocuments"]
    identity = _identity_document(client, kyc)
    if identity is not None:
        documents.insert(0, identity)
    compliance = _build(
        ComplianceUpdate,
        {
            **_copied(Sent.COMPLIANCE, data),
            **kyc_rows,
            "companyNames": _split(kyc.get("company_names")),
            "tradingSymbols": _split(kyc.get("trading_symbols")),
            "phoneNumber": kyc_phone,
            "addresses": _addresses(own, ContactAddressType.COMPLIANCE),
            "identityDocuments": documents,
        },
    )

    login = (
        client.get("preferred_email")
        if data[Section.ACTIVATION].get("login_email") == SAME
        else data[Section.ACTIVATION].get("primary_email")
    )
    activation = _build(
        PrimaryEmailUpdate,
        {**_copied(Sent.ACTIVATION, data), "primaryEmail": login or None},
    )
    built = {
        StepKind.CREATE: create,
        StepKind.SALES: sales,
        StepKind.COMPLIANCE: compliance,
        StepKind.PRIMARY_EMAIL: activation,
    }
    calls = []
    for spec in STEPS:
        part = built.get(spec.kind)
        body, problems, model = (part.body, part.problems, part.model) if part else ({}, [], None)
        calls.append(Call(spec.kind.value, spec.method, spec.path, spec.own, body, problems, model))
    return calls


def _identity_document(client: dict[str, Any], kyc: dict[str, Any]) -> dict[str, Any] | None:
    """The client's own identity document, which goes first in `identityDocuments`."""
    specification = DOCUMENT_OF_IDENTITY.get(client.get("identity_type") or "")
    if not (specification and client.get("identity_id")):
        return None
    return {
        "specificationData": _clean(
            {
                "specificationType": specification,
                "identityId": client["identity_id"],
                "country": client.get("identity_country"),
                "issuingAuthority": kyc.get("identity_issuing_authority"),
            }
        )
    }


def rows_origin(
    *, sections: dict[Section, BoundSection], section: Section
) -> dict[str, list[int | None]]:
    """For each Altafid list `section` sends, the form row each entry comes from, in order;
    None for an entry made elsewhere (the client's identity document, or the sales address
    the compliance address repeats). The refusals read an error's row through it."""
    bound = sections[section]
    origins: dict[str, list[int | None]] = {
        group.wire: list(bound.rows_sent(group.prefix)) for group in TABLES[section].groups
    }
    if section is Section.COMPLIANCE:
        data = {name: sections[name].data for name in (Section.CLIENT, Section.COMPLIANCE)}
        if data[Section.COMPLIANCE].get("compliance_address") == SAME:
            repeated = primary_address(sections[Section.SALES]) is not None
            origins["addresses"] = [None] if repeated else []
        if _identity_document(data[Section.CLIENT], data[Section.COMPLIANCE]) is not None:
            origins["identityDocuments"] = [None, *origins["identityDocuments"]]
    return origins


def _manager_uuid(case: Case) -> str:
    profile = getattr(case.owner, "staff_profile", None)
    return getattr(profile, "altafid_staff_uuid", "") or ""
