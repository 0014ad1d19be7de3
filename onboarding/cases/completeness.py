"""What a complete section is, for compliance: one declarative table of rules.

Altafid's own rules (required fields, formats) live in the forms; these are the ones a
compliance officer would return a case for: a declaration without what it declares, two
primary addresses, KYC data without the facts every client file needs. The stepper's counts,
a section's list of what to fix, the review page and the officer's flags all read `RULES`,
and submission waits until every rule holds. docs/completeness.md explains each rule.

A rule belongs to the section it makes incomplete (`section`) and points at the field or
rows where the RM fixes it (`target`), which may be in a section the rule's section reads
(`sections.HOMES`): compliance needs the identity number the Client section holds.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onboarding.altafid.enums import EmploymentStatus
from onboarding.cases.forms import OTHER
from onboarding.cases.lifecycle import Section

if TYPE_CHECKING:
    from onboarding.cases.sections import BoundSection


@dataclass(frozen=True)
class Target:
    """Where the RM fixes an unmet rule: a field of a section, a group of rows (`group`), or
    a field of each row of a group (both)."""

    section: Section
    field: str = ""
    group: str = ""


class Facts:
    """The valid values a rule reads: its section's, and those of the sections it reads."""

    def __init__(self, bound: "BoundSection") -> None:
        self.bound = bound

    def value(self, name: str, section: Section | None = None) -> Any:
        if section is None or section == self.bound.section:
            return self.bound.data.get(name)
        return self.bound.home(section).get(name)

    def rows(self, prefix: str) -> list[dict[str, Any]]:
        """The valid values of each row with anything entered (an error elsewhere in a row
        is the row's own, not a missing row)."""
        rows = self.bound.group_rows(prefix)
        return [getattr(rows[i], "cleaned_data", {}) for i in self.bound.rows_entered(prefix)]


Check = Callable[[Facts], bool]
RowCheck = Callable[[dict[str, Any]], bool]


def _always(_facts: Facts) -> bool:
    return True


@dataclass(frozen=True)
class Rule:
    code: str
    section: Section
    target: Target
    message: Promise
    # Altafid's names of what the rule is about, for the officer's flags.
    wire: tuple[str, ...]
    holds: Check = _always
    applies: Check = _always
    # A rule of each row of `target.group`: whether the row meets it (`holds` is not read).
    row_holds: RowCheck | None = None
    row_applies: RowCheck | None = None


def _primaries(prefix: str) -> Check:
    return lambda facts: sum(bool(row.get("is_primary")) for row in facts.rows(prefix)) == 1


def _given(*names: str, section: Section | None = None) -> Check:
    return lambda facts: all(facts.value(name, section) not in (None, "") for name in names)


RULES: tuple[Rule, ...] = (
    # The five the compliance team named.
    Rule(
        "pep_named",
        Section.COMPLIANCE,
        Target(Section.COMPLIANCE, group="peps"),
        _("You declared the client politically exposed: name at least one person below."),
        wire=("relatedToPEP", "pepEntries"),
        applies=lambda facts: facts.value("related_to_pep") is True,
        holds=lambda facts: bool(facts.rows("peps")),
    ),
    Rule(
        "director_companies",
        Section.COMPLIANCE,
        Target(Section.COMPLIANCE, field="company_names"),
        # xgettext:no-python-format
        _("You declared the client a director or 10% shareholder: name those companies."),
        wire=("directorOrTenPercentShareholder", "companyNames"),
        applies=lambda facts: facts.value("director_or_ten_percent_shareholder") is True,
        holds=_given("company_names"),
    ),
    Rule(
        "one_primary_address",
        Section.SALES,
        Target(Section.SALES, group="addresses"),
        _("Mark exactly one address as the primary address."),
        wire=("addresses",),
        applies=lambda facts: bool(facts.rows("addresses")),
        holds=_primaries("addresses"),
    ),
    Rule(
        "one_primary_compliance_address",
        Section.COMPLIANCE,
        Target(Section.COMPLIANCE, group="addresses"),
        _("Mark exactly one address for compliance as the primary address."),
        wire=("addresses",),
        applies=lambda facts: (
            facts.value("compliance_address") == OTHER and bool(facts.rows("addresses"))
        ),
        holds=_primaries("addresses"),
    ),
    Rule(
        "identity_document",
        Section.COMPLIANCE,
        Target(Section.CLIENT, field="identity_id"),
        _(
            "Compliance needs the client's identity document: its type, number and issuing "
            "country, in the Client section."
        ),
        wire=("identityDocuments",),
        holds=_given("identity_type", "identity_id", "identity_country", section=Section.CLIENT),
    ),
    Rule(
        "employer_named",
        Section.COMPLIANCE,
        Target(Section.COMPLIANCE, field="employer_name", group="employment"),
        _("Name the employer of a client who is employed."),
        wire=("currentEmployment", "employmentHistory"),
        row_applies=lambda row: row.get("employment_status") == EmploymentStatus.EMPLOYED,
        row_holds=lambda row: bool(row.get("employer_name")),
    ),
    # What every client file needs besides (the customer due diligence of Chile's UAF and
    # common KYC practice): an address, what the client does, when they were born, their
    # nationality, and their income and wealth.
    Rule(
        "compliance_address_entered",
        Section.COMPLIANCE,
        Target(Section.COMPLIANCE, group="addresses"),
        _("Enter the address for compliance below."),
        wire=("addresses",),
        applies=lambda facts: facts.value("compliance_address") == OTHER,
        holds=lambda facts: bool(facts.rows("addresses")),
    ),
    Rule(
        "occupation",
        Section.COMPLIANCE,
        Target(Section.COMPLIANCE, group="employment"),
        _(
            "Say what the client does: add their current job, or that they are self-employed, "
            "unemployed, retired or a student."
        ),
        wire=("currentEmployment",),
        holds=lambda facts: bool(facts.rows("employment")),
    ),
    Rule(
        "date_of_birth",
        Section.COMPLIANCE,
        Target(Section.CLIENT, field="date_of_birth"),
        _("Compliance needs the client's date of birth, in the Client section."),
        wire=("dateOfBirth",),
        holds=_given("date_of_birth", section=Section.CLIENT),
    ),
    Rule(
        "nationality",
        Section.COMPLIANCE,
        Target(Section.SALES, field="country_of_citizenship"),
        _("Compliance needs the client's country of citizenship, in the Sales profile."),
        wire=("primaryCountryOfCitizenship",),
        holds=_given("country_of_citizenship", section=Section.SALES),
    ),
    Rule(
        "income_and_wealth",
        Section.COMPLIANCE,
        Target(Section.SALES, field="annual_income"),
        _("Compliance needs the client's annual income and total net worth, in the Sales profile."),
        wire=("annualIncome", "totalNetWorth"),
        holds=_given("annual_income", "total_net_worth", section=Section.SALES),
    ),
)


@dataclass(frozen=True)
class Unmet:
    """A rule a section does not meet, and the element of the page where it is fixed."""

    rule: Rule
    anchor: str

    @property
    def message(self) -> str:
        return str(self.rule.message)

    def href(self, case_id: int) -> str:
        url = reverse("cases:section", args=[case_id, self.rule.target.section.value])
        return f"{url}#{self.anchor}"


def rules_unmet(bound: "BoundSection") -> Iterator[Unmet]:
    """The rules of the bound section that do not hold; a rule reading another section is
    judged only when that section is bound beside it (`homes`)."""
    facts = Facts(bound)
    for rule in RULES:
        if rule.section != bound.section:
            continue
        target = rule.target
        if target.section != bound.section and target.section not in bound.homes:
            continue
        if rule.row_holds is not None:
            yield from _rows_unmet(bound, rule)
        elif rule.applies(facts) and not rule.holds(facts):
            yield Unmet(rule, _anchor(target))


def _rows_unmet(bound: "BoundSection", rule: Rule) -> Iterator[Unmet]:
    target, row_holds = rule.target, rule.row_holds
    assert row_holds is not None
    applies = rule.row_applies or (lambda _row: True)
    rows = bound.group_rows(target.group)
    for index in bound.rows_entered(target.group):
        row = getattr(rows[index], "cleaned_data", {})
        if applies(row) and not row_holds(row):
            yield Unmet(rule, f"id_{target.group}-{index}-{target.field}")


def _anchor(target: Target) -> str:
    if target.group:
        return f"rows-{target.group}"
    return f"id_{target.field}"


def rules_apply(bound: "BoundSection") -> None:
    """Puts each unmet rule where the RM fixes it: at its field, on its rows, or (fixed in
    another section) at the top of this one; `bound.unmet` keeps them for the links."""
    for unmet in rules_unmet(bound):
        bound.unmet.append(unmet)
        target = unmet.rule.target
        if target.section != bound.section:
            bound.form.add_error(None, unmet.message)
        elif target.group and target.field:
            index = int(unmet.anchor.split("-")[1])
            bound.group_rows(target.group)[index].add_error(target.field, unmet.message)
        elif target.group:
            bound.group_errors(target.group).append(unmet.message)
        else:
            bound.form.add_error(target.field, unmet.message)


def rules_wire(unmet: list[Unmet]) -> list[str]:
    """Altafid's names the unmet rules are about, for the officer's flag."""
    return list(dict.fromkeys(key for item in unmet for key in item.rule.wire))
