import time

from celery import shared_task
from django.conf import settings

from onboarding.submissions.services import step_run, steps_sweep


@shared_task(acks_late=True)
def run_step(step_id: int) -> None:
    """Runs the step, then at once the step it queued, while well inside the time limit.

    Running the next step here saves a trip through the broker; its own task, sent when it
    was queued, then finds it claimed and does nothing.
    """
    started = time.monotonic()
    following: int | None = step_id
    while following is not None:
        following = step_run(step_id=following)
        if time.monotonic() - started > settings.CELERY_TASK_SOFT_TIME_LIMIT / 3:
            break


@shared_task
def sweep_steps() -> int:
    return steps_sweep()
