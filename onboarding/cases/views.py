import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from onboarding.accounts.models import User
from onboarding.accounts.permissions import Can, user_may, user_must, user_permissions
from onboarding.accounts.services import tenant_for_request
from onboarding.altafid.errors import AltafidError
from onboarding.audit.services import case_events
from onboarding.cases.forms import AddressForm, CaseListQuery, DifferentPersonForm
from onboarding.cases.lifecycle import (
    LISTED,
    SECTIONS,
    UNSENT,
    CaseStatus,
    ErasureReason,
    Phase,
    Section,
    StepKind,
    Worklist,
    phase_kinds,
)
from onboarding.cases.middleware import case_or_404
from onboarding.cases.models import Case, DuplicateDecision
from onboarding.cases.presenters import (
    BodyReader,
    case_timeline,
    field_label,
    plan_calls,
    review_summary,
)
from onboarding.cases.searches import search_recall, search_remember
from onboarding.cases.sections import SPECS, errors_described, lookup_kinds, raw_data
from onboarding.cases.services import (
    CaseVersionConflict,
    DraftRefused,
    RemovedRow,
    RowChange,
    SectionLocked,
    case_conflict,
    case_conflict_apply,
    case_discard,
    case_duplicates_local,
    case_owner_candidates,
    case_reassign,
    case_removed_row,
    case_section_bind,
    case_section_save,
    case_start,
    case_steps_states,
    cases_search,
    section_check_editable,
)
from onboarding.core.http import HtmxHttpRequest
from onboarding.kyc.presenters import Note, overwrites
from onboarding.kyc.services import returned_counts, review_returned
from onboarding.lookups.services import lookups_retry
from onboarding.submissions.duplicates import (
    altafid_contact_now,
    altafid_matches,
    altafid_matches_early,
)
from onboarding.submissions.models import Step
from onboarding.submissions.plans import Plan, submission_plan
from onboarding.submissions.queueing import case_linked
from onboarding.submissions.reads import (
    STOPPED_WORKLISTS,
    case_progress,
    case_reading_for,
    cases_readings,
    cases_stopped,
    section_refusal,
)
from onboarding.submissions.services import (
    CaseChangedSinceReview,
    CaseNotReady,
    ContactHeld,
    DecisionNotAllowed,
    case_submit,
    contact_decide,
)

PAGE_SIZE = 20

HISTORY_PAGE_SIZE = 25
# "Try again" beside a list Altafid could not give: a save (nothing typed is lost) that asks
# Altafid for the section's lists at once; a read-only section's link asks with a GET.
RETRY_LOOKUPS = "lookups-retry"
ROW_PREFIX = re.compile(r"[a-z]+-\d{1,2}")


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _case(request: HtmxHttpRequest, pk: int) -> Case:
    return case_or_404(user=_user(request), pk=pk)


def _section(value: str) -> Section:
    try:
        return Section(value)
    except ValueError:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def case_list(request: HtmxHttpRequest) -> HttpResponse:
    """The list, searched by a POST: a name, e-mail or identity number never sits in a URL
    (nor in an access log or the browser's history); the term waits in the session,
    encrypted (`searches.py`)."""
    tenant = tenant_for_request(request=request)
    if tenant is None:
        raise Http404
    source = request.POST if request.method == "POST" else request.GET
    filters = CaseListQuery.read(source)
    status = filters["status"]
    if request.method == "POST":
        query = filters["q"]
        search_remember(session=request.session, tenant_id=tenant.pk, term=query)
        where = reverse("cases:list") + f"?status={status}&search=1"
        if not request.htmx:
            return redirect(where)
    else:
        searched = request.GET.get("search") == "1"
        query = search_recall(session=request.session, tenant_id=tenant.pk) if searched else ""
    cases = cases_search(user=_user(request), tenant=tenant, query=query, status=status)
    if status in STOPPED_WORKLISTS:
        cases = cases_stopped(cases=cases, worklist=status)
    steps = Prefetch(
        "steps",
        queryset=Step.objects.only("case", "round", "kind", "position", "state", "tries"),
    )
    page = Paginator(cases.prefetch_related(steps), PAGE_SIZE).get_page(request.GET.get("page"))
    user = _user(request)
    to_fix = returned_counts(
        case_ids=[case.pk for case in page.object_list if case.status == CaseStatus.RETURNED]
    )
    readings = cases_readings(cases=page.object_list, user=user)
    context = {
        "page": page,
        "rows": [
            (
                case,
                case_progress(steps=case.steps.all()),
                user_may(user=user, can=Can.CHANGE, case=case),
                to_fix.get(case.pk, 0),
                readings[case.pk],
            )
            for case in page.object_list
        ],
        "query": query,
        "status": status,
        "statuses": [(s.value, s.label) for s in LISTED],
        "worklists": Worklist.choices,
    }
    template = "cases/case_list.html#results" if request.htmx else "cases/case_list.html"
    response = render(request, template, context)
    if request.htmx and request.method == "POST":
        response["HX-Push-Url"] = where
    return response


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HtmxHttpRequest) -> HttpResponse:
    """An empty Client section: the onboarding is created by its first save, not before."""
    tenant = tenant_for_request(request=request)
    if tenant is None:
        raise Http404
    user_must(user=_user(request), can=Can.START, tenant=tenant)
    case = Case(tenant=tenant, owner=_user(request), updated_by=_user(request))
    if request.method == "POST":
        return _section_post(request, case, Section.CLIENT)
    bound = case_section_bind(case=case, section=Section.CLIENT)
    return _section_render(request, case, Section.CLIENT, bound)


@login_required
@require_GET
def case_overview(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    user = _user(request)
    may = user_permissions(user=user, case=case)
    steps = case_steps_states(case=case)
    context = {
        "case": case,
        "reading": case_reading_for(case=case, user=user),
        "may": may,
        "can_discard": may[Can.CHANGE] and case.status in UNSENT and not steps,
        "erase_reasons": [
            (value, label)
            for value, label in ErasureReason.choices
            if value != ErasureReason.RETENTION
        ],
        "candidates": case_owner_candidates(case=case) if may[Can.REASSIGN] else [],
        "submitted": bool(steps),
        "timeline": case_timeline(events=case_events(case=case)[:HISTORY_PAGE_SIZE]),
        "more_history": case_events(case=case).count() > HISTORY_PAGE_SIZE,
    }
    return render(request, "cases/overview.html", context)


@login_required
@require_GET
def case_resume(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Where the case's sections open: where it was left, or, returned by compliance, the
    first section with a note (every link to a case that waits for its RM comes here)."""
    case = _case(request, pk)
    returned = review_returned(case=case) if case.status == CaseStatus.RETURNED else None
    section = returned.first_section.value if returned else case.current_section
    return redirect("cases:section", pk=case.pk, section=section)


@login_required
@require_GET
def case_history(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The case's audit trail, newest first; htmx loads each next page under the last."""
    case = _case(request, pk)
    page = Paginator(case_events(case=case), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"case": case, "page": page, "timeline": case_timeline(events=page.object_list)}
    template = "cases/history.html#events" if request.htmx else "cases/history.html"
    return render(request, template, context)


@login_required
@require_POST
def case_discard_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that this draft is discarded."))
        return redirect("cases:overview", pk=case.pk)
    try:
        case_discard(case=case, user=_user(request))
    except SectionLocked as refused:
        messages.error(request, refused.message)
        return redirect("cases:overview", pk=case.pk)
    messages.success(request, _("The draft was discarded."))
    return redirect("cases:list")


@login_required
@require_POST
def case_reassign_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    owner = User.objects.filter(pk=_int(request.POST.get("owner"))).first()
    try:
        if owner is None:
            raise SectionLocked(_("Choose an active relationship manager of this tenant."))
        case_reassign(case=case, user=_user(request), owner=owner)
    except SectionLocked as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The onboarding now belongs to %(name)s.") % {"name": owner})
    return redirect("cases:overview", pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def case_section(request: HtmxHttpRequest, pk: int, section: str) -> HttpResponse:
    case = _case(request, pk)
    current = _section(section)
    if request.method == "POST":
        return _section_post(request, case, current)
    if request.GET.get("lookups") == "retry":
        lookups_retry(tenant=case.tenant, kinds=lookup_kinds(SPECS[current]))
    conflict = None
    conflict_id = _int(request.GET.get("conflict"))
    if conflict_id > 0:
        conflict = case_conflict(
            case=case, section=current, revision_id=conflict_id, user=_user(request)
        )
    raw = conflict.revision.raw if conflict else None
    bound = case_section_bind(case=case, section=current, raw=raw)
    if bound.form.is_bound:
        bound.check()
    version = conflict.revision.case_version if conflict else case.version
    return _section_render(
        request,
        case,
        current,
        bound,
        conflict=conflict,
        version=version,
        stopped=request.GET.get("stopped") == "1",
        status=409 if conflict else 200,
    )


def _section_post(request: HtmxHttpRequest, case: Case, current: Section) -> HttpResponse:
    """Saves the section as sent (a new onboarding's first save creates it). "next" moves on
    only when nothing is left to fix here; "next-anyway" moves on regardless."""
    user = _user(request)
    spec = SPECS[current]
    action = request.POST.get("action", "save")
    if action == RETRY_LOOKUPS:
        # The save below reads the section, and with it asks Altafid for these lists again.
        lookups_retry(tenant=case.tenant, kinds=lookup_kinds(spec))
    following = _following(current)
    moving = action in ("next", "next-anyway")
    try:
        if case.pk is None:
            started = case_start(
                tenant=case.tenant,
                owner=user,
                raw=raw_data(request.POST, spec),
                resume_at=following if moving else None,
                autosave=action == "autosave",
                strict=action == "next",
            )
            if started is None:
                if action == RETRY_LOOKUPS:
                    url = reverse("cases:new")
                    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
                return _nothing_entered(request, action)
            result = started
        elif action == "apply":
            result = case_conflict_apply(
                case=case,
                section=current,
                revision_id=_int(request.POST.get("conflict")),
                user=user,
            )
        else:
            result = case_section_save(
                case=case,
                section=current,
                raw=raw_data(request.POST, spec),
                version=_int(request.POST.get("version")),
                user=user,
                resume_at=following if moving else None,
                autosave=action == "autosave",
                strict=action == "next",
                rows=_row_change(action),
            )
    except CaseVersionConflict as error:
        if error.revision is not None and not request.htmx:
            url = reverse("cases:section", args=[case.pk, current.value])
            return redirect(f"{url}?conflict={error.revision.pk}")
        raw = raw_data(request.POST, spec)
        bound = case_section_bind(case=error.case, section=current, raw=raw).check()
        conflict = (
            case_conflict(
                case=error.case, section=current, revision_id=error.revision.pk, user=user
            )
            if error.revision is not None
            else None
        )
        return _section_render(
            request,
            error.case,
            current,
            bound,
            conflict=conflict,
            stale=True,
            version=_int(request.POST.get("version")),
            status=409,
            autosave=action == "autosave",
        )
    except SectionLocked as locked:
        bound = case_section_bind(case=case, section=current, raw=raw_data(request.POST, spec))
        return _section_render(
            request, case, current, bound.check(), locked=locked.message, status=409
        )
    except DraftRefused as refused:
        if request.htmx:
            return HttpResponse(refused.message, status=400, content_type="text/plain")
        # Nothing typed is lost: the page comes back with the entries as they were sent.
        bound = case_section_bind(case=case, section=current, raw=raw_data(request.POST, spec))
        return _section_render(
            request, case, current, bound.check(), refused=refused.message, status=400
        )
    started_now = case.pk is None
    case = result.case
    here = reverse("cases:section", args=[case.pk, current.value])
    if action == "resubmit":
        return _resubmit(request, case, current)
    if moving and (action == "next-anyway" or not result.bound.blocking):
        url = (
            reverse("cases:section", args=[case.pk, following.value])
            if following
            else reverse("cases:review", args=[case.pk])
        )
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if action == "next":
        # Something is left to fix: the section stays, its list of what to fix on top.
        if not request.htmx:
            return redirect(f"{here}?stopped=1#to-fix")
        if started_now:
            return HttpResponseClientRedirect(f"{here}?stopped=1#to-fix")
    if (started_now and action != "autosave") or not request.htmx:
        if result.undo_refused:
            messages.warning(request, _no_room())
        messages.success(
            request, _saved_message(result.sent, returned=case.status == CaseStatus.RETURNED)
        )
        return HttpResponseClientRedirect(here) if request.htmx else redirect(here)
    response = _section_render(
        request,
        case,
        current,
        result.bound,
        sent=result.sent,
        autosave=action == "autosave",
        stopped=action == "next",
        undo_refused=result.undo_refused,
    )
    if started_now:
        # The page typed in so far becomes the onboarding's own (section-autosave.js).
        response["HX-Replace-Url"] = here
    return response


def _no_room() -> str:
    return _("There is no room to bring the row back: remove another row first.")


def _nothing_entered(request: HtmxHttpRequest, action: str) -> HttpResponse:
    """A new onboarding's save with nothing entered: nothing is created, nothing changes."""
    if request.htmx and action == "autosave":
        return HttpResponse(status=204)
    messages.info(request, _("Nothing is entered yet: an onboarding is kept once it has a value."))
    url = reverse("cases:new")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _resubmit(request: HtmxHttpRequest, case: Case, current: Section) -> HttpResponse:
    """Saves the section and sends a returned case back for its KYC review: the one button
    for the RM, on every section. It sends every change made since the return, in any
    section (`submission_plan`); the compliance officer reviews exactly that.
    """
    if case.status != CaseStatus.RETURNED:
        messages.info(request, _("This onboarding is no longer returned: see where it stands."))
        url = reverse("submissions:status", args=[case.pk])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    try:
        case_submit(case=case, user=_user(request), digest=submission_plan(case=case).digest)
    except CaseNotReady as refused:
        for problem in refused.problems:
            messages.error(request, problem)
        url = reverse("cases:section", args=[case.pk, current.value])
    except CaseChangedSinceReview:
        messages.warning(request, _("Someone changed this onboarding meanwhile. Try again."))
        url = reverse("cases:section", args=[case.pk, current.value])
    else:
        messages.success(
            request,
            _(
                "Sent back for review with every change since the return: a compliance "
                "officer approves it before Altafid gets it."
            ),
        )
        url = reverse("submissions:status", args=[case.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _note_href(case: Case, current: Section, note: Note) -> str:
    """A link to the field an officer's note is about, on its section's page."""
    if note.section is None or not note.anchor:
        return ""
    if note.section is current:
        return f"#{note.anchor}"
    return reverse("cases:section", args=[case.pk, note.section.value]) + f"#{note.anchor}"


def _saved_message(sent: bool, *, returned: bool = False) -> str:
    if returned:
        return _("Saved. When everything compliance noted is fixed, press “Send back for review”.")
    if sent:
        return _(
            "Saved. Altafid already has this section: review and submit the changes to send them."
        )
    return _("Draft saved.")


def _section_render(
    request: HtmxHttpRequest,
    case: Case,
    current: Section,
    bound: Any,
    *,
    conflict: Any = None,
    stale: bool = False,
    locked: str = "",
    refused: str = "",
    sent: bool = False,
    autosave: bool = False,
    stopped: bool = False,
    undo_refused: bool = False,
    version: int | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    started = case.pk is not None
    steps = case_steps_states(case=case) if started else []
    if not locked:
        try:
            section_check_editable(case=case, section=current, steps=steps)
        except SectionLocked as refused:
            locked = refused.message
    may = user_permissions(user=user, case=case)
    if locked or not may[Can.CHANGE]:
        bound.read_only()
    form_url = (
        reverse("cases:section", args=[case.pk, current.value]) if started else reverse("cases:new")
    )
    if started:
        bound.follow_countries(reverse("cases:cities", args=[case.pk]))
    if bound.editable:
        bound.refresh_on_change(form_url)
    refusal = section_refusal(case=case, section=current, steps=steps) if started else None
    if refusal and refusal.current and bound.form.is_bound:
        bound.refused(refusal.errors)
    returned = review_returned(case=case) if started else None
    if returned is not None:
        bound.noted([n for n in returned.notes if n.section is current], by=_("Compliance"))
    removed = case_removed_row(case=case, section=current) if started and bound.editable else None
    context = {
        "case": case,
        "form_url": form_url,
        "bound": bound,
        "section": current,
        "steps": _stepper(case, current),
        "to_fix": _to_fix(bound, case) if bound.form.is_bound else [],
        "stopped": stopped,
        "removed": removed,
        "removed_label": _removed_label(current, removed),
        "no_room": _no_room() if undo_refused else "",
        "conflict": conflict,
        "conflict_fields": [field_label(name) or name for name in conflict.theirs]
        if conflict
        else [],
        "stale": stale,
        "locked": locked,
        "refused": refused,
        "may": may,
        "sent": sent or any(s.state == "succeeded" for s in steps),
        "version": case.version if version is None else version,
        "next_section": _following(current),
        "refusal": refusal,
        "returned": returned,
        "returned_notes": [(note, _note_href(case, current, note)) for note in returned.notes]
        if returned
        else [],
        "duplicates": (
            case_duplicates_local(case=case, user=_user(request))
            if current is Section.CLIENT and started
            else []
        ),
    }
    if request.htmx and autosave:
        # Only the save state, the version and the stepper change: the fields keep focus.
        return render(request, "cases/section.html#autosaved", context, status=status)
    template = "cases/section.html#section-form" if request.htmx else "cases/section.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def case_matches(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Whether Altafid already has this client, asked as soon as the Client section holds an
    identity number or an e-mail: the notice the section loads after it shows (htmx), or,
    without JavaScript, the review page's decision."""
    case = _case(request, pk)
    if not request.htmx:
        return redirect(reverse("cases:review", args=[case.pk]) + "#matches")
    context = {
        "case": case,
        "matches": altafid_matches_early(case=case, user=_user(request)),
        "may": user_permissions(user=_user(request), case=case),
    }
    return render(request, "cases/section.html#altafid-matches", context)


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
    position = SECTIONS.index(section) + 1
    return SECTIONS[position] if position < len(SECTIONS) else None


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return -1


def _row_change(action: str) -> RowChange | None:
    """ "add:<group>", "remove:<group>:<row>" or "undo:<group>" as a change of rows."""
    kind, _sep, rest = action.partition(":")
    prefix, _sep, index = rest.partition(":")
    if kind in ("add", "undo") and prefix:
        return RowChange(kind, prefix)
    if kind == "remove" and prefix and index.isdecimal() and len(index) < 4:
        return RowChange(kind, prefix, int(index))
    return None


def _removed_label(section: Section, removed: RemovedRow | None) -> str:
    """ "Address 1 (Avenida Apoquindo)": the row as it was numbered, and its first text."""
    groups = {group.prefix: group for group in SPECS[section].groups}
    group = groups.get(removed.prefix) if removed else None
    if removed is None or group is None:
        return ""
    label = f"{group.row_title} {removed.index + 1}"
    fields = group.formset.form.base_fields
    texts = (
        value.strip()
        for name, field in fields.items()
        if isinstance(field, forms.CharField)
        for value in removed.values.get(name, [])[:1]
    )
    first = next((text for text in texts if text), "")
    return f"{label} ({first[:60]})" if first else label


def _to_fix(bound: Any, case: Case) -> list[tuple[str, str, str]]:
    """(where, what, a link to where it is fixed) for each thing to fix in the section, in
    page order; an unmet completeness rule fixed in another section links there."""
    found: list[tuple[str, str, str]] = []
    for number, (part, rows) in enumerate(bound.summary()):
        for row in rows:
            label = row.label if number == 0 else f"{part}: {row.label}"
            found.extend((label, error, f"#{row.anchor}") for error in row.errors)
    links = {
        unmet.message: unmet.href(case.pk)
        if unmet.rule.target.section != bound.section
        else f"#{unmet.anchor}"
        for unmet in bound.unmet
    }
    found.extend(
        (label, message, links.get(message, "")) for label, message in bound.unplaced_errors
    )
    return found


def _stepper(case: Case, current: Section | None) -> list[dict[str, object]]:
    steps = []
    for number, section in enumerate(SECTIONS, start=1):
        state = case.section_state(section)
        steps.append(
            {
                "number": number,
                "section": section,
                "label": section.label,
                "current": section is current,
                "saved": bool(state.get("saved")),
                "complete": bool(state.get("saved"))
                and not state.get("blocking")
                and state.get("filled", True),
                "empty": bool(state.get("saved")) and not state.get("filled", True),
                "blocking": state.get("blocking", 0),
            }
        )
    return steps


@login_required
@require_GET
def case_review(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """What Submit would send, section by section and call by call. Writes nothing."""
    return _review_page(request, _case(request, pk))


def _review_page(
    request: HtmxHttpRequest,
    case: Case,
    *,
    different: DifferentPersonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    plan = submission_plan(case=case)
    may = user_permissions(user=user, case=case)
    matches = altafid_matches(case=case, plan=plan, user=user)
    context = {
        "case": case,
        "reading": case_reading_for(case=case, user=user),
        "plan": plan,
        "may": may,
        **_linked_contact(case, plan),
        "summary": review_summary(plan=plan, case_id=case.pk),
        "calls": plan_calls(plan=plan, tenant=case.tenant),
        "steps": _stepper(case, None),
        "duplicates": case_duplicates_local(case=case, user=user),
        "matches": matches,
        "different": different or DifferentPersonForm(),
        "can_submit": may[Can.CHANGE]
        and plan.ready
        and case.status not in (CaseStatus.SUBMITTED,)
        and not (matches and matches.undecided),
    }
    return render(request, "cases/review.html", context, status=status)


def _linked_contact(case: Case, plan: Plan) -> dict[str, Any]:
    """For a case linked to a contact Altafid already had, before its first submission: what
    its calls would change in that contact, Altafid's values beside them."""
    if not case_linked(case) or plan.amendment or case.steps.exists():
        return {}
    try:
        held = altafid_contact_now(case=case)
    except AltafidError:
        return {"linked": True, "overwrites_error": True}
    submitted = phase_kinds(Phase.SUBMIT)
    bodies = [
        call.body or {}
        for call in plan.sends
        if call.kind in submitted and call.kind != StepKind.CREATE
    ]
    return {"linked": True, "overwrites": overwrites(held, bodies, reader=BodyReader(case.tenant))}


@login_required
@require_POST
def case_contact_decide(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The RM's decision about a contact Altafid already has: link the case to it, or not."""
    case = _case(request, pk)
    user_must(user=_user(request), can=Can.CHANGE, case=case)
    plan = submission_plan(case=case)
    matches = altafid_matches(case=case, plan=plan, user=_user(request))
    decision = request.POST.get("decision", "")
    if decision not in (DuplicateDecision.LINKED, DuplicateDecision.NEW_CONTACT):
        messages.error(request, _("Choose whether to link this onboarding to the contact."))
        return redirect("cases:review", pk=case.pk)
    if matches is None or matches.error:
        messages.error(request, _("Altafid could not be searched just now; try again in a moment."))
        return redirect("cases:review", pk=case.pk)
    different = DifferentPersonForm(request.POST)
    if decision == DuplicateDecision.NEW_CONTACT and not different.is_valid():
        errors_described(different)
        return _review_page(request, case, different=different, status=422)
    try:
        contact_decide(
            case=case,
            user=_user(request),
            decision=DuplicateDecision(decision),
            contact_uuid=request.POST.get("contact", ""),
            candidates=[candidate.contact.contact_uuid for candidate in matches.contacts],
            reason=(
                different.cleaned_data["reason"]
                if decision == DuplicateDecision.NEW_CONTACT
                else ""
            ),
        )
    except ContactHeld as held:
        messages.error(request, held.message)
    except DecisionNotAllowed:
        messages.error(request, _("This decision can no longer be made for this onboarding."))
    else:
        if decision == DuplicateDecision.LINKED:
            messages.success(
                request,
                _("Linked: Submit updates that contact in Altafid instead of creating one."),
            )
        else:
            messages.success(request, _("Recorded: Submit creates a new contact for this client."))
    return redirect("cases:review", pk=case.pk)
