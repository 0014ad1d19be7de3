from onboarding.accounts.models import User
from onboarding.cases.models import Case
from onboarding.core.compiled import CompiledRead, instance
from onboarding.notices.services import (
    PERSON_FIELDS,
    notices_step_recovered,
    notices_step_stopped,
)

# Not the drafts: a notice names no client, and decrypting them is work.
_OWNER = ("id", *PERSON_FIELDS)
_CASE_READ = CompiledRead(
    lambda case_id: Case.objects.filter(pk=case_id).values_list(
        "tenant_id", *(f"owner__{name}" for name in _OWNER)
    )
)


def step_notices_make(*, case_id: int, stopped: bool) -> None:
    """The worker's side of a step that stopped for good, or went through after a retry."""
    row = _CASE_READ.first(case_id)
    if row is None:
        return
    owner = instance(User, _OWNER, row[1:])
    case = instance(Case, ("id", "tenant_id", "owner_id"), (case_id, row[0], owner.pk))
    case.owner = owner
    if stopped:
        notices_step_stopped(case=case)
    else:
        notices_step_recovered(case=case)
