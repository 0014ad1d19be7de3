from celery import shared_task

from onboarding.notices.services import notice_mail_send, notices_mail_pending, notices_mail_waiting


@shared_task
def mail_waiting_reviews() -> int:
    return notices_mail_waiting() + notices_mail_pending()


@shared_task
def notice_mail(notice_id: int) -> bool:
    return notice_mail_send(notice_id=notice_id)
