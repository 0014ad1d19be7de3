from typing import Any

from django.dispatch import receiver

from onboarding.notices.services import notices_step_recovered, notices_step_stopped
from onboarding.submissions.models import Step
from onboarding.submissions.signals import step_recovered, step_stopped


@receiver(step_stopped, sender=Step, dispatch_uid="operations-step-stopped")
def _step_stopped(sender: type[Step], *, step: Step, **kwargs: Any) -> None:
    notices_step_stopped(case=step.case)


@receiver(step_recovered, sender=Step, dispatch_uid="operations-step-recovered")
def _step_recovered(sender: type[Step], *, step: Step, **kwargs: Any) -> None:
    notices_step_recovered(case=step.case)
