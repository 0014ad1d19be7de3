import json
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from onboarding.accounts.models import User
from onboarding.accounts.services import tenant_for_request
from onboarding.cases.forms import AddressForm
from onboarding.cases.models import Case, CaseStatus, Section
from onboarding.cases.payloads import case_payloads
from onboarding.cases.sections import ORDER, SPECS, raw_data
from onboarding.cases.services import (
    CaseVersionConflict,
    case_create,
    case_section_bind,
    case_section_save,
    case_sections,
    cases_for_user,
    cases_search,
    rows_add,
    rows_remove,
)
from onboarding.submissions.models import Step
from onboarding.submissions.services import (
    case_progress,
    case_submitted,
    section_refusal,
    submission_prepare,
)
from onboarding.web.http import HtmxHttpRequest

PAGE_SIZE = 20
ROW_PREFIX = re.compile(r"[a-z]+-\d{1,2}")


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _case(request: HtmxHttpRequest, pk: int) -> Case:
    return get_object_or_404(cases_for_user(user=_user(request)), pk=pk)


def _section(value: str) -> Section:
    try:
        return Section(value)
    except ValueError:
        raise Http404 from None


@login_required
@require_GET
def case_list(request: HtmxHttpRequest) -> HttpResponse:
    tenant = tenant_for_request(request=request)
    if tenant is None:
        raise Http404
    query = request.GET.get("q", "")
    status = request.GET.get("status", "")
    if status not in CaseStatus.values:
        status = ""
    cases = cases_search(user=_user(request), tenant=tenant, query=query, status=status)
    steps = Prefetch(
        "steps", queryset=Step.objects.only("case", "kind", "position", "state", "tries")
    )
    page = Paginator(cases.prefetch_related(steps), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [(case, case_progress(steps=case.steps.all())) for case in page.object_list],
        "query": query,
        "status": status,
        "statuses": CaseStatus.choices,
        "sections": dict(Section.choices),
    }
    template = "cases/case_list.html#results" if request.htmx else "cases/case_list.html"
    return render(request, template, context)


@login_required
@require_POST
def case_new(request: HtmxHttpRequest) -> HttpResponse:
    tenant = tenant_for_request(request=request)
    if tenant is None:
        raise Http404
    case = case_create(tenant=tenant, owner=_user(request))
    return redirect("cases:section", pk=case.pk, section=Section.CLIENT.value)


@login_required
@require_GET
def case_resume(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return redirect("cases:section", pk=case.pk, section=case.current_section)


@login_required
@require_http_methods(["GET", "POST"])
def case_section(request: HtmxHttpRequest, pk: int, section: str) -> HttpResponse:
    case = _case(request, pk)
    current = _section(section)
    following = _following(current)
    status = 200
    conflict = None
    action = request.POST.get("action", "save")
    if request.method == "POST":
        spec = SPECS[current]
        raw = _apply_row_action(raw_data(request.POST, spec), action, spec)
        try:
            result = case_section_save(
                case=case,
                section=current,
                raw=raw,
                version=_int(request.POST.get("version")),
                user=_user(request),
                resume_at=following if action == "next" else None,
            )
        except CaseVersionConflict as error:
            conflict = error.case
            status = 409
            bound = case_section_bind(case=case, section=current, raw=raw).check()
        else:
            case = result.case
            bound = result.bound
            if action == "next":
                url = (
                    reverse("cases:section", args=[case.pk, following.value])
                    if following
                    else reverse("cases:review", args=[case.pk])
                )
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
            if not request.htmx:
                messages.success(request, _("Draft saved."))
    else:
        bound = case_section_bind(case=case, section=current)
        if bound.form.is_bound:
            bound.check()
    bound.follow_countries(reverse("cases:cities", args=[case.pk]))
    refusal = section_refusal(case=case, section=current)
    if refusal and refusal.current and bound.form.is_bound:
        bound.refused(refusal.errors)
    context = {
        "case": case,
        "bound": bound,
        "section": current,
        "steps": _steps(case, current),
        "conflict": conflict,
        "next_section": following,
        "refusal": refusal,
    }
    if request.htmx and action == "autosave":
        # Only the save state, the version and the stepper change: the fields keep focus.
        return render(request, "cases/section.html#autosaved", context, status=status)
    template = "cases/section.html#section-form" if request.htmx else "cases/section.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def case_cities(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The city field of one address row, for the country chosen in it."""
    case = _case(request, pk)
    prefix = request.GET.get("prefix", "")
    if not ROW_PREFIX.fullmatch(prefix):
        raise Http404
    country = request.GET.get(f"{prefix}-country", "")
    row = AddressForm(initial={"country": country}, prefix=prefix, tenant=case.tenant)
    return render(request, "cases/field.html", {"field": row["city"]})


def _following(section: Section) -> Section | None:
    position = ORDER.index(section) + 1
    return ORDER[position] if position < len(ORDER) else None


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return -1


def _apply_row_action(raw: dict[str, list[str]], action: str, spec: object) -> dict[str, list[str]]:
    kind, _sep, rest = action.partition(":")
    groups = {group.prefix: group for group in getattr(spec, "groups", ())}
    if kind == "add" and rest in groups:
        return rows_add(raw, rest, groups[rest].formset.max_num or 1)
    if kind == "remove":
        prefix, _sep, index = rest.partition(":")
        if prefix in groups and index.isdigit():
            return rows_remove(raw, prefix, int(index))
    return raw


def _steps(case: Case, current: Section) -> list[dict[str, object]]:
    steps = []
    for number, section in enumerate(ORDER, start=1):
        state = case.section_state(section)
        steps.append(
            {
                "number": number,
                "section": section,
                "label": section.label,
                "current": section is current,
                "saved": bool(state.get("saved")),
                "complete": bool(state.get("saved")) and not state.get("blocking"),
                "blocking": state.get("blocking", 0),
            }
        )
    return steps


@login_required
@require_GET
def case_review(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    sections = case_sections(case=case)
    calls = case_payloads(case=case, sections=sections)
    # Kept for Submit, which then sends exactly what this page shows (once per case version).
    submission_prepare(case=case, calls=calls)
    summary = [
        {
            "section": section,
            "bound": bound,
            "blocking": bound.check().blocking if bound.form.is_bound else [],
            "saved": bound.form.is_bound,
            "parts": bound.summary() if bound.form.is_bound else [],
        }
        for section, bound in sections.items()
    ]
    context = {
        "case": case,
        "summary": summary,
        "calls": [
            {"call": call, "json": json.dumps(call.body, indent=2, ensure_ascii=False)}
            for call in calls
        ],
        "steps": _steps(case, Section.ACTIVATION),
        "ready": all(not s["blocking"] and s["saved"] for s in summary)
        and not any(call.problems for call in calls),
        "submitted": case_submitted(case=case),
    }
    return render(request, "cases/review.html", context)
