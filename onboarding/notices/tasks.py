from celery import shared_task

from onboarding.notices.services import notices_mail_waiting


@shared_task
def mail_waiting_reviews() -> int:
    return notices_mail_waiting()
