from celery import shared_task

from onboarding.health.services import heartbeat_record


@shared_task
def record_worker_heartbeat(token: str = "") -> None:
    heartbeat_record(token=token)
