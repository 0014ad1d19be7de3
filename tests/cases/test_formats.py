"""Chilean input as people type it: amounts, phones and RUTs are read in any of their usual
forms, kept once, on save, in the form Altafid documents, and found again by search."""

import importlib

import pytest
from django.db import connection
from django.urls import reverse

from onboarding.cases.demo import SALES
from onboarding.cases.models import Case, Section
from onboarding.cases.payloads import case_payloads
from onboarding.cases.services import (
    case_create,
    case_section_save,
    case_sections,
    cases_search,
)
from tests.cases.conftest import CLIENT_SECTION

pytestmark = pytest.mark.django_db


def _save(case, section, raw, user):
    return case_section_save(case=case, section=section, raw=raw, version=case.version, user=user)


def _bodies(case):
    case = Case.objects.get(pk=case.pk)
    return {
        call.name: call.body for call in case_payloads(case=case, sections=case_sections(case=case))
    }


@pytest.mark.parametrize(
    ("typed", "language"),
    [
        ("120.000.000", "es"),
        ("$120.000.000", "es"),
        ("CLP 120.000.000", "es"),
        ("120,000,000", "en"),
        ("CLP 120,000,000", "en"),
        ("120.000.000,00", "es"),
    ],
)
def test_it_keeps_an_amount_as_typed_in_either_language_as_its_digits(tenant, rm, typed, language):
    case = case_create(tenant=tenant, owner=rm)
    _save(case, Section.CLIENT, CLIENT_SECTION, rm)

    result = _save(case, Section.SALES, {**SALES, "annual_income": [typed]}, rm)

    assert "annual_income" not in result.bound.form.errors
    assert Case.objects.get(pk=case.pk).draft(Section.SALES)["annual_income"] == ["120000000"]
    bodies = _bodies(case)
    assert bodies["sales"]["annualIncome"] == "120000000"
    assert bodies["compliance"]["annualIncome"] == "120000000"


def test_it_keeps_an_amount_it_cannot_read_as_typed_with_what_is_wrong(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)

    result = _save(case, Section.SALES, {**SALES, "annual_income": ["120.000.000,50"]}, rm)

    form = result.bound.form
    assert form.errors["annual_income"] == [
        "Amounts are kept in whole CLP, without decimals: remove “,50”."
    ]
    assert form.errors["annual_income"][0] != str(form.fields["annual_income"].help_text)
    assert Case.objects.get(pk=case.pk).draft(Section.SALES)["annual_income"] == ["120.000.000,50"]


def test_it_shows_a_kept_amount_grouped_with_the_currency_beside_the_input(client, tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    _save(case, Section.SALES, {**SALES, "annual_income": ["120.000.000"]}, rm)
    client.force_login(rm)
    url = reverse("cases:section", args=[case.pk, "sales"])

    english = client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "es"})
    spanish = client.get(url).content.decode()

    assert 'aria-hidden="true">CLP</span><input type="text" name="annual_income" ' in english
    assert 'value="120,000,000"' in english
    assert "In CLP, without decimals; dots or commas between thousands are fine." in english
    assert 'aria-hidden="true">$</span><input type="text" name="annual_income" ' in spanish
    assert 'value="120.000.000"' in spanish


def test_it_saves_an_amount_shown_grouped_without_changing_it(client, tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    _save(case, Section.SALES, SALES, rm)
    case.refresh_from_db()
    client.force_login(rm)
    client.post(reverse("set_language"), {"language": "es"})

    client.post(
        reverse("cases:section", args=[case.pk, "sales"]),
        {**SALES, "annual_income": "90.000.000", "version": case.version, "action": "save"},
    )

    assert Case.objects.get(pk=case.pk).version == case.version


def test_it_fills_in_the_country_code_of_a_number_typed_with_it(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    raw = {**CLIENT_SECTION, "phone_code": [""], "phone_number": ["+56 2 2345 6789"]}

    result = _save(case, Section.CLIENT, raw, rm)

    errors = result.bound.form.errors
    assert "phone_code" not in errors
    assert "phone_number" not in errors
    draft = Case.objects.get(pk=case.pk).draft(Section.CLIENT)
    assert (draft["phone_code"], draft["phone_number"]) == (["+56"], ["223456789"])
    bodies = _bodies(case)
    assert bodies["create"]["preferredPhoneNumber"] == {
        "phoneCountryCode": "+56",
        "phoneNumber": "223456789",
    }
    assert bodies["compliance"]["phoneNumber"]["country"] == "CHL"


def test_it_asks_for_the_country_code_of_a_national_number(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    raw = {**CLIENT_SECTION, "phone_code": [""], "phone_number": ["2 2345 6789"]}

    result = _save(case, Section.CLIENT, raw, rm)

    assert result.bound.form.errors["phone_code"] == [
        "Choose the country code, or type the number with it: +56 9 6123 4567."
    ]
    assert Case.objects.get(pk=case.pk).draft(Section.CLIENT)["phone_code"] == [""]


def test_it_says_when_a_number_starts_with_another_country_code(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    raw = {**CLIENT_SECTION, "phone_code": ["+1"], "phone_number": ["+56 2 2345 6789"]}

    result = _save(case, Section.CLIENT, raw, rm)

    assert result.bound.form.errors["phone_number"] == [
        "This number starts with +56, but the country code chosen is +1: change one of them."
    ]


@pytest.mark.parametrize("typed", ["15.234.567-4", "15234567-4", "152345674", "15.234.567-4 "])
def test_it_keeps_a_rut_as_its_digits_dash_check_digit(tenant, rm, typed):
    case = case_create(tenant=tenant, owner=rm)

    _save(case, Section.CLIENT, {**CLIENT_SECTION, "identity_id": [typed]}, rm)

    assert Case.objects.get(pk=case.pk).draft(Section.CLIENT)["identity_id"] == ["15234567-4"]
    assert _bodies(case)["create"]["identityId"] == "15234567-4"


def test_it_keeps_a_rut_check_digit_k_in_capitals(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)

    _save(case, Section.CLIENT, {**CLIENT_SECTION, "identity_id": ["10.000.013-k"]}, rm)

    assert Case.objects.get(pk=case.pk).draft(Section.CLIENT)["identity_id"] == ["10000013-K"]


@pytest.mark.parametrize(
    "query", ["15234567", "15.234.567", "15234567-4", "15.234.567-4", "152345674", " 15.234.567 "]
)
def test_it_finds_a_case_by_rut_with_or_without_dots_and_check_digit(tenant, rm, query):
    case = case_create(tenant=tenant, owner=rm)
    _save(case, Section.CLIENT, {**CLIENT_SECTION, "identity_id": ["15.234.567-4"]}, rm)
    other = case_create(tenant=tenant, owner=rm)
    _save(other, Section.CLIENT, {**CLIENT_SECTION, "identity_id": ["12.345.678-5"]}, rm)

    assert list(cases_search(user=rm, tenant=tenant, query=query)) == [case]


def test_it_finds_by_rut_only_a_case_whose_identity_is_a_rut(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    passport = {**CLIENT_SECTION, "identity_type": ["PASSPORT"], "identity_id": ["P15234567"]}
    _save(case, Section.CLIENT, passport, rm)

    assert Case.objects.get(pk=case.pk).identity_body_hash == ""
    assert not cases_search(user=rm, tenant=tenant, query="15.234.567")


def test_it_finds_a_case_by_rut_from_the_rms_list(client, tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    _save(case, Section.CLIENT, {**CLIENT_SECTION, "identity_id": ["15.234.567-4"]}, rm)
    client.force_login(rm)

    found = client.post(reverse("cases:list"), {"q": "15234567"}, HTTP_HX_REQUEST="true")

    assert reverse("cases:overview", args=[case.pk]) in found.content.decode()


def test_it_stores_no_rut_in_clear_for_its_search(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    _save(case, Section.CLIENT, {**CLIENT_SECTION, "identity_id": ["15.234.567-4"]}, rm)

    with connection.cursor() as cursor:
        cursor.execute("SELECT identity_hash, identity_body_hash FROM cases_case")
        full, body = cursor.fetchone()

    assert full
    assert body
    assert full != body
    assert "15234567" not in full + body


def test_it_gives_the_cases_saved_before_it_their_rut_search(tenant, rm):
    from django.apps import apps

    migration = importlib.import_module("onboarding.cases.migrations.0010_identity_body_hash")
    kept = case_create(tenant=tenant, owner=rm)
    _save(kept, Section.CLIENT, {**CLIENT_SECTION, "identity_id": ["15.234.567-4"]}, rm)
    passport = case_create(tenant=tenant, owner=rm)
    _save(
        passport,
        Section.CLIENT,
        {**CLIENT_SECTION, "identity_type": ["PASSPORT"], "identity_id": ["P15234567"]},
        rm,
    )
    Case.objects.update(identity_body_hash="")
    assert not cases_search(user=rm, tenant=tenant, query="15.234.567")

    migration.fill(apps, None)

    assert list(cases_search(user=rm, tenant=tenant, query="15.234.567")) == [kept]
    assert Case.objects.get(pk=passport.pk).identity_body_hash == ""


def test_it_shows_amounts_in_the_tenants_currency(client, tenant, rm):
    tenant.currency = "USD"
    tenant.save()
    case = case_create(tenant=tenant, owner=rm)
    result = _save(case, Section.SALES, {**SALES, "annual_income": ["USD 95,000"]}, rm)
    assert "annual_income" not in result.bound.form.errors
    client.force_login(rm)

    compliance = client.get(reverse("cases:section", args=[case.pk, "compliance"]))
    client.post(reverse("set_language"), {"language": "es"})
    spanish = client.get(reverse("cases:section", args=[case.pk, "sales"]))

    assert "USD\xa095,000" in compliance.content.decode()
    assert "CLP" not in compliance.content.decode()
    assert 'aria-hidden="true">USD</span>' in spanish.content.decode()
    assert "En USD" in spanish.content.decode()
