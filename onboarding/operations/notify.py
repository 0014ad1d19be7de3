from onboarding.cases.models import Case
from onboarding.notices.services import notices_step_recovered, notices_step_stopped


def step_notices_make(*, case_id: int, stopped: bool) -> None:
    """The worker's side of a step that stopped for good, or went through after a retry."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return
    if stopped:
        notices_step_stopped(case=case)
    else:
        notices_step_recovered(case=case)
