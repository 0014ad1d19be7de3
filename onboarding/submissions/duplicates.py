"""Whether Altafid already has the person a case would create, for the review page, and what
it holds of a contact a case is linked to."""

import logging
from dataclasses import dataclass, field
from typing import Any

from onboarding.accounts.models import User
from onboarding.altafid.client import client_for_tenant
from onboarding.altafid.contacts import Contact, contact_get
from onboarding.altafid.errors import AltafidError
from onboarding.cases.lifecycle import FIRST_ROUND, Section, StepKind, StepState
from onboarding.cases.models import Case, DuplicateDecision
from onboarding.cases.services import case_section_bind, cases_visible, contact_holders
from onboarding.submissions.plans import Plan
from onboarding.submissions.services import contacts_matching

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    """A contact Altafid has that may be this client. `holder`: another onboarding of the
    tenant that holds it (nobody else may link to it); `shown`: whether the viewer may see
    who the contact is (not when the holder is a case they may not open)."""

    contact: Contact
    holder: Case | None = None
    shown: bool = True


@dataclass(frozen=True)
class Matches:
    contacts: list[Candidate] = field(default_factory=list)
    decision: str = ""
    linked: str = ""
    error: bool = False

    @property
    def undecided(self) -> bool:
        return bool(self.contacts) and not self.decision


def altafid_matches(*, case: Case, plan: Plan, user: User) -> Matches | None:
    """Contacts with this client's identity number or e-mail; None once the create is done.

    A read of Altafid on each review, as the person may have been created since; when it
    fails, the page says so and the create step searches again before creating.
    """
    create = case.steps.filter(round=FIRST_ROUND, kind=StepKind.CREATE).first()
    if create is not None and create.state == StepState.SUCCEEDED:
        return None
    if case.duplicate_decision == DuplicateDecision.NEW_CONTACT:
        return Matches(decision=case.duplicate_decision)
    body = next((c.body for c in plan.calls if c.kind == StepKind.CREATE), None) or {}
    return _matches(
        case=case, user=user, identity_id=body.get("identityId"), email=body.get("preferredEmail")
    )


def altafid_matches_early(*, case: Case, user: User) -> Matches | None:
    """The same search as soon as the Client section holds an identity number or an e-mail
    (valid ones), before there is anything to review; None when there is nothing to search
    by, or the contact exists already."""
    if case.contact_uuid or case.duplicate_decision == DuplicateDecision.NEW_CONTACT:
        return None
    client = case_section_bind(case=case, section=Section.CLIENT).data
    return _matches(
        case=case,
        user=user,
        identity_id=client.get("identity_id"),
        email=client.get("preferred_email"),
    )


def _matches(
    *, case: Case, user: User, identity_id: str | None, email: str | None
) -> Matches | None:
    if not (identity_id or email):
        return None
    try:
        contacts = contacts_matching(case=case, identity_id=identity_id, email=email)
    except AltafidError as error:
        log.warning("duplicate search for case %s failed: %s", case.pk, error)
        return Matches(error=True, decision=case.duplicate_decision, linked=case.contact_uuid)
    holders = contact_holders(
        tenant_id=case.tenant_id,
        contact_uuids=[contact.contact_uuid for contact in contacts],
        excluding=case.pk,
    )
    visible = cases_visible(user=user, cases=holders.values())
    candidates = [
        Candidate(
            contact=contact,
            holder=holders.get(contact.contact_uuid),
            shown=contact.contact_uuid not in holders
            or holders[contact.contact_uuid].pk in visible,
        )
        for contact in contacts
    ]
    return Matches(contacts=candidates, decision=case.duplicate_decision, linked=case.contact_uuid)


def altafid_contact_now(*, case: Case) -> dict[str, Any]:
    """What Altafid holds now of the contact the case is linked to, under Altafid's names (a
    read; raises AltafidError)."""
    client = client_for_tenant(case.tenant.altafid_uuid)
    contact = contact_get(client, contact_uuid=case.contact_uuid)
    return contact.model_dump(by_alias=True, exclude_none=False)
