"""Rates the reviews still waiting when ratings came, so that none waits unrated and a
high-risk one asks for its two approvals. Decided reviews stay unrated ("not rated")."""

from django.conf import settings
from django.db import migrations


def rate_waiting(apps, schema_editor):
    from onboarding.accounts.validators import country_codes
    from onboarding.kyc.rating import ScreeningFacts, rating_facts, rating_for

    Review = apps.get_model("kyc", "Review")
    for review in Review.objects.filter(state="waiting", rating__isnull=True).select_related(
        "tenant"
    ):
        rating = rating_for(
            rating_facts(
                review.picture or {},
                flags=[code for code in review.flags.split(",") if code],
                high_risk_countries=frozenset(country_codes(review.tenant.high_risk_countries))
                | settings.KYC_HIGH_RISK_COUNTRIES,
                wealth_above=review.tenant.risk_wealth_above,
                screening=ScreeningFacts(),
            )
        )
        Review.objects.filter(pk=review.pk).update(
            rating=rating.level.value, rating_reasons=rating.codes
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_risk_rating"),
        ("kyc", "0004_risk_rating"),
    ]

    operations = [migrations.RunPython(rate_waiting, migrations.RunPython.noop)]
