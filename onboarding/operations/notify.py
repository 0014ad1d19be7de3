from onboarding.cases.models import Case
from onboarding.notices.services import (
    PERSON_FIELDS,
    notices_step_recovered,
    notices_step_stopped,
)

# Not the drafts: a notice names no client, and decrypting them is work.
NOTICE_FIELDS = ("tenant_id", *(f"owner__{name}" for name in PERSON_FIELDS))


def step_notices_make(*, case_id: int, stopped: bool) -> None:
    """The worker's side of a step that stopped for good, or went through after a retry."""
    case = Case.objects.select_related("owner").only(*NOTICE_FIELDS).filter(pk=case_id).first()
    if case is None:
        return
    if stopped:
        notices_step_stopped(case=case)
    else:
        notices_step_recovered(case=case)
