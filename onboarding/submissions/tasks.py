import time

from celery import shared_task
from django.conf import settings

from onboarding.submissions.signals import steps_swept
from onboarding.submissions.sweeper import steps_sweep
from onboarding.submissions.worker import step_execute, step_run


@shared_task(acks_late=True)
def run_step(step_id: int) -> None:
    """Runs the step, then the steps that follow it, while well inside the time limit.

    Running what follows here saves a trip through the broker per step; the last step this
    task claims is always one it has the time to run.
    """
    started = time.monotonic()

    def time_left() -> bool:
        return time.monotonic() - started < settings.CELERY_TASK_SOFT_TIME_LIMIT / 3

    following = step_run(step_id=step_id, run_next=time_left())
    while following is not None:
        following = step_execute(step=following, run_next=time_left())


@shared_task
def sweep_steps() -> int:
    swept = steps_sweep()
    steps_swept.send(sender=sweep_steps, swept=swept)
    return swept
