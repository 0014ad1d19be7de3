import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onboarding.audit.models import EventKind
from onboarding.audit.sql import NewEvent, events_append
from onboarding.cases.lifecycle import StepState
from onboarding.submissions.masking import masked
from onboarding.submissions.models import Attempt, AttemptOutcome, Step
from onboarding.submissions.queueing import send, send_on_commit


def steps_sweep() -> int:
    """Re-sends steps whose task was lost: queued but not started, or running past the lease.

    Returns how many steps it re-sent. A running create whose lease ran out counts as an
    unanswered attempt, so its retry searches Altafid before creating anything.
    """
    now = timezone.now()
    grace = datetime.timedelta(seconds=settings.SUBMISSION_SWEEP_GRACE_SECONDS)
    resent = 0
    lost = Step.objects.filter(state=StepState.QUEUED, run_after__lt=now - grace)
    for step_id in lost.values_list("pk", flat=True):
        send(step_id, 0)
        resent += 1
    expired = Step.objects.filter(state=StepState.RUNNING, lease_expires_at__lt=now).select_related(
        "case"
    )
    for step in expired:
        with transaction.atomic():
            updated = Step.objects.filter(
                pk=step.pk, state=StepState.RUNNING, lease_expires_at__lt=now
            ).update(state=StepState.QUEUED, run_after=now, lease_expires_at=None)
            if not updated:
                continue
            lost_try = Attempt(
                step=step,
                number=step.tries,
                started_at=step.started_at or now,
                finished_at=now,
                outcome=AttemptOutcome.AMBIGUOUS,
                sent=masked(step.payload),
            )
            Attempt.objects.bulk_create([lost_try], ignore_conflicts=True)
            events_append(
                [
                    NewEvent(
                        tenant_id=step.case.tenant_id,
                        case_id=step.case_id,
                        kind=EventKind.STEP_RETRY,
                        data={
                            "step": step.kind,
                            "round": step.round,
                            "attempt": step.tries,
                            "lost": True,
                        },
                    )
                ],
                now=now,
            )
            send_on_commit(step)
        resent += 1
    return resent
