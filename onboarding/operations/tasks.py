from celery import shared_task

from onboarding.operations.alerts import alerts_check
from onboarding.operations.erasure import cases_erase_expired


@shared_task
def check_alerts() -> int:
    return alerts_check()


@shared_task
def erase_expired_cases() -> int:
    return cases_erase_expired()
