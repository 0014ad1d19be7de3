from django import forms
from django.utils.translation import gettext_lazy as _

from onboarding.core.inputs import QueryForm, bounded_integer
from onboarding.kyc.flags import Flag
from onboarding.kyc.rating import RiskLevel

AGES = (
    (1, _("Waiting over a day")),
    (3, _("Waiting over 3 days")),
    (7, _("Waiting over a week")),
)
ASSIGNED = (
    ("me", _("Taken by me")),
    ("nobody", _("Not taken")),
)
# The rating filter names levels as words (?rating=high), highest first.
RATINGS = tuple((level.code, level.label) for level in sorted(RiskLevel, reverse=True))
SORTS = (("rating", _("Highest rating first")),)
# Longer than any review waits; the bound keeps the date arithmetic in range.
AGE_MAX_DAYS = 3650


class ReviewQueueQuery(QueryForm):
    rm = bounded_integer(minimum=1)
    flag = forms.ChoiceField(choices=Flag.choices, required=False)
    age = bounded_integer(minimum=0, maximum=AGE_MAX_DAYS)
    assigned = forms.ChoiceField(choices=ASSIGNED, required=False)
    rating = forms.ChoiceField(choices=RATINGS, required=False)
    sort = forms.ChoiceField(choices=SORTS, required=False)


def rating_level(code: str) -> RiskLevel | None:
    """The level a query string's rating names ("high"), if any."""
    return next((level for level in RiskLevel if level.code == code), None)
