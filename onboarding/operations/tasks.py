from celery import shared_task

from onboarding.operations.alerts import alerts_check
from onboarding.operations.erasure import cases_erase_expired
from onboarding.operations.notify import step_notices_make


@shared_task
def check_alerts() -> int:
    return alerts_check()


@shared_task
def erase_expired_cases() -> int:
    return cases_erase_expired()


@shared_task(acks_late=False)
def step_notices(case_id: int, *, stopped: bool) -> None:
    step_notices_make(case_id=case_id, stopped=stopped)
