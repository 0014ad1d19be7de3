from typing import Any

from django.dispatch import receiver

from onboarding.core.tasks import task_after_commit
from onboarding.submissions.models import Step
from onboarding.submissions.signals import step_recovered, step_stopped


def _step_notices_after_commit(step: Step, *, stopped: bool) -> None:
    """The notices are made by a worker once the step's transaction commits, never inside it
    (as a review's are, `kyc.notify`); the task carries the case's id alone."""
    from onboarding.operations.tasks import step_notices

    task_after_commit(step_notices, step.case_id, stopped=stopped)


@receiver(step_stopped, sender=Step, dispatch_uid="operations-step-stopped")
def _step_stopped(sender: type[Step], *, step: Step, **kwargs: Any) -> None:
    _step_notices_after_commit(step, stopped=True)


@receiver(step_recovered, sender=Step, dispatch_uid="operations-step-recovered")
def _step_recovered(sender: type[Step], *, step: Step, **kwargs: Any) -> None:
    _step_notices_after_commit(step, stopped=False)
