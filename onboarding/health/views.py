import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onboarding.accounts.decorators import tenant_may
from onboarding.accounts.models import Tenant, User
from onboarding.accounts.permissions import Can, user_may
from onboarding.accounts.services import tenants_for_user
from onboarding.cases.lifecycle import StepState
from onboarding.core.http import HtmxHttpRequest
from onboarding.health.forms import LookupPreviewForm
from onboarding.health.services import (
    broker_check,
    cache_check,
    database_check,
    email_delivery,
    health_status,
    heartbeat_last,
    probe_last,
    sweeper_last,
)
from onboarding.kyc.monitoring import rescreening_latest
from onboarding.lookups.services import lookups_ages, lookups_contract_errors
from onboarding.outbox.services import outbox_summary
from onboarding.screening.services import screening_lists_ages, screening_loads_failed_last
from onboarding.submissions.models import Step

WORKER_SILENT_SECONDS = 120


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 or 503 for orchestrators; the details only for a signed-in admin who has given the
    second factor in this session."""
    status = health_status()
    code = 200 if status["ok"] else 503
    user = request.user
    if (
        isinstance(user, User)
        and user.is_verified()  # type: ignore[attr-defined]
        and user_may(user=user, can=Can.SEE_HEALTH)
    ):
        return JsonResponse(status, status=code)
    return HttpResponse(
        "ok\n" if status["ok"] else "unavailable\n", status=code, content_type="text/plain"
    )


@require_GET
@tenant_may(Can.SEE_HEALTH)
def health_page(request: HtmxHttpRequest, tenant: Tenant) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    lookups_form = LookupPreviewForm(request.GET or None, tenant=tenant)
    if request.htmx and request.htmx.target == "city-field":
        return render(request, "health/health.html#city-field", {"form": lookups_form})
    now = time.time()
    heartbeat = heartbeat_last()
    worker_seen = now - float(heartbeat["at"]) if heartbeat else None
    sweep = sweeper_last()
    context = {
        "database": database_check(),
        "cache": cache_check(),
        "broker": broker_check(),
        "email": email_delivery(),
        "outbox": outbox_summary(),
        "worker_seen": worker_seen,
        "worker_silent": worker_seen is None or worker_seen > WORKER_SILENT_SECONDS,
        "sweeper_seen": now - float(sweep["at"]) if sweep else None,
        "probes": [
            (each, probe, now - float(probe["at"]) if probe else None)
            for each in tenants_for_user(user=user)
            for probe in [probe_last(tenant_uuid=each.altafid_uuid)]
        ],
        "lookups": sorted(lookups_ages(tenant=tenant).items()),
        "contract_errors": sorted(lookups_contract_errors(tenant=tenant).items()),
        "form": lookups_form,
        "screening_lists": (lists := screening_lists_ages()),
        "screening_stale": [age for age in lists if age.stale],
        "screening_failed": screening_loads_failed_last(),
        "screening_max_age": settings.SCREENING_LIST_MAX_AGE_DAYS,
        "rescreening": rescreening_latest(),
        "retrying": Step.objects.filter(
            case__tenant=tenant, state=StepState.QUEUED, attempts__gt=0
        ).count(),
    }
    return render(request, "health/health.html", context)
