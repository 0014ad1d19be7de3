"""Valid payloads of each call, to be varied by the tests."""

from typing import Any

from onboarding.altafid.contacts import (
    ComplianceUpdate,
    ContactCreate,
    PrimaryEmailUpdate,
    SalesUpdate,
)
from onboarding.altafid.sandbox import defaults

TENANT = defaults.TENANT_UUID
STAFF = defaults.SERVICE_USER_ID


def create_payload(**changes: Any) -> ContactCreate:
    fields: dict[str, Any] = {
        "first_name": "Juan",
        "paternal_last_name": "García",
        "maternal_last_name": "López",
        "contact_type": "SUBSCRIBER",
        "contact_means": "EMAIL",
        "preferred_contact_language": "SPANISH",
        "firm_id": TENANT,
        "contact_manager_id": STAFF,
        "preferred_email": "juan@example.com",
        "date_of_birth": "1980-05-20",
        "gender": "MALE",
        "marital_status": "MARRIED",
        "preferred_phone_number": {"phone_country_code": "+56", "phone_number": "912345678"},
        "identity_type": "CHILE_RUT",
        "identity_id": "12345678-5",
        "identity_country": "CHL",
        "contact_source": "conSource001",
        "market_segment": "conSegment002",
        "contact_preference": "EMAIL",
    }
    return ContactCreate(**(fields | changes))


def sales_payload(**changes: Any) -> SalesUpdate:
    fields: dict[str, Any] = {
        "first_name": "Juan",
        "paternal_last_name": "García",
        "contact_type": "SUBSCRIBER",
        "contact_means": "PHONE",
        "preferred_contact_language": "SPANISH",
        "annual_income": "365332",
        "liquid_net_worth": "76526753",
        "total_net_worth": "354353421",
        "country_of_citizenship": "CHL",
        "country_of_birth": "ARG",
        "segment_name": "conSegment001",
        "stage_name": "conStage001",
        "display_name": "Juan García",
        "firm_entity_uuid": TENANT,
        "contact_manager_entity_uuid": STAFF,
        "addresses": [
            {
                "street_number": "123",
                "street_name": "Av. Apoquindo",
                "city": "Santiago",
                "country": "CHL",
                "contact_address_type": "SALES",
                "is_primary": True,
            }
        ],
    }
    return SalesUpdate(**(fields | changes))


def compliance_payload(**changes: Any) -> ComplianceUpdate:
    fields: dict[str, Any] = {
        "first_name": "Juan",
        "paternal_last_name": "García",
        "preferred_contact_language": "SPANISH",
        "phone_number": {
            "country": "CHL",
            "phone_country_code": "+56",
            "phone_number": "912345678",
        },
        "primary_country_of_citizenship": "CHL",
        "related_to_pep": True,
        "pep_entries": [{"name": "Ana García", "position": "Senator", "country": "CHL"}],
        "addresses": [
            {
                "street_name": "Av. Apoquindo",
                "city": "Santiago",
                "country": "CHL",
                "contact_address_type": "COMPLIANCE",
                "is_primary": True,
            }
        ],
        "identity_documents": [
            {
                "specification_data": {
                    "specification_type": "CHILE_RUT_CARD",
                    "country": "CHL",
                    "identity_id": "12345678-5",
                    "issuing_authority": "Registro Civil",
                }
            }
        ],
        "employment_history": [
            {
                "employment_status": "employed",
                "employer_name": "Minera Andes",
                "start_date": "2005-03-01",
                "end_date": "2015-12-31",
                "country": "CHL",
            }
        ],
    }
    return ComplianceUpdate(**(fields | changes))


def activation_payload(**changes: Any) -> PrimaryEmailUpdate:
    fields: dict[str, Any] = {
        "primary_email": "juan@example.com",
        "preferred_contact_language": "SPANISH",
        "identity_type": "CHILE_RUT",
        "identity_id": "12345678-5",
        "identity_country": "CHL",
    }
    return PrimaryEmailUpdate(**(fields | changes))
