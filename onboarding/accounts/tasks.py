from celery import shared_task

from onboarding.accounts.services import sessions_clear_expired, sign_ins_forget_old


@shared_task
def forget_expired_sign_ins() -> int:
    return sessions_clear_expired() + sign_ins_forget_old()
