"""Alerts to a tenant's admins: a failure rate over the threshold, a step left needing
attention, no worker seen. One e-mail when an incident starts and one when it clears; the
open incidents are the state between two checks (beat runs `check_alerts` every minute).
"""

import datetime
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onboarding.accounts.models import Tenant
from onboarding.accounts.permissions import Can, users_who_may
from onboarding.cases.lifecycle import StepState
from onboarding.health.services import heartbeat_last
from onboarding.operations.models import Incident, IncidentKind
from onboarding.outbox.models import MailKind
from onboarding.outbox.services import mail_queue
from onboarding.submissions.models import Attempt, AttemptOutcome, Step

WINDOW = datetime.timedelta(minutes=15)
FAILING = (
    AttemptOutcome.RETRY,
    AttemptOutcome.AMBIGUOUS,
    AttemptOutcome.SERVER_ERROR,
    AttemptOutcome.FAILED,
    AttemptOutcome.NEEDS_ATTENTION,
)


def _conditions(tenant: Tenant, now: datetime.datetime) -> dict[str, dict[str, Any] | None]:
    """Each kind of incident, with its details when it holds now, None when it does not."""
    tries = Attempt.objects.filter(
        step__case__tenant=tenant, finished_at__gte=now - WINDOW
    ).aggregate(total=Count("id"), failed=Count("id", filter=Q(outcome__in=FAILING)))
    total, failed = tries["total"], tries["failed"]
    rate = failed / total if total else 0.0
    stuck = Step.objects.filter(
        case__tenant=tenant,
        state=StepState.NEEDS_ATTENTION,
        finished_at__lte=now - datetime.timedelta(minutes=settings.ALERT_STUCK_MINUTES),
    ).count()
    heartbeat = heartbeat_last()
    silent = time.time() - float(heartbeat["at"]) if heartbeat else None
    return {
        IncidentKind.FAILURE_RATE: {"failed": failed, "tries": total, "rate": round(rate, 3)}
        if total >= settings.ALERT_FAILURE_MIN_TRIES and rate >= settings.ALERT_FAILURE_RATE
        else None,
        IncidentKind.STUCK: {"steps": stuck} if stuck else None,
        IncidentKind.NO_WORKER: {"silent_seconds": round(silent) if silent else None}
        if silent is None or silent > settings.ALERT_WORKER_SILENT_SECONDS
        else None,
    }


def alerts_check(*, now: datetime.datetime | None = None) -> int:
    """Opens and closes incidents for every tenant; returns how many e-mails went out."""
    now = now or timezone.now()
    sent = 0
    for tenant in Tenant.objects.all():
        for kind, details in _conditions(tenant, now).items():
            with transaction.atomic():
                open_ = (
                    Incident.objects.select_for_update()
                    .filter(tenant=tenant, kind=kind, closed_at__isnull=True)
                    .first()
                )
                if details is not None and open_ is None:
                    Incident.objects.create(
                        tenant=tenant, kind=kind, opened_at=now, details=details
                    )
                    sent += _tell(tenant, kind, details, started=True)
                elif details is None and open_ is not None:
                    Incident.objects.filter(pk=open_.pk).update(closed_at=now)
                    sent += _tell(tenant, kind, open_.details, started=False)
    return sent


def _tell(tenant: Tenant, kind: str, details: dict[str, Any], *, started: bool) -> int:
    admins = list(users_who_may(can=Can.OPERATE, tenant=tenant).values_list("email", flat=True))
    if not admins:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        what = {
            IncidentKind.FAILURE_RATE: _("Many Altafid calls are failing"),
            IncidentKind.STUCK: _("Steps wait for an administrator's decision"),
            IncidentKind.NO_WORKER: _("No worker is running submissions"),
        }[IncidentKind(kind)]
        subject = (
            _("Alert for %(tenant)s: %(what)s")
            if started
            else _("Cleared for %(tenant)s: %(what)s")
        ) % {"tenant": tenant.name, "what": what}
        facts = ", ".join(f"{key}: {value}" for key, value in sorted(details.items()))
        body = "\n".join(
            [
                subject,
                "",
                facts,
                "",
                settings.SITE_URL.rstrip("/") + reverse("operations:failures"),
            ]
        )
    mail_queue(kind=MailKind.ALERT, to=admins, subject=subject, body=body)
    return 1
