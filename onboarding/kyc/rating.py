"""The risk rating of a case under review: one table of rules, the highest level any gives.

A rule reads `RatingFacts` only: the review's risk flags, the client's countries and amounts
as the reviewed KYC data has them, the tenant's high-risk countries and amount threshold, and
what screening found. The table is documented in docs/architecture.md ("Risk rating"); a high
rating asks for two approvals (`kyc.services.review_approve`).
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onboarding.kyc.flags import Flag, amount


class RiskLevel(models.IntegerChoices):
    # Integers, so that "highest first" is a plain descending sort on an index.
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")

    @property
    def code(self) -> str:
        """The level as a query string names it ("high")."""
        return self.name.lower()


@dataclass(frozen=True)
class ScreeningFacts:
    """The client's screening hits in this review: not decided yet, decided "possible match",
    and decided "the client"."""

    undecided: int = 0
    possible: int = 0
    confirmed: int = 0


@dataclass(frozen=True)
class RatingFacts:
    flags: frozenset[Flag] = frozenset()
    # ISO 3166 alpha-3 codes of every country the KYC data ties the client to.
    countries: frozenset[str] = frozenset()
    # The tenant's (and the deployment's) high-risk countries.
    high_risk_countries: frozenset[str] = frozenset()
    total_net_worth: int | None = None
    liquid_net_worth: int | None = None
    annual_income: int | None = None
    # The tenant's `risk_wealth_above`: None, amounts alone never raise the rating.
    wealth_above: int | None = None
    screening: ScreeningFacts = field(default_factory=ScreeningFacts)

    @property
    def risky_countries(self) -> frozenset[str]:
        return self.countries & self.high_risk_countries


@dataclass(frozen=True)
class Rule:
    code: str
    level: RiskLevel
    reason: Promise
    applies: Callable[[RatingFacts], bool]


def _any_flag(*flags: Flag) -> Callable[[RatingFacts], bool]:
    return lambda facts: any(flag in facts.flags for flag in flags)


def _wealth_above(facts: RatingFacts) -> bool:
    if facts.wealth_above is None:
        return False
    amounts = (facts.total_net_worth, facts.annual_income)
    return any(value is not None and value > facts.wealth_above for value in amounts)


RULES: tuple[Rule, ...] = (
    Rule(
        "screening_confirmed",
        RiskLevel.HIGH,
        _("A screening hit was decided to be the client"),
        lambda facts: facts.screening.confirmed > 0,
    ),
    Rule(
        "screening_possible",
        RiskLevel.HIGH,
        _("A screening hit was decided a possible match"),
        lambda facts: facts.screening.possible > 0,
    ),
    Rule(
        "pep",
        RiskLevel.HIGH,
        _("Declared a politically exposed person, or related to one"),
        _any_flag(Flag.PEP),
    ),
    Rule(
        "high_risk_country",
        RiskLevel.HIGH,
        _("Tied to a country on the high-risk list"),
        lambda facts: bool(facts.risky_countries) or Flag.HIGH_RISK_COUNTRY in facts.flags,
    ),
    Rule(
        "screening_undecided",
        RiskLevel.MEDIUM,
        _("Screening hits not decided yet"),
        lambda facts: facts.screening.undecided > 0,
    ),
    Rule(
        "director",
        RiskLevel.MEDIUM,
        # xgettext:no-python-format
        _("Director or 10% shareholder of a listed company"),
        _any_flag(Flag.DIRECTOR),
    ),
    Rule(
        "identity_doubt",
        RiskLevel.MEDIUM,
        _(
            "Identity in doubt: no identity document, a failed check digit, or the number in "
            "another onboarding or said to be someone else's"
        ),
        _any_flag(
            Flag.NO_IDENTITY_DOCUMENT,
            Flag.IDENTITY_CHECK_DIGIT,
            Flag.IDENTITY_ELSEWHERE,
            Flag.DECLARED_DIFFERENT,
        ),
    ),
    Rule("minor", RiskLevel.MEDIUM, _("Under 18"), _any_flag(Flag.MINOR)),
    Rule(
        "wealth_unclear",
        RiskLevel.MEDIUM,
        _("Income or net worth missing or inconsistent"),
        _any_flag(Flag.WEALTH_MISSING, Flag.LIQUID_ABOVE_TOTAL),
    ),
    Rule(
        "wealth_above",
        RiskLevel.MEDIUM,
        _("Net worth or income above the tenant's threshold"),
        _wealth_above,
    ),
    Rule(
        "incomplete",
        RiskLevel.MEDIUM,
        _("Incomplete for compliance"),
        _any_flag(Flag.INCOMPLETE),
    ),
)
BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


@dataclass(frozen=True)
class Rating:
    level: RiskLevel
    # Every rule that fired, in the table's order.
    reasons: tuple[Rule, ...] = ()

    @property
    def codes(self) -> list[str]:
        return [rule.code for rule in self.reasons]


def rating_for(facts: RatingFacts) -> Rating:
    """The highest level any rule gives (low when none fires), and every rule that fired."""
    fired = tuple(rule for rule in RULES if rule.applies(facts))
    level = max((rule.level for rule in fired), default=RiskLevel.LOW)
    return Rating(RiskLevel(level), fired)


def reason_labels(codes: Collection[str]) -> list[str]:
    """The reasons stored on a review, as people read them (a rule since removed by its code)."""
    return [str(BY_CODE[code].reason) if code in BY_CODE else code for code in codes]


# Where the KYC data names a country: top-level keys, and keys of the rows of its lists.
COUNTRY_KEYS = (
    "primaryCountryOfCitizenship",
    "countryOfCitizenship",
    "countryOfBirth",
    "identityCountry",
)
COUNTRY_ROWS = {
    "addresses": ("country",),
    "identityDocuments": ("specificationData.country",),
    "employmentHistory": ("country",),
    "pepEntries": ("country",),
}


def picture_countries(picture: dict[str, Any]) -> frozenset[str]:
    """Every ISO alpha-3 country code of the KYC data: citizenship, birth, identity, each
    address, identity document, employment and politically exposed relation."""
    found = {picture.get(key) for key in COUNTRY_KEYS}
    for name, paths in COUNTRY_ROWS.items():
        rows = picture.get(name) or []
        for row in rows if isinstance(rows, list) else []:
            for path in paths:
                found.add(_at(row, path))
    return frozenset(str(code).upper() for code in found if isinstance(code, str) and code)


def _at(row: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(row, dict):
            return None
        row = row.get(part)
    return row


def rating_facts(
    picture: dict[str, Any],
    *,
    flags: Collection[str],
    high_risk_countries: Collection[str],
    wealth_above: int | None,
    screening: ScreeningFacts,
) -> RatingFacts:
    """The facts of a review's KYC data (its `picture` and flag codes) and the tenant's inputs."""
    return RatingFacts(
        flags=frozenset(Flag(code) for code in flags if code in Flag.values),
        countries=picture_countries(picture),
        high_risk_countries=frozenset(code.upper() for code in high_risk_countries),
        total_net_worth=amount(picture.get("totalNetWorth")),
        liquid_net_worth=amount(picture.get("liquidNetWorth")),
        annual_income=amount(picture.get("annualIncome")),
        wealth_above=wealth_above,
        screening=screening,
    )
