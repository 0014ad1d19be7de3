from celery import shared_task

from onboarding.health.probes import altafid_probe_all
from onboarding.health.services import heartbeat_record


@shared_task
def record_worker_heartbeat(token: str = "") -> None:
    heartbeat_record(token=token)


@shared_task
def probe_altafid() -> int:
    return altafid_probe_all()
