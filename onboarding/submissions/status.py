from onboarding.cases.lifecycle import CLOSED, CaseStatus, case_status_of
from onboarding.cases.models import Case
from onboarding.submissions.models import Step


def case_status_refresh(*, case_id: int) -> CaseStatus | None:
    """Brings the case's status in line with its steps (lifecycle.case_status_of)."""
    case = Case.objects.filter(pk=case_id).values("status", "unsent_changes").first()
    if case is None or case["status"] in CLOSED:
        return None
    steps = {
        (number, kind): state
        for number, kind, state in Step.objects.filter(case_id=case_id).values_list(
            "round", "kind", "state"
        )
    }
    status = case_status_of(steps=steps, unsent_changes=case["unsent_changes"])
    if status is not None and status != case["status"]:
        Case.objects.filter(pk=case_id).exclude(status__in=CLOSED).update(status=status)
    return status
