import csv
import datetime
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onboarding.accounts.decorators import tenant_may
from onboarding.accounts.models import Tenant, User
from onboarding.accounts.permissions import Can
from onboarding.cases.lifecycle import ErasureReason, StepKind, StepState
from onboarding.cases.models import Case
from onboarding.cases.services import case_owner_candidates
from onboarding.core.http import HtmxHttpRequest
from onboarding.core.inputs import ids_read
from onboarding.health.services import probe_last
from onboarding.operations.chart import failures_chart_recent
from onboarding.operations.erasure import case_erase
from onboarding.operations.forms import SORTS, FailureQuery, ResolveForm
from onboarding.operations.services import (
    ActionRefused,
    FailureKind,
    failure_cancel,
    failure_candidates,
    failure_counts,
    failure_decide,
    failure_kind,
    failure_resolve,
    failure_retry,
    failures_by_id,
    failures_of_tenant,
)
from onboarding.submissions.models import Step
from onboarding.submissions.reads import case_reading_for, cases_readings, step_explanation

PAGE_SIZE = 25


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _failure(tenant: Tenant, pk: int) -> Step:
    return get_object_or_404(
        Step.objects.filter(case__tenant=tenant).select_related("case", "case__owner"), pk=pk
    )


def _filters(request: HtmxHttpRequest) -> dict[str, str]:
    values = FailureQuery.read(request.GET)
    return {
        "query": values["q"],
        "kind": values["kind"],
        "step_kind": values["step"],
        "sort": values["sort"],
    }


def _query_string(filters: dict[str, str]) -> str:
    """The filters as the page's links and the export repeat them."""
    names = {"q": "query", "kind": "kind", "step": "step_kind", "sort": "sort"}
    return urlencode({param: filters[name] for param, name in names.items()})


@require_GET
@tenant_may(Can.OPERATE)
def failure_list(request: HtmxHttpRequest, tenant: Tenant) -> HttpResponse:
    filters = _filters(request)
    steps = failures_of_tenant(tenant=tenant, **filters)
    # Every ID in order, from the index alone (a queue holds thousands at most: one query is
    # both the count and the page), then the page's rows: the sort reads no wide rows.
    page = Paginator(list(steps.values_list("pk", flat=True)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    failures = failures_by_id(ids=list(page.object_list))
    now = timezone.now()
    for step in failures:
        step.explanation = step_explanation(step)  # type: ignore[attr-defined]
    readings = cases_readings(cases=[step.case for step in failures], user=_user(request))
    context = {
        "page": page,
        "rows": [(step, failure_kind(step), now, readings[step.case_id]) for step in failures],
        "filters": filters,
        "kinds": list(FailureKind.LABELS.items()),
        "step_kinds": StepKind.choices,
        "sorts": SORTS,
        "counts": failure_counts(tenant=tenant),
        "chart": failures_chart_recent(tenant=tenant),
        "states": dict(StepState.choices),
        "step_labels": dict(StepKind.choices),
        "query": _query_string(filters),
    }
    template = "operations/failures.html#results" if request.htmx else "operations/failures.html"
    return render(request, template, context)


@require_GET
@tenant_may(Can.OPERATE)
def failure_detail(request: HtmxHttpRequest, tenant: Tenant, pk: int) -> HttpResponse:
    step = _failure(tenant, pk)
    kind = failure_kind(step)
    probe = probe_last(tenant_uuid=tenant.altafid_uuid)
    context: dict[str, Any] = {
        # The latest probe found Altafid unreachable: a retry now would likely fail too.
        "altafid_down": probe is not None and not probe.get("ok"),
        "probe": probe,
        "step": step,
        "case": step.case,
        "reading": case_reading_for(case=step.case, user=_user(request)),
        "kind": kind,
        "kind_label": FailureKind.LABELS[kind],
        "hint": FailureKind.HINTS[kind],
        "stopped": step.state in (StepState.FAILED, StepState.NEEDS_ATTENTION),
        "attempts": step.history.order_by("-number"),
        "candidates": failure_candidates(step=step) if kind == FailureKind.DECISION else [],
        "owners": case_owner_candidates(case=step.case),
        "resolutions": step.resolutions.select_related("by"),
    }
    return render(request, "operations/failure.html", context)


def _act(request: HtmxHttpRequest, step: Step, action: str) -> None:
    user = _user(request)
    if action == "retry":
        failure_retry(step=step, user=user)
        messages.success(request, _("Queued again: it runs in a moment."))
    elif action == "cancel":
        failure_cancel(step=step, user=user)
        messages.success(request, _("The submission is cancelled: nothing more is sent."))
    elif action == "resolve":
        form = ResolveForm(request.POST)
        if not form.is_valid():
            raise ActionRefused(" ".join(str(error) for error in form.errors["note"]))
        failure_resolve(step=step, user=user, note=form.cleaned_data["note"])
        messages.success(request, _("Marked resolved."))
    elif action == "decide":
        chosen = request.POST.get("contact", "")
        failure_decide(step=step, user=user, contact_uuid=chosen if chosen != "new" else None)
        messages.success(request, _("Settled: the create goes on."))
    else:
        raise ActionRefused(_("Unknown action."))


@require_POST
@tenant_may(Can.OPERATE)
def failure_act(request: HtmxHttpRequest, tenant: Tenant, pk: int) -> HttpResponse:
    step = _failure(tenant, pk)
    try:
        _act(request, step, request.POST.get("action", ""))
    except ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect("operations:failure", pk=step.pk)


@require_POST
@tenant_may(Can.OPERATE)
def failure_bulk(request: HtmxHttpRequest, tenant: Tenant) -> HttpResponse:
    """Retries or cancels every chosen failure; one that cannot be is named, the rest go on."""
    action = request.POST.get("action", "")
    ids = ids_read(request.POST.getlist("steps"))
    done = 0
    for step in Step.objects.filter(case__tenant=tenant, pk__in=ids).select_related("case"):
        try:
            if action not in ("retry", "cancel"):
                raise ActionRefused(_("Unknown action."))
            if action == "retry":
                failure_retry(step=step, user=_user(request))
            else:
                failure_cancel(step=step, user=_user(request))
            done += 1
        except ActionRefused as refused:
            messages.error(request, f"{step.case}: {refused.message}")
    messages.success(request, _("%(count)s done.") % {"count": done})
    return redirect("operations:failures")


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula is escaped."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _in_zone(moment: datetime.datetime | None, tenant: Tenant) -> str:
    """A time in the tenant's zone, with its offset ("2026-01-15T12:00:00-03:00"). A streamed
    export is written after the view returns, outside the zone the request activated."""
    return timezone.localtime(moment, tenant.zone).isoformat() if moment else ""


def _in_chunks(steps: QuerySet[Step], size: int = 100) -> Iterator[Step]:
    """The steps in order: their IDs from the index alone, then their rows a chunk at a time,
    so that the first row goes out before the whole export is read."""
    ids = list(steps.values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        yield from failures_by_id(ids=ids[start : start + size])


@require_GET
@tenant_may(Can.OPERATE)
def failure_export(request: HtmxHttpRequest, tenant: Tenant) -> StreamingHttpResponse:
    steps = failures_of_tenant(tenant=tenant, **_filters(request))
    writer = csv.writer(_Echo())
    labels = dict(StepKind.choices)

    def rows() -> Iterator[str]:
        yield writer.writerow(
            [
                _("Client"),
                _("Relationship manager"),
                _("Step"),
                _("State"),
                _("Kind"),
                _("Error code"),
                _("HTTP status"),
                _("Message"),
                _("Tries"),
                _("First queued"),
                _("Last failure"),
            ]
        )
        for step in _in_chunks(steps):
            error = step.last_error or {}
            yield writer.writerow(
                [
                    csv_cell(value)
                    for value in (
                        step.case.client_name,
                        step.case.owner.email,
                        labels.get(step.kind, step.kind),
                        step.state,
                        FailureKind.LABELS[failure_kind(step)],
                        error.get("code") or "",
                        error.get("status") or "",
                        error.get("message") or "",
                        step.tries,
                        _in_zone(step.queued_at, tenant),
                        _in_zone(step.finished_at, tenant),
                    )
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="failed-steps.csv"'
    return response


@require_POST
@tenant_may(Can.OPERATE)
def case_erase_view(request: HtmxHttpRequest, tenant: Tenant, pk: int) -> HttpResponse:
    """Erases a client's data on request: a reason from the list and a ticked confirmation."""
    case = get_object_or_404(Case.objects.filter(tenant=tenant), pk=pk)
    reason = request.POST.get("reason", "")
    if request.POST.get("confirm") != "yes" or reason not in ErasureReason.values:
        messages.error(request, _("Choose a reason and tick the box: erasing cannot be undone."))
        return redirect("cases:overview", pk=case.pk)
    if reason == ErasureReason.RETENTION:
        messages.error(request, _("The retention period erases by itself; choose the reason."))
        return redirect("cases:overview", pk=case.pk)
    case_erase(case=case, user=_user(request), reason=ErasureReason(reason))
    messages.success(request, _("The client's data in this onboarding is erased."))
    return redirect("cases:overview", pk=case.pk)
