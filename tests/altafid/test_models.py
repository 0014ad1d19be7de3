import pytest
from pydantic import ValidationError

from tests.altafid.payloads import compliance_payload, create_payload, sales_payload


def test_it_sends_camel_case_and_leaves_out_empty_fields():
    body = create_payload(middle_name=None).payload()

    assert body["paternalLastName"] == "García"
    assert body["preferredPhoneNumber"] == {"phoneCountryCode": "+56", "phoneNumber": "912345678"}
    assert body["firmType"] == "TENANT"
    assert body["status"] == "ACTIVE"
    assert "middleName" not in body


def test_it_spells_the_pep_flag_as_the_api_does():
    body = compliance_payload().payload()

    assert body["relatedToPEP"] is True
    assert "relatedToPep" not in body
    assert "primaryEmail" not in body


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contact_type", "PROSPECT"),
        ("gender", "male"),
        ("date_of_birth", "20/05/1980"),
        ("date_of_birth", "1980-02-30"),
        ("identity_country", "CL"),
        ("preferred_email", "juan@"),
        ("first_name", "   "),
        ("preferred_phone_number", {"phone_country_code": "56", "phone_number": "9123"}),
        ("preferred_phone_number", {"phone_country_code": "+56", "phone_number": "9 1234 5678"}),
    ],
)
def test_it_refuses_what_altafid_would_refuse(field, value):
    with pytest.raises(ValidationError) as caught:
        create_payload(**{field: value})

    assert caught.value.errors()[0]["loc"][0] == field


def test_it_keeps_sales_addresses_out_of_the_compliance_call():
    sales_address = sales_payload().addresses[0].model_dump()

    with pytest.raises(ValidationError, match="COMPLIANCE address"):
        compliance_payload(addresses=[sales_address])


def test_it_refuses_fields_the_call_does_not_take():
    with pytest.raises(ValidationError, match="stage_name"):
        create_payload(stage_name="conStage001")
