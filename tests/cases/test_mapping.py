"""The one mapping from form fields to Altafid fields (`cases/mapping.py`) against what reads it.

Two cases fill in every field of every section and every kind of row: one whose compliance
address and login e-mail are "the same", one whose are "another". Their bodies must carry
exactly the mapped paths, a refusal of each mapped path lands on its field, and masking hides
each personal one.
"""

from typing import Any

import pytest

from onboarding.cases import mapping
from onboarding.cases.forms import AmountField
from onboarding.cases.mapping import PLUMBING, TABLES, Sent, leaf, paths
from onboarding.cases.models import Section
from onboarding.cases.payloads import case_payloads
from onboarding.cases.sections import SPECS
from onboarding.cases.services import case_create, case_section_save, case_sections
from onboarding.submissions.masking import HIDDEN, masked
from onboarding.submissions.refusals import refusal_for_section

CLIENT = {
    "first_name": ["Juan"],
    "middle_name": ["Carlos"],
    "paternal_last_name": ["García"],
    "maternal_last_name": ["López"],
    "contact_type": ["SUBSCRIBER"],
    "contact_means": ["EMAIL"],
    "contact_preference": ["CALL"],
    "preferred_contact_language": ["SPANISH"],
    "preferred_email": ["juan@example.com"],
    "date_of_birth": ["1980-05-20"],
    "gender": ["MALE"],
    "marital_status": ["MARRIED"],
    "phone_code": ["+56"],
    "phone_number": ["961234567"],
    "identity_type": ["CHILE_RUT"],
    "identity_id": ["12.345.678-5"],
    "identity_country": ["CHL"],
    "contact_source": ["conSource001"],
    "market_segment": ["conSegment002"],
}


def _address_rows(count: int = 2) -> dict[str, list[str]]:
    rows = {"addresses-TOTAL_FORMS": [str(count)], "addresses-INITIAL_FORMS": ["0"]}
    for index in range(count):
        rows |= {
            f"addresses-{index}-street_name": ["Avenida Apoquindo"],
            f"addresses-{index}-street_number": ["3000"],
            f"addresses-{index}-apartment": ["1201"],
            f"addresses-{index}-commune": ["Las Condes"],
            f"addresses-{index}-country": ["CHL"],
            f"addresses-{index}-city": ["Santiago"],
            f"addresses-{index}-state": ["Región Metropolitana"],
            f"addresses-{index}-zip_code": ["7550000"],
            f"addresses-{index}-address_type": ["HOME" if index == 0 else "WORK"],
        }
    rows["addresses-0-is_primary"] = ["on"]
    return rows


SALES = {
    "stage_name": ["conStage002"],
    "display_name": ["Juan García"],
    "annual_income": ["90000000"],
    "liquid_net_worth": ["300000000"],
    "total_net_worth": ["350000000"],
    "country_of_citizenship": ["CHL"],
    "country_of_birth": ["ARG"],
    **_address_rows(),
}
COMPLIANCE = {
    "alias": ["Juanito"],
    "identity_issuing_authority": ["Registro Civil"],
    "related_to_pep": ["on"],
    "director_or_ten_percent_shareholder": ["on"],
    "company_names": ["Viña Andes SpA, Cobre Sur SA"],
    "trading_symbols": ["VAND, COSU"],
    "documents-TOTAL_FORMS": ["1"],
    "documents-INITIAL_FORMS": ["0"],
    "documents-0-specification_type": ["PASSPORT"],
    "documents-0-identity_id": ["P1234567"],
    "documents-0-country": ["CHL"],
    "documents-0-issuing_authority": ["Policía de Investigaciones"],
    "employment-TOTAL_FORMS": ["1"],
    "employment-INITIAL_FORMS": ["0"],
    "employment-0-employment_status": ["employed"],
    "employment-0-employer_name": ["Viña Andes SpA"],
    "employment-0-job_position": ["CFO"],
    "employment-0-start_date": ["2010-03-01"],
    "employment-0-end_date": ["2020-03-01"],
    "employment-0-country": ["CHL"],
    "employment-0-city": ["Santiago"],
    "employment-0-street_name": ["Isidora Goyenechea"],
    "employment-0-street_number": ["2800"],
    "employment-0-region_state": ["Región Metropolitana"],
    "employment-0-zip_code": ["7550001"],
    "peps-TOTAL_FORMS": ["1"],
    "peps-INITIAL_FORMS": ["0"],
    "peps-0-name": ["Ana Pérez"],
    "peps-0-position": ["Senator"],
    "peps-0-country": ["CHL"],
    "peps-0-relationship": ["Spouse"],
}
# "The same": the compliance address is the primary sales one, the login e-mail the client's.
SAME = {
    Section.CLIENT: CLIENT,
    Section.SALES: SALES,
    Section.COMPLIANCE: {**COMPLIANCE, "compliance_address": ["same"]},
    Section.ACTIVATION: {"login_email": ["same"]},
}
OTHER = {
    **SAME,
    Section.COMPLIANCE: {**COMPLIANCE, "compliance_address": ["other"], **_address_rows(1)},
    Section.ACTIVATION: {"login_email": ["other"], "primary_email": ["juan.login@example.com"]},
}


def _filled(tenant: Any, rm: Any, drafts: dict[Section, dict[str, list[str]]]) -> Any:
    case = case_create(tenant=tenant, owner=rm)
    for section, raw in drafts.items():
        case = case_section_save(
            case=case, section=section, raw=raw, version=case.version, user=rm
        ).case
    return case


def _paths(value: Any, path: str = "") -> set[str]:
    """Every path of a body, objects and leaves; a list's rows as `name[]`."""
    found = {path} if path else set()
    if isinstance(value, dict):
        for key, item in value.items():
            found |= _paths(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
        found.discard(path)
        for item in value:
            found |= _paths(item, f"{path}[]")
    return found


def _leaves(body: dict[str, Any]) -> set[str]:
    every = _paths(body)
    return {path for path in every if not any(other.startswith(f"{path}.") for other in every)}


MAPPED = [
    (table.section, path, prefix, field)
    for table in TABLES.values()
    for path, prefix, field in paths(table)
]
PLUMBING_PATHS = {plumbing.wire for plumbing in PLUMBING}


@pytest.fixture
def bodies(tenant, rm):
    """{call letter: [the body of that call for each fully filled case]}."""
    found: dict[str, list[dict[str, Any]]] = {}
    for drafts in (SAME, OTHER):
        case = _filled(tenant, rm, drafts)
        for call in case_payloads(case=case, sections=case_sections(case=case)):
            if call.name in mapping.CALLS:
                assert call.problems == [], call.problems
                assert call.body is not None
                found.setdefault(mapping.CALLS[call.name], []).append(call.body)
    return found


@pytest.mark.django_db
def test_it_fills_every_field_of_every_section(tenant, rm):
    for drafts in (SAME, OTHER):
        case = _filled(tenant, rm, drafts)
        for section, bound in case_sections(case=case).items():
            assert bound.blocking == [], (section, bound.blocking)
            unfilled = [
                name for name in bound.form.fields if bound.form[name].value() in ("", None)
            ]
            assert set(unfilled) <= {"primary_email"}, (section, unfilled)
            for group, formset in bound.shown_groups():
                for row in formset.forms:
                    assert all(row[name].value() not in ("", None) for name in row.fields), group


@pytest.mark.django_db
def test_it_maps_every_path_a_call_sends(bodies):
    mapped = {path for _section, path, _prefix, _field in MAPPED} | PLUMBING_PATHS
    for letter, sent in bodies.items():
        for body in sent:
            assert _leaves(body) - mapped == set(), letter


@pytest.mark.django_db
def test_it_sends_every_mapped_path_in_each_call_it_names(bodies):
    for section, path, _prefix, field in MAPPED:
        group = next((g for g in TABLES[section].groups if path.startswith(f"{g.wire}[].")), None)
        calls = group.calls if group else field.calls
        assert calls, path
        for letter in calls:
            assert any(path in _paths(body) for body in bodies[letter]), (letter, path)


def test_it_maps_or_lists_as_local_every_field_of_each_section_form():
    for section, spec in SPECS.items():
        table = TABLES[section]
        mapped = {field.name for field in table.fields}
        assert set(spec.form.base_fields) == mapped | set(table.local), section
        assert mapped.isdisjoint(table.local)
        assert {group.prefix for group in spec.groups} == {g.prefix for g in table.groups}
        for group in table.groups:
            row = next(g for g in spec.groups if g.prefix == group.prefix).formset.form
            assert set(row.base_fields) == {field.name for field in group.fields}, group.prefix


def test_it_marks_as_amounts_exactly_the_amount_fields_of_the_forms():
    for section, spec in SPECS.items():
        typed = {
            name
            for name, form_field in spec.form.base_fields.items()
            if isinstance(form_field, AmountField)
        }
        assert {field.name for field in TABLES[section].fields if field.amount} == typed
    assert {
        "annual_income",
        "liquid_net_worth",
        "total_net_worth",
        "annualIncome",
        "liquidNetWorth",
        "totalNetWorth",
    } == mapping.AMOUNT_NAMES


def test_it_copies_only_top_level_fields_as_they_are():
    for _section, path, prefix, field in MAPPED:
        if not prefix and not field.built:
            assert "." not in path, path
            assert "[" not in path, path
        assert set(field.calls) <= set(Sent), path


def test_it_gives_each_altafid_name_one_masking_decision():
    decisions: dict[str, set[bool]] = {}
    for _section, path, _prefix, field in MAPPED:
        decisions.setdefault(leaf(path), set()).add(field.personal)
    for plumbing in PLUMBING:
        decisions.setdefault(leaf(plumbing.wire), set()).add(not plumbing.shown)
    assert {name for name, seen in decisions.items() if len(seen) > 1} == set()


@pytest.mark.django_db
def test_it_masks_every_personal_field_in_a_stored_copy(bodies):
    personal = {path: field.personal for _s, path, _p, field in MAPPED}
    personal |= {plumbing.wire: not plumbing.shown for plumbing in PLUMBING}
    hidden = set()
    for letter, sent in bodies.items():
        for body in sent:
            copy = masked(body)
            for path in _leaves(body):
                value, stored = _at(body, path), _at(copy, path)
                if personal[path]:
                    assert stored == [HIDDEN] * len(value), (letter, path)
                    hidden.add(path)
                else:
                    assert stored == value, (letter, path)
    assert hidden >= {"firstName", "relatedToPEP", "pepEntries[].name", "phoneNumber.phoneNumber"}


def test_it_shows_unmasked_only_codes_and_the_firms_own_fields():
    # Deciding that a field is not personal is a decision to review: it changes this list.
    shown = {
        "contactType",
        "contactMeans",
        "contactPreference",
        "preferredContactLanguage",
        "identityType",
        "identityCountry",
        "specificationType",
        "country",
        "countryOfBirth",
        "countryOfCitizenship",
        "primaryCountryOfCitizenship",
        "contactSource",
        "marketSegment",
        "segmentName",
        "stageName",
        "addressType",
        "isPrimary",
        "employmentStatus",
        "firmId",
        "firmType",
        "contactManagerFirmType",
        "contactManagerType",
        "capturedByType",
        "status",
        "contactAddressType",
    }
    assert shown == mapping.SHOWN_NAMES


def _at(body: Any, path: str) -> list[Any]:
    """Every value at a path (one per row of a list)."""
    values = [body]
    for name in path.split("."):
        rows = name.endswith("[]")
        values = [value[name.removesuffix("[]")] for value in values]
        if rows:
            values = [row for value in values for row in value]
    return [v for value in values for v in (value if isinstance(value, list) else [value])]


@pytest.mark.parametrize(
    ("section", "path", "prefix", "name"),
    [(s, path, prefix, field.name) for s, path, prefix, field in MAPPED],
    ids=[f"{s.value}:{path}" for s, path, _p, _f in MAPPED],
)
def test_it_places_a_refusal_of_each_mapped_field_on_that_field(section, path, prefix, name):
    wire = path.replace("[]", "[1]")
    refusal = refusal_for_section(section=section, field_errors={wire: ["refused"]})

    (error,) = refusal.errors
    if not prefix and any(path.startswith(f"{g.wire}[].") for g in TABLES[section].groups):
        # The client's identity document is the first of the compliance update's documents, so
        # a refusal of a document's field is put on the document rows.
        group = TABLES[section].group(path.partition("[")[0])
        assert group is not None
        assert (error.prefix, error.index) == (group.prefix, 1)
        return
    assert (error.field, error.prefix, error.message) == (name, prefix, "refused")
    assert error.index == (1 if prefix else 0)
    assert error.label != wire
