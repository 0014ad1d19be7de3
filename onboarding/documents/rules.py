"""Which documents a case needs before submission: one table, beside the section rules
(`cases.completeness`).

A requirement reads the sections' valid values (and the tenant's settings): an identity
document for the identity number given, evidence of the source of wealth or funds for a
politically exposed client or one whose net worth is above the tenant's threshold, a proof of
address where the tenant asks for one, and the client's consent always. Submission waits until
each one that applies is met (`submissions.plans`); the documents page and the review page
link to where each is attached.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onboarding.cases.lifecycle import Section
from onboarding.cases.models import Case
from onboarding.cases.sections import BoundSection
from onboarding.documents.models import Consent, ConsentMethod, Document, DocumentKind
from onboarding.documents.services import consent_of_case

CONSENT = "consent"


@dataclass(frozen=True)
class Facts:
    """What the requirements read: the sections' valid values and the case's tenant."""

    case: Case
    sections: dict[Section, BoundSection]

    def value(self, section: Section, name: str) -> Any:
        bound = self.sections.get(section)
        return bound.data.get(name) if bound is not None else None


@dataclass(frozen=True)
class Requirement:
    code: str
    # The kind of document that meets it, or CONSENT for the consent block.
    kind: str
    message: Promise
    applies: Callable[[Facts], bool]


def _identity_given(facts: Facts) -> bool:
    return facts.value(Section.CLIENT, "identity_id") not in (None, "")


def _wealth_asked(facts: Facts) -> bool:
    if facts.value(Section.COMPLIANCE, "related_to_pep") is True:
        return True
    threshold = facts.case.tenant.wealth_evidence_above
    worth = facts.value(Section.SALES, "total_net_worth")
    if threshold is None or worth in (None, ""):
        return False
    return Decimal(worth) > threshold


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "identity",
        DocumentKind.IDENTITY,
        _("Attach the client's identity document (both sides of a cédula)."),
        _identity_given,
    ),
    Requirement(
        "wealth",
        DocumentKind.WEALTH,
        _("Attach evidence of the client's source of wealth or funds."),
        _wealth_asked,
    ),
    Requirement(
        "address",
        DocumentKind.ADDRESS,
        _("Attach a proof of the client's address."),
        lambda facts: facts.case.tenant.address_proof_required,
    ),
    Requirement(
        CONSENT,
        CONSENT,
        _("Record the client's consent to the processing of their data."),
        lambda _facts: True,
    ),
)


@dataclass(frozen=True)
class Missing:
    """A requirement not met, and where on the documents page it is met."""

    requirement: Requirement

    @property
    def message(self) -> str:
        return str(self.requirement.message)

    @property
    def anchor(self) -> str:
        return f"kind-{self.requirement.kind}"

    def href(self, case_id: int) -> str:
        return f"{reverse('case_documents:page', args=[case_id])}#{self.anchor}"


def documents_required(*, case: Case, sections: dict[Section, BoundSection]) -> list[Requirement]:
    """The requirements that apply to the case as its sections are now."""
    facts = Facts(case, sections)
    return [requirement for requirement in REQUIREMENTS if requirement.applies(facts)]


def consent_in_force(*, case: Case) -> Consent | None:
    """The latest consent, if it still stands: given to the privacy notice the tenant shows
    now, and, when given on a signed form, with the form still on the case."""
    consent = consent_of_case(case=case)
    if consent is None or consent.notice_version != case.tenant.privacy_notice_version:
        return None
    if consent.method == ConsentMethod.SIGNED_FORM and (
        consent.document is None or consent.document.removed_at is not None
    ):
        return None
    return consent


def documents_missing(*, case: Case, sections: dict[Section, BoundSection]) -> list[Missing]:
    """The requirements that apply and are not met yet."""
    required = documents_required(case=case, sections=sections)
    if not required:
        return []
    attached = set(
        Document.objects.filter(case=case, removed_at__isnull=True).values_list("kind", flat=True)
    )
    missing = []
    for requirement in required:
        if requirement.kind == CONSENT:
            met = consent_in_force(case=case) is not None
        else:
            met = requirement.kind in attached
        if not met:
            missing.append(Missing(requirement))
    return missing
