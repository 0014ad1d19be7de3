import pytest

from onboarding.altafid import contacts
from onboarding.altafid.contacts import ContactFilter
from onboarding.altafid.errors import (
    AltafidConflict,
    AltafidNotFound,
    AltafidValidationError,
)
from tests.altafid.payloads import (
    activation_payload,
    compliance_payload,
    create_payload,
    sales_payload,
)


def test_it_runs_the_five_onboarding_calls_in_order(client, sandbox):
    created = contacts.contact_create(client, payload=create_payload())
    uuid = created.contact_uuid

    contacts.contact_update_sales(client, contact_uuid=uuid, payload=sales_payload())
    contacts.contact_update_compliance(client, contact_uuid=uuid, payload=compliance_payload())
    contacts.contact_set_primary_email(client, contact_uuid=uuid, payload=activation_payload())
    contacts.contact_init_credentials(client, contact_uuid=uuid)

    [stored] = sandbox.contacts()
    assert stored["contactUuid"] == uuid
    assert stored["stageName"] == "conStage001"
    assert stored["relatedToPEP"] is True
    assert stored["employmentHistory"][0]["startDate"] == "2005-03-01"
    assert {a["contactAddressType"] for a in stored["addresses"]} == {"SALES", "COMPLIANCE"}
    assert stored["primaryEmail"] == "juan@example.com"
    assert stored["credentialsInitialised"] is True


def test_it_reads_a_contact_back(client):
    uuid = contacts.contact_create(client, payload=create_payload()).contact_uuid

    contact = contacts.contact_get(client, contact_uuid=uuid)

    assert contact.first_name == "Juan"
    assert contact.model_extra is not None
    assert contact.model_extra["identityCountry"] == "CHL"


def test_it_parses_the_standard_validation_error_into_field_errors(client):
    payload = create_payload().payload()
    payload.pop("firstName")
    payload["gender"] = "UNKNOWN"

    with pytest.raises(AltafidValidationError) as caught:
        client.post(contacts.CONTACTS_PATH, json=payload)

    error = caught.value
    assert (error.status, error.code) == (400, "BE0201")
    assert error.field_errors["firstName"] == ["must not be null"]
    assert error.field_errors["gender"] == ["must be one of MALE, FEMALE, OTHER"]
    assert error.final
    assert not error.ambiguous


def test_it_parses_the_legacy_error_of_credentials_before_primary_email(client):
    uuid = contacts.contact_create(client, payload=create_payload()).contact_uuid

    with pytest.raises(AltafidValidationError) as caught:
        contacts.contact_init_credentials(client, contact_uuid=uuid)

    assert caught.value.code is None
    assert caught.value.message == "Validation failed"
    assert list(caught.value.field_errors) == ["primaryEmail"]


def test_it_reports_a_second_credentials_init_as_a_conflict(client):
    uuid = contacts.contact_create(client, payload=create_payload()).contact_uuid
    contacts.contact_set_primary_email(client, contact_uuid=uuid, payload=activation_payload())
    contacts.contact_init_credentials(client, contact_uuid=uuid)

    with pytest.raises(AltafidConflict) as caught:
        contacts.contact_init_credentials(client, contact_uuid=uuid)

    assert caught.value.code == "BE0409"


def test_it_reports_an_unknown_contact_as_not_found(client):
    with pytest.raises(AltafidNotFound) as caught:
        contacts.contact_get(client, contact_uuid="C0000")

    assert caught.value.code == "BE0101"
    assert caught.value.message == "Contact not found"


def test_it_keeps_tenants_apart(client, sandbox):
    uuid = contacts.contact_create(client, payload=create_payload()).contact_uuid
    other = type(client)(connection=client.connection, tenant_uuid="T-OTHER")

    with pytest.raises(AltafidNotFound):
        contacts.contact_get(other, contact_uuid=uuid)


def test_it_finds_a_contact_through_the_v2_filter(client):
    contacts.contact_create(client, payload=create_payload(preferred_email="ana@example.com"))
    wanted = contacts.contact_create(client, payload=create_payload()).contact_uuid

    page = contacts.contact_search(
        client,
        filters=[
            ContactFilter(field="preferredEmail", value="JUAN@example.com"),
            ContactFilter(field="paternalLastName", operator="in", values=["García", "Soto"]),
        ],
    )

    assert [c.contact_uuid for c in page.content] == [wanted]
    assert page.total_elements == 1


def test_it_pages_through_the_contact_list(client):
    for _ in range(3):
        contacts.contact_create(client, payload=create_payload())

    page = contacts.contacts_list(client, page=1, size=2)

    assert (len(page.content), page.total_elements, page.total_pages) == (1, 3, 2)


def test_it_refuses_an_unknown_filter_field(client):
    with pytest.raises(AltafidValidationError) as caught:
        contacts.contact_search(client, filters=[ContactFilter(field="password", value="x")])

    assert "filters[0].field" in caught.value.field_errors
