from celery import shared_task

from onboarding.outbox.services import outgoing_mail_send, outgoing_mails_retry


@shared_task
def send_mail(mail_id: int) -> bool:
    return outgoing_mail_send(mail_id=mail_id)


@shared_task
def retry_mails() -> int:
    return outgoing_mails_retry()
