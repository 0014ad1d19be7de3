"""Figures for the review queue: waits, return rate, reasons, and the chart."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding.kyc.figures import review_figures
from onboarding.kyc.models import Review, ReviewState
from onboarding.submissions.models import Step
from tests.submissions.conftest import officer_of, steps_drive, submit

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def decided(ready_case, rm, sandbox):
    """Ten decisions over the last days: waits of 1 to 10 hours, three of them returns."""
    submit(ready_case, rm)
    steps_drive(ready_case, approve=False)
    held = Review.objects.get(case=ready_case)
    step = Step.objects.get(pk=held.step_id)
    made = []
    for hours in range(1, 11):
        returned = hours in (2, 5, 9)
        decided_at = NOW - datetime.timedelta(days=hours % 9)
        made.append(
            Review.objects.create(
                tenant=ready_case.tenant,
                case=ready_case,
                step=step,
                body={},
                picture={},
                digest="d",
                state=ReviewState.RETURNED if returned else ReviewState.APPROVED,
                opened_at=decided_at - datetime.timedelta(hours=hours),
                decided_at=decided_at,
                reasons=["missing_document", "other"]
                if hours == 2
                else ["missing_document"]
                if returned
                else [],
            )
        )
    return made


def test_it_gives_median_p90_and_return_rate_per_window(decided, ready_case):
    figures = review_figures(tenant=ready_case.tenant, now=NOW)

    week, month = figures.windows
    assert (month.days, month.decided) == (30, 10)
    assert month.median_hours == pytest.approx(5.5, abs=0.01)
    assert month.p90_hours == pytest.approx(9.0, abs=0.01)
    assert month.return_rate == pytest.approx(0.3)
    # Decided within 7 days: all but the one decided 8 days ago (an 8-hour wait).
    assert week.decided == 9
    assert week.median_hours == pytest.approx(5.0, abs=0.01)
    assert figures.waiting == 1


def test_it_counts_the_reasons_of_returns(decided, ready_case):
    figures = review_figures(tenant=ready_case.tenant, now=NOW)

    assert figures.reasons == [("Missing document", 3, 1.0), ("Other", 1, pytest.approx(1 / 3))]


def test_it_draws_one_bar_a_day_within_the_chart(decided, ready_case):
    figures = review_figures(tenant=ready_case.tenant, now=NOW)

    assert len(figures.bars) == 30
    assert sum(bar.approved + bar.returned for bar in figures.bars) == 10
    assert all(0 <= bar.returned_y <= bar.approved_y <= 160 for bar in figures.bars)
    tallest = max(figures.bars, key=lambda bar: bar.approved + bar.returned)
    assert tallest.returned_y == pytest.approx(10, abs=0.2)


def test_it_shows_the_figures_page_in_both_languages(client, decided, ready_case):
    client.force_login(officer_of(ready_case.tenant))

    page = client.get(reverse("kyc:figures")).content.decode()
    client.cookies["django_language"] = "es"
    spanish = client.get(reverse("kyc:figures"), headers={"accept-language": "es"})

    assert "Median wait" in page
    assert "5.5 h" in page
    assert "30 %" in page
    assert "<svg" in page
    assert "style=" not in page.split("<svg")[1].split("</svg>")[0]
    assert spanish.status_code == 200
    assert 'lang="es"' in spanish.content.decode()


def test_it_refuses_the_figures_to_relationship_managers(client, ready_case, rm):
    client.force_login(rm)

    assert client.get(reverse("kyc:figures")).status_code == 403


def test_it_says_so_rather_than_draw_an_empty_chart(client, ready_case):
    client.force_login(officer_of(ready_case.tenant))

    page = client.get(reverse("kyc:figures")).content.decode()

    assert "No review was decided in the last 30 days." in page
    assert '<svg class="chart"' not in page
