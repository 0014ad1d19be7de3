from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onboarding.accounts.models import User
from onboarding.cases.models import Case
from onboarding.cases.services import cases_for_user
from onboarding.submissions.models import STEP_ORDER, StepKind, StepState
from onboarding.submissions.services import (
    OPEN_STATES,
    SECTION_OF,
    ActivationNotAllowed,
    CaseNotReady,
    case_activate,
    case_steps,
    case_submit,
)
from onboarding.web.http import HtmxHttpRequest


def _case(request: HtmxHttpRequest, pk: int) -> Case:
    assert isinstance(request.user, User)
    return get_object_or_404(cases_for_user(user=request.user), pk=pk)


@login_required
@require_GET
def submission_status(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    steps = {step.kind: step for step in case_steps(case=case)}
    ordered = [
        {"kind": kind, "step": steps.get(kind.value), "section": SECTION_OF[kind]}
        for kind in STEP_ORDER
    ]
    states = {
        kind.value: steps[kind.value].state if kind in steps else "waiting" for kind in STEP_ORDER
    }
    context = {
        "case": case,
        "steps": ordered,
        "running": any(state in OPEN_STATES for state in states.values()),
        "can_submit": case.status == "ready"
        and not any(states[k] in OPEN_STATES for k in ("create", "sales", "compliance"))
        and any(states[k] != StepState.SUCCEEDED for k in ("create", "sales", "compliance")),
        "can_activate": states[StepKind.COMPLIANCE] == StepState.SUCCEEDED
        and states[StepKind.CREDENTIALS] != StepState.SUCCEEDED
        and not any(states[k] in OPEN_STATES for k in ("primary_email", "credentials")),
        "submitted": bool(steps),
    }
    if request.htmx:
        return render(request, "submissions/submission.html#steps-panel", context)
    return render(request, "submissions/submission.html", context)


@login_required
@require_POST
def submission_submit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    assert isinstance(request.user, User)
    try:
        case_submit(case=case, user=request.user)
    except CaseNotReady:
        messages.error(request, _("Some sections still block submission."))
        return redirect("cases:review", pk=case.pk)
    messages.success(request, _("Submitted. The steps below run one after the other."))
    return redirect("submissions:status", pk=case.pk)


@login_required
@require_POST
def submission_activate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    assert isinstance(request.user, User)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that the client gets a login."))
        return redirect("submissions:status", pk=case.pk)
    try:
        case_activate(case=case, user=request.user)
    except ActivationNotAllowed:
        messages.error(request, _("Activation waits for the compliance update to succeed."))
    else:
        messages.success(request, _("Activation started."))
    return redirect("submissions:status", pk=case.pk)
