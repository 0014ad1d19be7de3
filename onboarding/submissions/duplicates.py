"""Whether Altafid already has the person a case would create, for the review page."""

import logging
from dataclasses import dataclass, field

from onboarding.altafid.contacts import Contact
from onboarding.altafid.errors import AltafidError
from onboarding.cases.lifecycle import FIRST_ROUND, StepKind, StepState
from onboarding.cases.models import Case, DuplicateDecision
from onboarding.submissions.plans import Plan
from onboarding.submissions.services import contacts_matching

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Matches:
    contacts: list[Contact] = field(default_factory=list)
    decision: str = ""
    linked: str = ""
    error: bool = False

    @property
    def undecided(self) -> bool:
        return bool(self.contacts) and not self.decision


def altafid_matches(*, case: Case, plan: Plan) -> Matches | None:
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
    if not (body.get("identityId") or body.get("preferredEmail")):
        return None
    try:
        contacts = contacts_matching(
            case=case, identity_id=body.get("identityId"), email=body.get("preferredEmail")
        )
    except AltafidError as error:
        log.warning("duplicate search for case %s failed: %s", case.pk, error)
        return Matches(error=True, decision=case.duplicate_decision, linked=case.contact_uuid)
    return Matches(contacts=contacts, decision=case.duplicate_decision, linked=case.contact_uuid)
