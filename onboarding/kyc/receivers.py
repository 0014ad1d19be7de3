from typing import Any

from django.dispatch import receiver

from onboarding.accounts.models import User
from onboarding.kyc.services import review_open
from onboarding.submissions.models import Step
from onboarding.submissions.signals import step_held


@receiver(step_held, sender=Step, dispatch_uid="kyc-review-open")
def _review_open(sender: type[Step], *, step: Step, actor: User | None, **kwargs: Any) -> None:
    review_open(step=step, actor=actor)
