from celery import shared_task
from django.conf import settings

from onboarding.screening.services import screening_load_run, screening_loads_stalled_fail


# Minutes for a large list, not the default task limit; acknowledged on receipt, as a load
# the broker delivered again would run twice (a stalled load is failed by the beat instead).
@shared_task(
    acks_late=False,
    soft_time_limit=settings.SCREENING_LOAD_TIME_LIMIT,
    time_limit=settings.SCREENING_LOAD_TIME_LIMIT + 30,
)
def load_list(version_id: int) -> None:
    screening_load_run(version_id=version_id)


@shared_task
def fail_stalled_loads() -> int:
    return screening_loads_stalled_fail()
