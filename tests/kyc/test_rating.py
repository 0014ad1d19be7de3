"""The risk rating: one table of rules, the highest level wins, every rule that fired is a
reason; the tenant's high-risk countries; the rating stored when a review opens; the queue by
rating; the figures by rating."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from onboarding.accounts.models import Tenant
from onboarding.audit.models import Event, EventKind
from onboarding.kyc.figures import review_figures
from onboarding.kyc.flags import Flag
from onboarding.kyc.models import Review, ReviewState
from onboarding.kyc.rating import (
    RULES,
    RatingFacts,
    RiskLevel,
    ScreeningFacts,
    picture_countries,
    rating_facts,
    rating_for,
    reason_labels,
)
from onboarding.kyc.services import review_rate, reviews_waiting
from tests.factories import TenantFactory
from tests.submissions.conftest import officer_of, steps_drive, submit

HTMX = {"HTTP_HX_REQUEST": "true"}

# For each rule of the table, facts that fire it and no other.
FIRING = {
    "screening_confirmed": RatingFacts(screening=ScreeningFacts(confirmed=1)),
    "screening_possible": RatingFacts(screening=ScreeningFacts(possible=2)),
    "pep": RatingFacts(flags=frozenset({Flag.PEP})),
    "high_risk_country": RatingFacts(
        countries=frozenset({"CHL", "IRN"}), high_risk_countries=frozenset({"IRN", "PRK"})
    ),
    "screening_undecided": RatingFacts(screening=ScreeningFacts(undecided=3)),
    "director": RatingFacts(flags=frozenset({Flag.DIRECTOR})),
    "identity_doubt": RatingFacts(flags=frozenset({Flag.IDENTITY_CHECK_DIGIT})),
    "minor": RatingFacts(flags=frozenset({Flag.MINOR})),
    "wealth_unclear": RatingFacts(flags=frozenset({Flag.LIQUID_ABOVE_TOTAL})),
    "wealth_above": RatingFacts(total_net_worth=500_000_001, wealth_above=500_000_000),
    "incomplete": RatingFacts(flags=frozenset({Flag.INCOMPLETE})),
}
LEVELS = {
    "screening_confirmed": RiskLevel.HIGH,
    "screening_possible": RiskLevel.HIGH,
    "pep": RiskLevel.HIGH,
    "high_risk_country": RiskLevel.HIGH,
    "screening_undecided": RiskLevel.MEDIUM,
    "director": RiskLevel.MEDIUM,
    "identity_doubt": RiskLevel.MEDIUM,
    "minor": RiskLevel.MEDIUM,
    "wealth_unclear": RiskLevel.MEDIUM,
    "wealth_above": RiskLevel.MEDIUM,
    "incomplete": RiskLevel.MEDIUM,
}


def test_it_has_a_firing_case_for_every_rule_of_the_table():
    assert set(FIRING) == {rule.code for rule in RULES} == set(LEVELS)
    assert len(RULES) == len(FIRING)


@pytest.mark.parametrize("code", list(FIRING))
def test_it_fires_each_rule_alone_at_its_level(code):
    rating = rating_for(FIRING[code])

    assert rating.codes == [code]
    assert rating.level == LEVELS[code]


def test_it_rates_low_when_no_rule_fires():
    rating = rating_for(
        RatingFacts(
            countries=frozenset({"CHL"}),
            high_risk_countries=frozenset({"PRK"}),
            total_net_worth=10,
            annual_income=5,
            wealth_above=100,
        )
    )

    assert (rating.level, rating.reasons) == (RiskLevel.LOW, ())


def test_it_gives_the_highest_level_and_lists_every_rule_that_fired():
    facts = RatingFacts(
        flags=frozenset({Flag.DIRECTOR, Flag.PEP, Flag.WEALTH_MISSING}),
        screening=ScreeningFacts(undecided=1),
    )

    rating = rating_for(facts)

    assert rating.level == RiskLevel.HIGH
    assert rating.codes == ["pep", "screening_undecided", "director", "wealth_unclear"]
    assert reason_labels(rating.codes)[0] == (
        "Declared a politically exposed person, or related to one"
    )


def test_it_stays_medium_when_only_medium_rules_fire():
    rating = rating_for(RatingFacts(flags=frozenset({Flag.MINOR, Flag.NO_IDENTITY_DOCUMENT})))

    assert rating.level == RiskLevel.MEDIUM
    assert rating.codes == ["identity_doubt", "minor"]


@pytest.mark.parametrize(
    "flag",
    [
        Flag.NO_IDENTITY_DOCUMENT,
        Flag.IDENTITY_CHECK_DIGIT,
        Flag.IDENTITY_ELSEWHERE,
        Flag.DECLARED_DIFFERENT,
    ],
)
def test_it_doubts_the_identity_on_each_identity_flag(flag):
    assert rating_for(RatingFacts(flags=frozenset({flag}))).codes == ["identity_doubt"]


@pytest.mark.parametrize(
    ("worth", "income", "above", "fires"),
    [
        (500, None, 500, False),  # at the threshold is not above it
        (501, None, 500, True),
        (None, 501, 500, True),
        (10**12, 10**12, None, False),  # no threshold: amounts alone never raise it
    ],
)
def test_it_raises_large_amounts_above_the_tenants_threshold(worth, income, above, fires):
    facts = RatingFacts(total_net_worth=worth, annual_income=income, wealth_above=above)

    assert (rating_for(facts).codes == ["wealth_above"]) is fires


def test_it_rates_high_on_the_deployments_high_risk_flag_alone():
    facts = RatingFacts(flags=frozenset({Flag.HIGH_RISK_COUNTRY}))

    assert rating_for(facts).codes == ["high_risk_country"]


def test_it_reads_every_country_of_the_kyc_data():
    picture = {
        "primaryCountryOfCitizenship": "CHL",
        "countryOfBirth": "per",
        "identityCountry": "CHL",
        "addresses": [{"country": "ARG"}, {"country": ""}, "not a row"],
        "identityDocuments": [{"specificationData": {"country": "BOL"}}],
        "employmentHistory": [{"country": "VEN"}],
        "pepEntries": [{"country": "IRN"}],
        "phoneNumber": {"country": "USA"},
    }

    assert picture_countries(picture) == {"CHL", "PER", "ARG", "BOL", "VEN", "IRN"}


def test_it_builds_the_facts_from_a_picture_and_the_tenants_inputs():
    facts = rating_facts(
        {"totalNetWorth": "900", "annualIncome": "x", "addresses": [{"country": "MMR"}]},
        flags=["pep", "no-longer-a-flag"],
        high_risk_countries=["mmr"],
        wealth_above=800,
        screening=ScreeningFacts(possible=1),
    )

    assert facts.flags == {Flag.PEP}
    assert facts.risky_countries == {"MMR"}
    assert (facts.total_net_worth, facts.annual_income) == (900, None)
    assert rating_for(facts).codes == [
        "screening_possible",
        "pep",
        "high_risk_country",
        "wealth_above",
    ]


@pytest.mark.django_db
def test_it_gives_a_new_tenant_the_fatf_lists_and_checks_the_codes():
    tenant = TenantFactory()

    assert {"PRK", "IRN", "MMR", "VEN"} <= tenant.high_risk_country_codes
    assert "CHL" not in tenant.high_risk_country_codes
    tenant.high_risk_countries = " prk , irn,, "
    tenant.full_clean()
    assert tenant.high_risk_countries == "PRK,IRN"
    tenant.high_risk_countries = "PRK,XXX,Chile"
    with pytest.raises(ValidationError, match="XXX, CHILE"):
        tenant.full_clean()


@pytest.mark.django_db
def test_it_lets_the_deployment_admin_edit_the_rating_inputs(admin_client):
    tenant = TenantFactory()

    page = admin_client.get(
        reverse("admin:accounts_tenant_change", args=[tenant.pk])
    ).content.decode()

    assert 'name="high_risk_countries"' in page
    assert 'name="risk_wealth_above"' in page


@pytest.fixture
def held(ready_case, rm, sandbox):
    submit(ready_case, rm)
    steps_drive(ready_case, approve=False)
    return Review.objects.get(case=ready_case, state=ReviewState.WAITING)


@pytest.mark.django_db
def test_it_rates_the_review_when_it_opens(held):
    assert held.level == RiskLevel.LOW
    assert held.rating_reasons == []
    opened = Event.objects.get(case=held.case, kind=EventKind.REVIEW_REQUESTED)
    assert (opened.data["rating"], opened.data["rating_reasons"]) == ("low", [])


@pytest.mark.django_db
def test_it_rates_high_a_client_of_a_tenants_high_risk_country(ready_case, rm, sandbox):
    # The demo client is Chilean throughout.
    Tenant.objects.filter(pk=ready_case.tenant_id).update(high_risk_countries="PRK,CHL")
    submit(ready_case, rm)
    steps_drive(ready_case, approve=False)

    review = Review.objects.get(case=ready_case, state=ReviewState.WAITING)

    assert review.level == RiskLevel.HIGH
    assert review.rating_reasons == ["high_risk_country"]
    # The tenant's list raises the flag too, beside the deployment's.
    assert "high_risk_country" in review.flag_codes


@pytest.mark.django_db
def test_it_rates_again_with_screening_and_records_a_change(held):
    rating = review_rate(review=held, screening=ScreeningFacts(confirmed=1))
    again = review_rate(review=held, screening=ScreeningFacts(confirmed=1))

    held.refresh_from_db()
    assert rating == again
    assert (held.level, held.rating_reasons) == (RiskLevel.HIGH, ["screening_confirmed"])
    changed = Event.objects.filter(case=held.case, kind=EventKind.REVIEW_RATED)
    assert [event.data for event in changed] == [
        {
            "review": held.pk,
            "was": "low",
            "rating": "high",
            "rating_reasons": ["screening_confirmed"],
        }
    ]


def _copies(review, levels):
    """Waiting reviews of the same step, one per level, each a day younger than the last."""
    made = []
    for days, level in enumerate(levels):
        made.append(
            Review.objects.create(
                tenant=review.tenant,
                case=review.case,
                step=review.step,
                body={},
                picture={},
                digest=f"d{days}",
                opened_at=timezone.now() - datetime.timedelta(days=10 - days),
                rating=level,
            )
        )
    return made


@pytest.mark.django_db
def test_it_filters_and_sorts_the_queue_by_rating(held):
    low, high, unrated, medium, high_too = _copies(
        held, [RiskLevel.LOW, RiskLevel.HIGH, None, RiskLevel.MEDIUM, RiskLevel.HIGH]
    )
    tenant = held.tenant

    highs = reviews_waiting(tenant=tenant, rating=RiskLevel.HIGH)
    ranked = reviews_waiting(tenant=tenant, by_rating=True)

    assert [review.pk for review in highs] == [high.pk, high_too.pk]
    assert [review.pk for review in ranked] == [
        high.pk,
        high_too.pk,
        medium.pk,
        low.pk,
        held.pk,
        unrated.pk,
    ]
    assert [review.pk for review in reviews_waiting(tenant=tenant)][:2] == [low.pk, high.pk]


@pytest.mark.django_db
def test_it_keeps_an_index_for_the_queue_by_rating():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Review._meta.db_table)

    assert constraints["kyc_review_rating_idx"]["index"]


@pytest.mark.django_db
def test_it_shows_the_queue_by_rating_with_each_rating(client, held):
    high, medium = _copies(held, [RiskLevel.HIGH, RiskLevel.MEDIUM])
    Review.objects.filter(pk=high.pk).update(rating_reasons=["pep"])
    client.force_login(officer_of(held.tenant))

    page = client.get(reverse("kyc:queue"), {"sort": "rating"}).content.decode()
    filtered = client.get(reverse("kyc:queue"), {"rating": "medium"}, **HTMX).content.decode()
    nonsense = client.get(reverse("kyc:queue"), {"rating": "extreme", "sort": "x"})

    rows = page.split("<tbody>")[1]
    assert rows.index(f"/kyc/reviews/{high.pk}/") < rows.index(f"/kyc/reviews/{medium.pk}/")
    assert rows.index(f"/kyc/reviews/{medium.pk}/") < rows.index(f"/kyc/reviews/{held.pk}/")
    assert '<span class="rating rating-high" title="Declared a politically exposed' in page
    assert "highest risk rating first" in page
    assert '<option value="rating" selected>' in page
    assert filtered.strip().startswith('<div id="results">')
    assert f"/kyc/reviews/{medium.pk}/" in filtered
    assert f"/kyc/reviews/{high.pk}/" not in filtered
    assert nonsense.status_code == 200
    assert f"/kyc/reviews/{high.pk}/" in nonsense.content.decode()


@pytest.mark.django_db
def test_it_shows_the_rating_and_its_reasons_on_the_review_page(client, held):
    Review.objects.filter(pk=held.pk).update(
        rating=RiskLevel.MEDIUM, rating_reasons=["director", "minor"]
    )
    client.force_login(officer_of(held.tenant))

    page = client.get(reverse("kyc:review", args=[held.pk])).content.decode()

    assert '<span class="rating rating-medium">Medium</span>' in page
    assert "<li>Director or 10% shareholder of a listed company</li>" in page
    assert "<li>Under 18</li>" in page
    # One approval is enough below high: no count of approvals.
    assert "of 1 approvals" not in page


@pytest.mark.django_db
def test_it_counts_cases_by_the_rating_of_their_latest_review(held):
    # An older review of the same case, rated high: the latest (low) counts.
    Review.objects.filter(pk=held.pk).update(opened_at=timezone.now())
    _copies(held, [RiskLevel.HIGH])

    figures = review_figures(tenant=held.tenant)

    counted = {rated.code: rated.cases for rated in figures.ratings}
    assert counted == {"high": 0, "medium": 0, "low": 1}
    assert [rated.label for rated in figures.ratings] == ["High", "Medium", "Low"]


@pytest.mark.django_db
def test_it_shows_cases_by_rating_on_the_figures_page(client, held):
    Review.objects.filter(pk=held.pk).update(rating=None)
    client.force_login(officer_of(held.tenant))

    page = client.get(reverse("kyc:figures")).content.decode()

    assert "Cases by risk rating, last 30 days" in page
    assert '<span class="rating rating-high">High</span>' in page
    assert "Not rated" in page


@pytest.mark.django_db
def test_it_rates_the_reviews_waiting_when_ratings_came(held):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("onboarding.kyc.migrations.0005_rate_waiting_reviews")
    Tenant.objects.filter(pk=held.tenant_id).update(high_risk_countries="CHL")
    Review.objects.filter(pk=held.pk).update(rating=None, rating_reasons=[])
    decided = _copies(held, [None])[0]
    Review.objects.filter(pk=decided.pk).update(state=ReviewState.APPROVED)

    migration.rate_waiting(apps, None)

    held.refresh_from_db()
    decided.refresh_from_db()
    assert (held.level, held.rating_reasons) == (RiskLevel.HIGH, ["high_risk_country"])
    assert decided.rating is None
