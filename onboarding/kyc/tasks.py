from celery import shared_task

from onboarding.kyc.monitoring import rescreening_run


@shared_task
def clients_rescreen(rescreening_id: int) -> int:
    """Every client screened again after a list changed; a worker lost midway is replaced by
    the next delivery, which goes on after the last client done."""
    return rescreening_run(rescreening_id=rescreening_id).done
