from onboarding.cases.models import Case
from onboarding.core.compiled import CompiledRead
from onboarding.notices.services import (
    PERSON_FIELDS,
    notice_case,
    notice_person,
    notices_step_recovered,
    notices_step_stopped,
)

_CASE_READ = CompiledRead(
    lambda case_id: Case.objects.filter(pk=case_id).values_list(
        "tenant_id", *(f"owner__{name}" for name in PERSON_FIELDS)
    )
)


def step_notices_make(*, case_id: int, stopped: bool) -> None:
    """The worker's side of a step that stopped for good, or went through after a retry."""
    row = _CASE_READ.first(case_id)
    if row is None:
        return
    case = notice_case(case_id=case_id, tenant_id=row[0], owner=notice_person(row[1:]))
    if stopped:
        notices_step_stopped(case=case)
    else:
        notices_step_recovered(case=case)
