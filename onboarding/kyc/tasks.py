from celery import shared_task

from onboarding.kyc.monitoring import rescreening_run, rescreenings_resume
from onboarding.kyc.notify import News, review_notices_make


@shared_task
def clients_rescreen(rescreening_id: int) -> int:
    """Every client screened again after a list changed; when its worker is lost midway, the
    beat's `resume_rescreenings` sends it again and it goes on after the last client done."""
    return rescreening_run(rescreening_id=rescreening_id).done


@shared_task
def resume_rescreenings() -> int:
    return rescreenings_resume()


@shared_task(acks_late=False)
def review_notices(review_id: int, news: str, actor_id: int | None) -> None:
    review_notices_make(review_id=review_id, news=News(news), actor_id=actor_id)
