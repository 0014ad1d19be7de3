"""Migration 0004: each fact about the client keeps one home, copies in later sections go."""

import copy
import importlib

migration = importlib.import_module("onboarding.cases.migrations.0004_one_client_record")
drafts_migrate = migration.drafts_migrate

CLIENT = {
    "first_name": ["Juan"],
    "paternal_last_name": ["García"],
    "maternal_last_name": ["López"],
    "preferred_email": ["juan@example.com"],
    "phone_code": ["+56"],
    "phone_number": ["961234567"],
    "identity_type": ["CHILE_RUT"],
    "identity_id": ["12.345.678-5"],
}
SALES_ADDRESSES = {
    "addresses-TOTAL_FORMS": ["2"],
    "addresses-INITIAL_FORMS": ["0"],
    "addresses-0-street_name": ["Calle Larga"],
    "addresses-0-street_number": ["12"],
    "addresses-0-city": ["Valparaíso"],
    "addresses-0-country": ["CHL"],
    "addresses-1-street_name": ["Avenida Apoquindo"],
    "addresses-1-street_number": ["3000"],
    "addresses-1-city": ["Santiago"],
    "addresses-1-country": ["CHL"],
    "addresses-1-is_primary": ["on"],
}
SALES = {
    "segment_name": ["conSegment002"],
    "stage_name": ["conStage002"],
    "country_of_citizenship": ["CHL"],
    "liquid_net_worth": ["300000000"],
    **SALES_ADDRESSES,
}
# The compliance address as it was copied from the sales profile's primary address.
SAME_ADDRESS = {
    "addresses-TOTAL_FORMS": ["1"],
    "addresses-INITIAL_FORMS": ["0"],
    "addresses-0-street_name": ["Avenida Apoquindo"],
    "addresses-0-street_number": ["3000"],
    "addresses-0-city": ["Santiago"],
    "addresses-0-country": ["CHL"],
    "addresses-0-address_type": ["HOME"],
}
OTHER_ADDRESS = {
    **SAME_ADDRESS,
    "addresses-0-street_name": ["Los Leones"],
    "addresses-0-street_number": ["55"],
}
DOCUMENTS = {
    "documents-TOTAL_FORMS": ["2"],
    "documents-INITIAL_FORMS": ["0"],
    "documents-0-specification_type": ["NATIONAL_ID"],
    "documents-0-identity_id": ["12345678-5"],
    "documents-0-country": ["CHL"],
    "documents-0-issuing_authority": ["Registro Civil"],
    "documents-1-specification_type": ["PASSPORT"],
    "documents-1-identity_id": ["P1234567"],
    "documents-1-country": ["CHL"],
}
COPIES = {
    "first_name": ["Juan Pablo"],
    "paternal_last_name": ["García"],
    "maternal_last_name": ["López"],
    "phone_code": ["+56"],
    "phone_number": ["961234567"],
    "phone_country": ["CHL"],
    "primary_country_of_citizenship": ["ARG"],
    "liquid_net_worth": ["1"],
    "annual_income": ["90000000"],
}
COMPLIANCE = {**COPIES, **SAME_ADDRESS, **DOCUMENTS, "alias": ["Juanito"]}
ACTIVATION = {"primary_email": ["Juan@Example.com"], "preferred_contact_language": ["SPANISH"]}


def _old(**changes):
    drafts = {
        "client": dict(CLIENT),
        "sales": dict(SALES),
        "compliance": dict(COMPLIANCE),
        "activation": dict(ACTIVATION),
    }
    for section, raw in changes.items():
        drafts[section] = raw
    return drafts


def test_it_removes_the_copies_and_keeps_each_fact_at_home():
    old = _old()
    untouched = copy.deepcopy(old)

    new = drafts_migrate(old)

    assert old == untouched
    compliance = new["compliance"]
    for key in COPIES:
        assert key not in compliance, key
    assert compliance["alias"] == ["Juanito"]
    # The home's value wins over a copy that differs.
    assert new["client"]["first_name"] == ["Juan"]
    assert new["sales"]["country_of_citizenship"] == ["CHL"]
    assert new["sales"]["liquid_net_worth"] == ["300000000"]
    assert "segment_name" not in new["sales"]
    assert new["client"]["market_segment"] == ["conSegment002"]


def test_it_moves_a_value_only_the_copy_had_to_its_home():
    new = drafts_migrate(_old())

    assert new["sales"]["annual_income"] == ["90000000"]
    assert new["client"]["preferred_contact_language"] == ["SPANISH"]
    assert "preferred_contact_language" not in new["activation"]


def test_it_turns_a_copied_compliance_address_into_same():
    compliance = drafts_migrate(_old())["compliance"]

    assert compliance["compliance_address"] == ["same"]
    assert compliance["addresses-TOTAL_FORMS"] == ["0"]
    assert not [key for key in compliance if key.startswith("addresses-0-")]


def test_it_keeps_a_different_compliance_address_as_other():
    kyc = {**COPIES, **OTHER_ADDRESS, **DOCUMENTS}

    compliance = drafts_migrate(_old(compliance=kyc))["compliance"]

    assert compliance["compliance_address"] == ["other"]
    for key, values in OTHER_ADDRESS.items():
        assert compliance[key] == values, key


def test_it_moves_the_issuing_authority_of_the_clients_identity_document():
    compliance = drafts_migrate(_old())["compliance"]

    assert compliance["identity_issuing_authority"] == ["Registro Civil"]
    assert compliance["documents-TOTAL_FORMS"] == ["1"]
    assert compliance["documents-0-identity_id"] == ["P1234567"]
    assert compliance["documents-0-specification_type"] == ["PASSPORT"]
    assert not [key for key in compliance if key.startswith("documents-1-")]


def test_it_turns_a_login_email_equal_to_the_clients_into_same():
    activation = drafts_migrate(_old())["activation"]

    assert activation == {"login_email": ["same"]}


def test_it_keeps_a_different_login_email_as_other():
    activation = drafts_migrate(_old(activation={"primary_email": ["juan.login@example.com"]}))[
        "activation"
    ]

    assert activation == {"primary_email": ["juan.login@example.com"], "login_email": ["other"]}


def test_it_leaves_drafts_without_later_sections_alone():
    assert drafts_migrate({"client": dict(CLIENT)}) == {"client": CLIENT}
    assert drafts_migrate({}) == {}
    assert drafts_migrate(None) == {}
