"""Complete means complete for compliance: each rule of `cases.completeness.RULES`, at the
field where it is fixed, in the stepper's counts, on the review page, at Submit and in the
officer's flags."""

import pytest
from django.urls import reverse

from onboarding.cases.completeness import RULES
from onboarding.cases.demo import ADDRESS, CLIENT, COMPLIANCE, SALES
from onboarding.cases.models import Case, CaseStatus, Section
from onboarding.cases.services import (
    case_counts_refresh,
    case_create,
    case_section_bind,
    case_section_save,
)
from onboarding.documents.demo import case_fill
from onboarding.kyc.flags import Flag
from onboarding.submissions.models import Step
from onboarding.submissions.plans import submission_plan
from onboarding.submissions.services import CaseNotReady, case_submit
from tests.submissions.conftest import ready_case  # noqa: F401 - every section saved

pytestmark = pytest.mark.django_db

PEP = {"related_to_pep": ["on"], "peps-TOTAL_FORMS": ["1"]}
SECOND_ADDRESS = {
    "addresses-TOTAL_FORMS": ["2"],
    "addresses-1-street_name": ["Los Leones"],
    "addresses-1-street_number": ["100"],
    "addresses-1-country": ["CHL"],
    "addresses-1-city": ["Santiago"],
    "addresses-1-address_type": ["WORK"],
    "addresses-1-is_primary": ["on"],
}
# A section's draft changed so that exactly one rule is unmet, and where it shows.
BROKEN = {
    "pep_named": (Section.COMPLIANCE, {**COMPLIANCE, **PEP}, "rows-peps"),
    "director_companies": (
        Section.COMPLIANCE,
        {**COMPLIANCE, "director_or_ten_percent_shareholder": ["on"]},
        "id_company_names",
    ),
    "one_primary_address": (Section.SALES, {**SALES, **SECOND_ADDRESS}, "rows-addresses"),
    "one_primary_compliance_address": (
        Section.COMPLIANCE,
        {
            **COMPLIANCE,
            "compliance_address": ["other"],
            **{key.replace("addresses-0", "addresses-0"): value for key, value in ADDRESS.items()},
            "addresses-0-is_primary": [],
        },
        "rows-addresses",
    ),
    "identity_document": (
        Section.CLIENT,
        {**CLIENT, "identity_type": [], "identity_id": [], "identity_country": []},
        "id_identity_id",
    ),
    "employer_named": (
        Section.COMPLIANCE,
        {**COMPLIANCE, "employment-0-employer_name": [""]},
        "id_employment-0-employer_name",
    ),
    "compliance_address_entered": (
        Section.COMPLIANCE,
        {**COMPLIANCE, "compliance_address": ["other"]},
        "rows-addresses",
    ),
    "occupation": (
        Section.COMPLIANCE,
        {**COMPLIANCE, "employment-TOTAL_FORMS": ["0"], "employment-0-employment_status": []},
        "rows-employment",
    ),
    "date_of_birth": (Section.CLIENT, {**CLIENT, "date_of_birth": [""]}, "id_date_of_birth"),
    "nationality": (
        Section.SALES,
        {**SALES, "country_of_citizenship": [""]},
        "id_country_of_citizenship",
    ),
    "income_and_wealth": (Section.SALES, {**SALES, "total_net_worth": [""]}, "id_annual_income"),
}


def _save(case, section, raw, user):
    case.refresh_from_db()
    return case_section_save(case=case, section=section, raw=raw, version=case.version, user=user)


def test_it_has_a_broken_case_for_every_rule():
    assert set(BROKEN) == {rule.code for rule in RULES}


def test_it_finds_nothing_unmet_in_a_complete_case(ready_case):  # noqa: F811
    for section in Section:
        assert case_section_bind(case=ready_case, section=section).check().unmet == []


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_it_holds_each_rule_where_it_is_fixed(ready_case, rm, code):  # noqa: F811
    edited, raw, anchor = BROKEN[code]
    rule = next(rule for rule in RULES if rule.code == code)
    _save(ready_case, edited, raw, rm)
    ready_case.refresh_from_db()

    bound = case_section_bind(case=ready_case, section=rule.section).check()

    assert [(unmet.rule.code, unmet.anchor) for unmet in bound.unmet] == [(code, anchor)]
    assert (str(rule.message)) in [message for _label, message in bound.blocking]
    assert ready_case.section_state(rule.section)["blocking"] >= 1
    assert unmet_href(bound, ready_case) == (
        reverse("cases:section", args=[ready_case.pk, rule.target.section.value]) + f"#{anchor}"
    )


def unmet_href(bound, case):
    return bound.unmet[0].href(case.pk)


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_it_refuses_submission_until_each_rule_holds(ready_case, rm, code):  # noqa: F811
    edited, raw, _anchor = BROKEN[code]
    _save(ready_case, edited, raw, rm)
    ready_case.refresh_from_db()
    plan = submission_plan(case=ready_case)

    assert not plan.ready
    with pytest.raises(CaseNotReady):
        case_submit(case=ready_case, user=rm, digest=plan.digest)
    assert not Step.objects.filter(case=ready_case).exists()


def test_it_links_an_unmet_rule_from_the_review_page(client, ready_case, rm):  # noqa: F811
    _save(ready_case, Section.COMPLIANCE, {**COMPLIANCE, **PEP}, rm)
    _save(ready_case, Section.CLIENT, {**CLIENT, "date_of_birth": [""]}, rm)
    client.force_login(rm)

    html = client.get(reverse("cases:review", args=[ready_case.pk])).content.decode()

    compliance = reverse("cases:section", args=[ready_case.pk, "compliance"])
    client_section = reverse("cases:section", args=[ready_case.pk, "client"])
    assert f'<a href="{compliance}#rows-peps">You declared the client politically exposed' in html
    assert f'<a href="{client_section}#id_date_of_birth">Compliance needs the client' in html
    assert "Nothing blocks submission." not in html
    assert "Submit to Altafid" not in html


def test_it_counts_an_unmet_rule_in_the_stepper_of_the_section_it_concerns(
    client,
    ready_case,  # noqa: F811
    rm,
):
    _save(ready_case, Section.SALES, {**SALES, "country_of_citizenship": [""]}, rm)
    ready_case.refresh_from_db()
    client.force_login(rm)

    page = client.get(reverse("cases:section", args=[ready_case.pk, "compliance"]))

    assert ready_case.section_state(Section.COMPLIANCE)["blocking"] == 1
    assert ready_case.status == CaseStatus.DRAFT
    assert "Compliance needs the client&#x27;s country of citizenship" in page.content.decode()


def test_it_flags_for_the_officer_a_case_that_became_incomplete(ready_case, rm, sandbox):  # noqa: F811
    from onboarding.kyc.services import review_flags
    from tests.submissions.conftest import steps_drive, submit

    submit(ready_case, rm)
    steps_drive(ready_case, approve=False)
    step = Step.objects.get(case=ready_case, kind="compliance")
    # Data saved since the submission, as an amendment would start, counted as a save does.
    Case.objects.filter(pk=ready_case.pk).update(
        drafts={**ready_case.drafts, "compliance": {**COMPLIANCE, **PEP}}
    )
    ready_case.refresh_from_db()
    assert case_counts_refresh(case=ready_case)
    ready_case.refresh_from_db()

    flags = review_flags(case=ready_case, step=step, picture=step.payload)

    assert flags[Flag.INCOMPLETE] == ["relatedToPEP", "pepEntries"]


def test_it_judges_a_whole_fresh_case_complete(tenant, rm):
    case = case_fill(case_create(tenant=tenant, owner=rm), rm)

    assert case.status == CaseStatus.READY
    assert submission_plan(case=case).ready


def test_it_counts_a_case_again_after_the_rules_changed(ready_case):  # noqa: F811
    import io

    from django.core.management import call_command

    # As stored before the PEP rule existed: counted complete, yet the PEP names nobody.
    Case.objects.filter(pk=ready_case.pk).update(
        drafts={**ready_case.drafts, "compliance": {**COMPLIANCE, **PEP}}
    )

    output = io.StringIO()
    call_command("cases_recount", stdout=output)

    assert output.getvalue() == "1 open cases counted again, 1 changed\n"
    ready_case.refresh_from_db()
    assert ready_case.status == CaseStatus.DRAFT
    assert ready_case.section_state(Section.COMPLIANCE)["blocking"] == 1
