from celery import shared_task

from onboarding.operations.alerts import alerts_check


@shared_task
def check_alerts() -> int:
    return alerts_check()
