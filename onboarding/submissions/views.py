from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onboarding.accounts.models import User
from onboarding.cases.models import Case
from onboarding.cases.services import cases_for_user
from onboarding.submissions.services import (
    ActivationNotAllowed,
    CaseChangedSinceReview,
    CaseNotReady,
    case_activate,
    case_submission,
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
    submission = case_submission(case=case)
    context = {
        "case": case,
        "steps": submission.steps,
        "running": submission.running,
        "can_submit": submission.can_submit,
        "can_activate": submission.can_activate,
        "submitted": submission.submitted,
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
        case_submit(case=case, user=request.user, version=_version(request))
    except CaseChangedSinceReview:
        messages.warning(
            request,
            _("This onboarding changed since you reviewed it. Review it again, then submit."),
        )
        return redirect("cases:review", pk=case.pk)
    except CaseNotReady:
        messages.error(request, _("Some sections still block submission."))
        return redirect("cases:review", pk=case.pk)
    messages.success(request, _("Submitted. The steps below run one after the other."))
    return redirect("submissions:status", pk=case.pk)


def _version(request: HtmxHttpRequest) -> int:
    """The case version the page the RM submitted from was showing (-1 when missing)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


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
