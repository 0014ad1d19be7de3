from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onboarding.accounts.models import User
from onboarding.accounts.permissions import user_permissions
from onboarding.cases.lifecycle import IN_FLIGHT, Act, CaseStatus
from onboarding.cases.middleware import case_or_404
from onboarding.cases.models import Case
from onboarding.core.http import HtmxHttpRequest
from onboarding.submissions.models import Attempt, AttemptOutcome
from onboarding.submissions.reads import (
    case_reading_for,
    case_submission,
    step_explanation,
    step_technical,
)
from onboarding.submissions.services import (
    ActivationNotAllowed,
    CaseChangedSinceReview,
    CaseNotReady,
    SubmissionUnderWay,
    case_activate,
    case_submit,
)


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _case(request: HtmxHttpRequest, pk: int) -> Case:
    return case_or_404(user=_user(request), pk=pk)


@login_required
@require_GET
def submission_status(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    submission = case_submission(case=case)
    may = user_permissions(user=_user(request), case=case)
    adopted = set(
        Attempt.objects.filter(step__case=case, outcome=AttemptOutcome.ADOPTED).values_list(
            "step_id", flat=True
        )
    )
    for round_ in submission.rounds:
        for _kind, step, _section in round_.steps:
            if step is not None:
                step.explanation = step_explanation(  # type: ignore[attr-defined]
                    step,
                    adopted=step.pk in adopted,
                    case_cancelled=case.status == CaseStatus.CANCELLED,
                )
                step.technical = step_technical(step)  # type: ignore[attr-defined]
    reading = case_reading_for(case=case, user=_user(request))
    context = {
        "case": case,
        "submission": submission,
        "reading": reading,
        "running": submission.running,
        "may": may,
        "can_activate": any(offer.act == Act.ACTIVATE for offer in reading.offers)
        and submission.can_activate,
    }
    if request.htmx:
        return render(request, "submissions/submission.html#steps-panel", context)
    return render(request, "submissions/submission.html", context)


@login_required
@require_POST
def submission_submit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    try:
        plan = case_submit(case=case, user=_user(request), digest=request.POST.get("digest", ""))
    except SubmissionUnderWay:
        return _submitted_meanwhile(request, case)
    except CaseChangedSinceReview:
        case.refresh_from_db(fields=["status"])
        if case.status in IN_FLIGHT:
            return _submitted_meanwhile(request, case)
        messages.warning(
            request,
            _("This onboarding changed since you reviewed it. Review it again, then submit."),
        )
        return redirect("cases:review", pk=case.pk)
    except CaseNotReady as refused:
        for problem in refused.problems:
            messages.error(request, problem)
        return redirect("cases:review", pk=case.pk)
    case.refresh_from_db(fields=["status"])
    if plan.empty:
        messages.success(request, _("Nothing differs from what Altafid holds: nothing was sent."))
    elif plan.amendment and case.status == CaseStatus.IN_REVIEW:
        messages.success(
            request,
            _(
                "Amendment submitted. Its KYC changes wait for a compliance officer's "
                "approval before Altafid gets them."
            ),
        )
    elif plan.amendment:
        messages.success(request, _("Amendment submitted. Its steps are below."))
    elif case.status == CaseStatus.IN_REVIEW:
        messages.success(
            request,
            _("Sent for KYC review: a compliance officer approves it before Altafid gets it."),
        )
    else:
        messages.success(request, _("Submitted. The steps below run one after the other."))
    return redirect("submissions:status", pk=case.pk)


def _submitted_meanwhile(request: HtmxHttpRequest, case: Case) -> HttpResponse:
    # Most often a second click on Submit, or the same review open in another tab.
    messages.info(request, _("This onboarding was submitted meanwhile: see its steps."))
    return redirect("submissions:status", pk=case.pk)


@login_required
@require_POST
def submission_activate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that the client gets a login."))
        return redirect("submissions:status", pk=case.pk)
    try:
        case_activate(case=case, user=_user(request))
    except ActivationNotAllowed:
        messages.error(request, _("Activation waits for the compliance update to succeed."))
    except CaseNotReady as refused:
        for problem in refused.problems:
            messages.error(request, problem)
    else:
        messages.success(request, _("Activation started."))
    return redirect("submissions:status", pk=case.pk)
