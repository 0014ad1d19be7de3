from typing import Any

from django.dispatch import receiver

from onboarding.health.services import sweeper_record
from onboarding.submissions.signals import steps_swept


@receiver(steps_swept, dispatch_uid="health-sweeper-record")
def _sweeper_record(sender: Any, *, swept: int, **kwargs: Any) -> None:
    sweeper_record(swept=swept)
