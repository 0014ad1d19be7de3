from onboarding.cases.models import Case
from onboarding.notices.services import notices_step_recovered, notices_step_stopped

NOTICE_FIELDS = ("tenant_id", "owner__first_name", "owner__last_name", "owner__email")


def step_notices_make(*, case_id: int, stopped: bool) -> None:
    """The worker's side of a step that stopped for good, or went through after a retry."""
    # Not the drafts: a notice names no client, and decrypting them is work.
    case = Case.objects.select_related("owner").only(*NOTICE_FIELDS).filter(pk=case_id).first()
    if case is None:
        return
    if stopped:
        notices_step_stopped(case=case)
    else:
        notices_step_recovered(case=case)
