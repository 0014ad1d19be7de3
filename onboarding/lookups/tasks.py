from celery import shared_task

from onboarding.lookups.services import lookups_refresh_all


@shared_task
def refresh_all_lookups() -> None:
    lookups_refresh_all()
