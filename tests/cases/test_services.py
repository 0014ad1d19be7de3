import pytest
from django.db import connection

from onboarding.accounts.roles import Role
from onboarding.cases.models import Case, CaseStatus, Section
from onboarding.cases.sections import SPECS
from onboarding.cases.services import (
    CaseVersionConflict,
    case_create,
    case_section_bind,
    case_section_save,
    cases_for_user,
    cases_search,
    rows_add,
    rows_remove,
)
from tests.cases.conftest import CLIENT_SECTION
from tests.factories import TenantFactory, staff_create

pytestmark = pytest.mark.django_db


def _save(case, section, raw, user):
    return case_section_save(case=case, section=section, raw=raw, version=case.version, user=user)


def test_it_keeps_invalid_values_exactly_as_typed(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    raw = CLIENT_SECTION | {"date_of_birth": ["20/05/1980"], "identity_id": ["12.345.678-9"]}

    result = _save(case, Section.CLIENT, raw, rm)

    reloaded = Case.objects.get(pk=case.pk)
    assert reloaded.draft(Section.CLIENT) == raw
    assert reloaded.section_state(Section.CLIENT) == {
        "saved": True,
        "blocking": 2,
        "filled": True,
        "version": 2,
    }
    errors = result.bound.form.errors
    assert errors["date_of_birth"] == ["Enter a date as YYYY-MM-DD."]
    assert errors["identity_id"] == [
        "The check digit 9 does not match the number before it: check both on the client's card."
    ]


def test_it_refuses_a_save_from_an_older_copy(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    stale_version = case.version
    _save(case, Section.CLIENT, CLIENT_SECTION, rm)

    with pytest.raises(CaseVersionConflict) as caught:
        case_section_save(case=case, section=Section.CLIENT, raw={}, version=stale_version, user=rm)

    assert caught.value.case.version == stale_version + 1
    assert Case.objects.get(pk=case.pk).draft(Section.CLIENT)["first_name"] == ["Juan"]


def test_it_stores_sensitive_values_only_encrypted(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    _save(case, Section.CLIENT, CLIENT_SECTION, rm)

    with connection.cursor() as cursor:
        cursor.execute("SELECT drafts, client_name, identity_hash FROM cases_case")
        drafts, name, identity_hash = cursor.fetchone()

    assert "961234567" not in drafts
    assert "1980-05-20" not in drafts
    assert "12.345.678" not in drafts
    assert name == "Juan García López"
    assert identity_hash
    assert "12345678" not in identity_hash


def test_it_finds_a_case_by_name_email_or_identity_number(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    _save(case, Section.CLIENT, CLIENT_SECTION, rm)
    case_create(tenant=tenant, owner=rm)

    for query in ("garcía", "JUAN@example", "123456785", "12.345.678-5", "12.345.678"):
        found = cases_search(user=rm, tenant=tenant, query=query)
        assert list(found) == [case], query
    assert not cases_search(user=rm, tenant=tenant, query="12.345.679")
    assert list(cases_search(user=rm, tenant=tenant, status=CaseStatus.READY)) == []


def test_it_shows_an_rm_only_their_own_cases_but_reviewers_all(tenant, rm):
    mine = case_create(tenant=tenant, owner=rm)
    colleague = staff_create(tenants=[tenant])
    theirs = case_create(tenant=tenant, owner=colleague)
    elsewhere = case_create(tenant=TenantFactory(), owner=colleague)
    officer = staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant])

    assert list(cases_for_user(user=rm)) == [mine]
    assert set(cases_for_user(user=officer)) == {mine, theirs}
    assert elsewhere not in cases_for_user(user=officer)


def test_it_shows_each_fact_from_the_section_that_holds_it(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    _save(case, Section.CLIENT, CLIENT_SECTION, rm)

    compliance = case_section_bind(case=case, section=Section.COMPLIANCE)
    activation = case_section_bind(case=case, section=Section.ACTIVATION)

    facts = dict(compliance.facts())
    shown = {label: value for label, value, _anchor in facts[Section.CLIENT]}
    assert shown["Paternal last name"] == "García"
    assert shown["Identity number"] == "12345678-5"
    assert "paternal_last_name" not in compliance.form.fields
    assert "first_name" not in SPECS[Section.COMPLIANCE].form.base_fields
    assert "preferred_contact_language" not in activation.form.fields


def test_it_adds_and_removes_rows_in_the_raw_draft():
    raw = {
        "addresses-TOTAL_FORMS": ["3"],
        "addresses-0-city": ["Santiago"],
        "addresses-1-city": ["Lima"],
        "addresses-2-city": ["Quito"],
        "first_name": ["Juan"],
    }

    removed = rows_remove(raw, "addresses", 1)
    added = rows_add(removed, "addresses", max_rows=5)

    assert removed["addresses-0-city"] == ["Santiago"]
    assert removed["addresses-1-city"] == ["Quito"]
    assert "addresses-2-city" not in removed
    assert added["addresses-TOTAL_FORMS"] == ["3"]
    assert added["first_name"] == ["Juan"]
    assert rows_add({"x-TOTAL_FORMS": ["5"]}, "x", max_rows=5)["x-TOTAL_FORMS"] == ["5"]


@pytest.mark.parametrize("section", list(Section))
def test_it_places_every_field_of_a_section_under_a_heading(tenant, section):
    form = SPECS[section].form(tenant=tenant)

    titled = [title for title, _fields in form.fieldsets()]

    assert "" not in titled or len(titled) == 1
