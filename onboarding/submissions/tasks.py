from celery import shared_task

from onboarding.submissions.services import step_run, steps_sweep


@shared_task(acks_late=True)
def run_step(step_id: int) -> None:
    step_run(step_id=step_id)


@shared_task
def sweep_steps() -> int:
    return steps_sweep()
