from onboarding.cases.lifecycle import CLOSED, CaseStatus, case_status_of
from onboarding.submissions import sql


def case_status_refresh(*, case_id: int) -> CaseStatus | None:
    """Brings the case's status in line with its steps (lifecycle.case_status_of)."""
    case = sql.case_steps(case_id=case_id)
    if case is None or case.status in CLOSED:
        return None
    status = case_status_of(steps=case.steps, unsent_changes=case.unsent_changes)
    if status is not None and status != case.status:
        sql.case_status_set(case_id=case_id, status=status)
    return status
