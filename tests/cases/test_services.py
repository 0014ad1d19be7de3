import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from onboarding.accounts.roles import Role
from onboarding.cases.models import Case, CaseStatus, Section
from onboarding.cases.sections import SPECS
from onboarding.cases.services import (
    CaseVersionConflict,
    RowChange,
    case_create,
    case_removed_row,
    case_section_bind,
    case_section_save,
    case_start,
    cases_for_user,
    cases_search,
    row_values,
    rows_add,
    rows_insert,
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


def test_it_takes_a_save_from_an_older_copy_that_sends_what_is_stored(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    stale_version = case.version
    saved = _save(case, Section.CLIENT, CLIENT_SECTION, rm).case

    result = case_section_save(
        case=saved,
        section=Section.CLIENT,
        raw=saved.draft(Section.CLIENT),
        version=stale_version,
        user=rm,
        autosave=True,
    )

    assert result.case.version == stale_version + 1


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
    other = TenantFactory()
    colleague = staff_create(tenants=[tenant, other])
    theirs = case_create(tenant=tenant, owner=colleague)
    elsewhere = case_create(tenant=other, owner=colleague)
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


def test_it_puts_a_removed_row_back_where_it_was():
    raw = {
        "addresses-TOTAL_FORMS": ["3"],
        "addresses-0-city": ["Santiago"],
        "addresses-1-city": ["Lima"],
        "addresses-1-is_primary": ["on"],
        "addresses-2-city": ["Quito"],
        "first_name": ["Juan"],
    }
    row = row_values(raw, "addresses", 1)

    back = rows_insert(rows_remove(raw, "addresses", 1), "addresses", 1, row)

    assert row == {"city": ["Lima"], "is_primary": ["on"]}
    assert back == {**raw, "addresses-INITIAL_FORMS": ["0"]}
    # A group that has fewer rows now gets it last.
    assert rows_insert({}, "addresses", 4, row)["addresses-0-city"] == ["Lima"]


SALES_TWO_ADDRESSES = {
    "addresses-TOTAL_FORMS": ["2"],
    "addresses-INITIAL_FORMS": ["0"],
    "addresses-0-street_name": ["Apoquindo"],
    "addresses-0-country": ["CHL"],
    "addresses-1-street_name": ["Providencia"],
    "addresses-1-country": ["CHL"],
}


def _rows_saved(case, rm, action, raw=None, **options):
    raw = raw if raw is not None else case.draft(Section.SALES)
    kind, _sep, rest = action.partition(":")
    prefix, _sep, index = rest.partition(":")
    return case_section_save(
        case=case,
        section=Section.SALES,
        raw=raw,
        version=case.version,
        user=rm,
        rows=RowChange(kind, prefix, int(index or 0)),
        **options,
    ).case


def test_it_keeps_a_removed_row_until_a_save_other_than_an_autosave(tenant, rm):
    case = _save(case_create(tenant=tenant, owner=rm), Section.SALES, SALES_TWO_ADDRESSES, rm).case

    case = _rows_saved(case, rm, "remove:addresses:0")
    kept = case_removed_row(case=case, section=Section.SALES)
    first_row = case.draft(Section.SALES)["addresses-0-street_name"]
    case = _save_as(case, rm, {**case.draft(Section.SALES), "annual_income": ["5"]}, True)
    kept_after_autosave = case_removed_row(case=case, section=Section.SALES)
    case = _save_as(case, rm, case.draft(Section.SALES), False)

    assert first_row == ["Providencia"]
    assert kept is not None
    assert (kept.prefix, kept.index) == ("addresses", 0)
    assert kept.values["street_name"] == ["Apoquindo"]
    assert kept_after_autosave == kept
    assert case_removed_row(case=case, section=Section.SALES) is None


def _save_as(case, rm, raw, autosave):
    return case_section_save(
        case=case, section=Section.SALES, raw=raw, version=case.version, user=rm, autosave=autosave
    ).case


def test_it_brings_a_removed_row_back_with_its_values_and_what_was_typed_since(tenant, rm):
    case = _save(case_create(tenant=tenant, owner=rm), Section.SALES, SALES_TWO_ADDRESSES, rm).case
    case = _rows_saved(case, rm, "remove:addresses:0")

    typed = {**case.draft(Section.SALES), "annual_income": ["90000000"]}
    case = _rows_saved(case, rm, "undo:addresses", raw=typed)

    draft = case.draft(Section.SALES)
    assert draft["addresses-TOTAL_FORMS"] == ["2"]
    assert draft["addresses-0-street_name"] == ["Apoquindo"]
    assert draft["addresses-1-street_name"] == ["Providencia"]
    assert draft["annual_income"] == ["90000000"]
    assert case_removed_row(case=case, section=Section.SALES) is None


def test_it_keeps_the_removed_row_when_its_group_is_full(tenant, rm):
    case = _save(case_create(tenant=tenant, owner=rm), Section.SALES, SALES_TWO_ADDRESSES, rm).case
    case = _rows_saved(case, rm, "remove:addresses:1")
    full = {**case.draft(Section.SALES), "addresses-TOTAL_FORMS": ["5"]}

    result = case_section_save(
        case=case,
        section=Section.SALES,
        raw=full,
        version=case.version,
        user=rm,
        rows=RowChange("undo", "addresses"),
    )

    assert result.undo_refused
    assert result.case.draft(Section.SALES)["addresses-TOTAL_FORMS"] == ["5"]
    assert case_removed_row(case=result.case, section=Section.SALES) is not None


def test_it_starts_an_onboarding_only_with_something_entered(tenant, rm):
    nothing = case_start(tenant=tenant, owner=rm, raw={"first_name": [" "], "gender": [""]})
    started = case_start(tenant=tenant, owner=rm, raw={"first_name": ["Ana"]})

    assert nothing is None
    assert started is not None
    assert Case.objects.get().draft(Section.CLIENT) == {"first_name": ["Ana"]}
    assert Case.objects.get().status == CaseStatus.DRAFT


def test_it_lets_only_relationship_managers_start_an_onboarding(tenant):
    officer = staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant])

    with pytest.raises(PermissionDenied):
        case_start(tenant=tenant, owner=officer, raw={"first_name": ["Ana"]})

    assert not Case.objects.exists()


def test_it_moves_on_strictly_only_from_a_section_with_nothing_to_fix(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    invalid = CLIENT_SECTION | {"preferred_email": ["not-an-address"]}

    case = case_section_save(
        case=case,
        section=Section.CLIENT,
        raw=invalid,
        version=case.version,
        user=rm,
        resume_at=Section.SALES,
        strict=True,
    ).case
    stays = Case.objects.get(pk=case.pk).current_section
    case_section_save(
        case=case,
        section=Section.CLIENT,
        raw=invalid,
        version=case.version,
        user=rm,
        resume_at=Section.SALES,
    )

    assert stays == Section.CLIENT
    assert Case.objects.get(pk=case.pk).current_section == Section.SALES


@pytest.mark.parametrize("section", list(Section))
def test_it_places_every_field_of_a_section_under_a_heading(tenant, section):
    form = SPECS[section].form(tenant=tenant)

    titled = [title for title, _fields in form.fieldsets()]

    assert "" not in titled or len(titled) == 1
