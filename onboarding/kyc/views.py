import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onboarding.accounts.context_processors import request_staff
from onboarding.accounts.models import Tenant, User
from onboarding.accounts.permissions import Can, user_must, user_permissions
from onboarding.altafid.errors import AltafidError
from onboarding.cases.lifecycle import FIRST_ROUND, StepKind
from onboarding.cases.models import Case
from onboarding.cases.presenters import BodyReader
from onboarding.core.http import HtmxHttpRequest
from onboarding.core.inputs import search_clean, text_clean
from onboarding.documents.models import Document, DocumentKind
from onboarding.documents.rules import consent_in_force
from onboarding.documents.services import consent_of_case
from onboarding.kyc.figures import CHART_HEIGHT, CHART_WIDTH, review_figures
from onboarding.kyc.flags import Flag
from onboarding.kyc.forms import AGES, ASSIGNED, RATINGS, SORTS, ReviewQueueQuery, rating_level
from onboarding.kyc.hits import HitRefused, hits_figures, hits_of_case
from onboarding.kyc.models import (
    HitDecision,
    ReturnReason,
    Review,
    ReviewApproval,
    ReviewKind,
    ScreeningHit,
    ScreeningRun,
    Verdict,
)
from onboarding.kyc.presenters import (
    Shown,
    body_json,
    differences,
    documents_differences,
    evidence,
    overwrites,
    review_rows,
)
from onboarding.kyc.rating import reason_labels
from onboarding.kyc.services import (
    AttestationMissing,
    ReviewNotOpen,
    document_check,
    documents_seen,
    documents_to_verify,
    documents_unverified,
    kyc_authors,
    review_approvals,
    review_approve,
    review_assign,
    review_checks,
    review_flags,
    review_hit_decide,
    review_previous,
    review_release,
    review_return,
    reviews_for_user,
    reviews_waiting,
    reviews_waiting_owners,
)
from onboarding.submissions.duplicates import altafid_contact_now
from onboarding.submissions.models import Step
from onboarding.submissions.queueing import case_linked
from onboarding.submissions.reads import case_reading_for, cases_readings

PAGE_SIZE = 25


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _tenant(request: HtmxHttpRequest) -> Tenant:
    person, _role, tenant = request_staff(request)
    if tenant is None or person is None:
        raise Http404
    user_must(user=person, can=Can.SEE_REVIEWS, tenant=tenant)
    return tenant


def _review(request: HtmxHttpRequest, pk: int) -> Review:
    _tenant(request)
    return get_object_or_404(reviews_for_user(user=_user(request)), pk=pk)


@login_required
@require_GET
def review_queue(request: HtmxHttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    user = _user(request)
    filters = ReviewQueueQuery.read(request.GET)
    owner_id = filters["rm"] or 0
    flag = filters["flag"]
    older = filters["age"] or 0
    assigned = filters["assigned"]
    rating, sort = filters["rating"], filters["sort"]
    reviews = reviews_waiting(
        tenant=tenant,
        owner_id=owner_id,
        flag=flag,
        older_than_days=older,
        assigned=assigned,
        user=user,
        rating=rating_level(rating),
        by_rating=sort == "rating",
    )
    # The page's IDs first, from the index alone, then their rows: a late page then skips
    # index entries, not joined rows.
    page = Paginator(reviews.values_list("pk", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown = {review.pk: review for review in reviews.filter(pk__in=list(page.object_list))}
    page_reviews = [shown[pk] for pk in page.object_list if pk in shown]
    if not (owner_id or flag or older or assigned or rating):
        # The navigation shows the same count: no need to count again.
        request.reviews_waiting = page.paginator.count  # type: ignore[attr-defined]
    labels = dict(Flag.choices)
    now = timezone.now()
    readings = cases_readings(cases=[review.case for review in page_reviews], user=user)
    approvals: dict[int, list[ReviewApproval]] = {}
    for approval in ReviewApproval.objects.filter(
        review_id__in=[review.pk for review in page_reviews]
    ).select_related("officer"):
        approvals.setdefault(approval.review_id, []).append(approval)
    context = {
        "page": page,
        "rows": [
            (
                review,
                now - review.opened_at,
                [labels[code] for code in review.flag_codes],
                readings[review.case_id],
                reason_labels(review.rating_reasons),
                approvals.get(review.pk, []),
            )
            for review in page_reviews
        ],
        "filters": {
            "rm": owner_id,
            "flag": flag,
            "age": older,
            "assigned": assigned,
            "rating": rating,
            "sort": sort,
        },
        "rms": reviews_waiting_owners(tenant=tenant),
        "flags": Flag.choices,
        "ages": AGES,
        "assignments": ASSIGNED,
        "approved_by_me": {
            review_id
            for review_id, given in approvals.items()
            if any(approval.officer_id == user.pk for approval in given)
        },
        "ratings": RATINGS,
        "sorts": SORTS,
        "query": request.GET.urlencode(),
    }
    template = "kyc/queue.html#results" if request.htmx else "kyc/queue.html"
    return render(request, template, context)


@login_required
@require_GET
def review_figures_view(request: HtmxHttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    context = {
        "figures": review_figures(tenant=tenant),
        "hit_weeks": hits_figures(tenant=tenant),
        "chart_width": CHART_WIDTH,
        "chart_height": CHART_HEIGHT,
    }
    return render(request, "kyc/figures.html", context)


@login_required
@require_GET
def review_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    return render(request, "kyc/review.html", _review_context(request, review))


def _review_context(request: HtmxHttpRequest, review: Review, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    case = review.case
    may = user_permissions(user=user, case=case)
    flags = review_flags(case=case, step=review.step, picture=review.picture)
    previous = review_previous(review=review)
    sales = (
        Step.objects.filter(case=case, round=FIRST_ROUND, kind=StepKind.SALES)
        .only("payload")
        .first()
    )
    waiting = review.is_open
    reader = BodyReader(case.tenant)
    linked = case_linked(case) and review.step.round == FIRST_ROUND
    rows = review_rows(review.picture, flags, reader=reader)
    checks = review_checks(review=review)
    if waiting:
        documents = documents_to_verify(case=case)
        seen = documents_seen(case=case)
    else:
        # A decided review shows the documents it was decided on, as far as they are kept.
        seen = review.documents
        documents = list(Document.objects.filter(uid__in=[item["uid"] for item in seen], case=case))
    unverified = documents_unverified(documents, checks)
    posted = extra.get("posted")
    if posted is not None:
        # What the officer typed comes back with a refusal.
        for row in rows:
            row.note = posted.get(f"note:{row.key}", "")
    approvals = review_approvals(review=review)
    return {
        "review": review,
        "case": case,
        "reading": case_reading_for(case=case, user=user),
        "call": review.step.get_kind_display(),
        "compliance": review.step.kind == StepKind.COMPLIANCE,
        "linked": linked,
        **(_overwrites(case, review, reader) if linked and waiting else {}),
        "rows": rows,
        "evidence": evidence(rows, documents, checks),
        "consent": consent_of_case(case=case),
        "consent_stands": consent_in_force(case=case) is not None,
        "hits": hits_of_case(case=case),
        "screening_run": ScreeningRun.objects.filter(case=case).first(),
        "hit_decisions": HitDecision.choices,
        # Images of a client's documents are KYC data: an administrator, who sees reviews
        # with the values masked, sees which documents there are and their findings only.
        "previews": may[Can.SEE_KYC_VALUES],
        "unverified": unverified,
        "evidence_count": len(documents),
        "verdicts": Verdict.choices,
        "document_kinds": DocumentKind.choices,
        "documents_changed": documents_differences(previous.documents if previous else None, seen),
        "sales_rows": review_rows(sales.payload or {}, {}, reader=reader) if sales else [],
        # A review of the sales update itself shows its body once, in the first column.
        "sales_column": review.step.kind != StepKind.SALES,
        "body_json": body_json(review.body),
        "amendment": review.step.round != FIRST_ROUND,
        "previous": previous,
        "differences": differences(
            previous.picture if previous else None,
            review.picture,
            values_visible=may[Can.SEE_KYC_VALUES],
            reader=reader,
        ),
        "history": Review.objects.filter(case=case)
        .select_related("decided_by")
        .defer("body", "picture", "notes")
        .order_by("-opened_at", "-id"),
        "waiting": waiting,
        "may": may,
        "author": user.pk in kyc_authors(case=case),
        "mine": review.assignee_id == user.pk,
        "rating_reasons": reason_labels(review.rating_reasons),
        "approvals": approvals,
        "approved_by_me": any(approval.officer_id == user.pk for approval in approvals),
        "posted_reasons": posted.getlist("reasons") if posted is not None else [],
        "posted_missing": posted.getlist("missing") if posted is not None else [],
        "reasons": ReturnReason.choices,
        "reason_labels": dict(ReturnReason.choices),
        **extra,
    }


def _overwrites(case: Case, review: Review, reader: BodyReader) -> dict[str, Any]:
    """What approving would change in the contact Altafid already had, read from it now."""
    try:
        held = altafid_contact_now(case=case)
    except AltafidError:
        return {"overwrites_error": True}
    return {"overwrites": overwrites(held, [review.body], reader=reader)}


@login_required
@require_POST
def review_take(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    user = _user(request)
    try:
        if request.POST.get("action") == "release":
            review_release(review=review, user=user)
            messages.success(request, _("You released this review."))
        else:
            review_assign(review=review, user=user)
            messages.success(request, _("This review is yours."))
    except ReviewNotOpen as refused:
        messages.error(request, refused.message)
    next_page = request.POST.get("next", "")
    if next_page == "queue":
        return redirect("kyc:queue")
    return redirect("kyc:review", pk=review.pk)


@login_required
@require_POST
def review_decide(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    user = _user(request)
    digest = request.POST.get("digest", "")
    try:
        if request.POST.get("decision") == "approve":
            sealed = review_approve(
                review=review,
                user=user,
                digest=digest,
                attested=request.POST.get("attest") == "yes",
            )
            if review.kind == ReviewKind.SCREENING:
                messages.success(request, _("Review closed: every screening hit is decided."))
            elif sealed:
                messages.success(
                    request,
                    _("Approved: the %(call)s is on its way to Altafid.")
                    % {"call": review.step.get_kind_display().lower()},
                )
            else:
                messages.success(
                    request,
                    _(
                        "Your approval is recorded. This case is rated high risk: a second "
                        "compliance officer must approve it too."
                    ),
                )
            return redirect("kyc:queue")
        review_return(
            review=review,
            user=user,
            digest=digest,
            reasons=request.POST.getlist("reasons"),
            comment=text_clean(request.POST.get("comment", "")),
            field_notes={
                search_clean(name.removeprefix("note:"), max_length=200): text_clean(
                    request.POST.get(name, "")
                )
                for name in request.POST
                if name.startswith("note:")
            },
            missing=request.POST.getlist("missing"),
        )
    except ReviewNotOpen as refused:
        if isinstance(refused, AttestationMissing):
            # Said at the checkbox, not at the top of the page.
            context = _review_context(
                request, review, attest_error=refused.message, posted=request.POST
            )
        else:
            context = _review_context(request, review, refused=refused.message, posted=request.POST)
        return render(request, "kyc/review.html", context, status=refused.status)
    returned = _("Returned to %(rm)s with your reasons.") % {"rm": review.case.owner}
    messages.success(request, returned)
    return redirect("kyc:queue")


@login_required
@require_POST
def review_document_check(request: HtmxHttpRequest, pk: int, uid: uuid.UUID) -> HttpResponse:
    """The officer's finding on one document: htmx swaps the document's finding in place."""
    review = _review(request, pk)
    document = get_object_or_404(Document, uid=uid, case_id=review.case_id)
    user = _user(request)
    refused = ""
    try:
        document_check(
            review=review,
            document=document,
            user=user,
            verdict=request.POST.get("verdict", ""),
            note=text_clean(request.POST.get("note", "")),
        )
    except ReviewNotOpen as refusal:
        refused = refusal.message
    if request.htmx:
        review.refresh_from_db()
        checks = review_checks(review=review)
        waiting = review.is_open
        context = {
            "review": review,
            "item": Shown(
                document,
                checks.get(document.pk),
                [*range(1, document.pages + 1)],
            ),
            "waiting": waiting,
            "may": user_permissions(user=user, case=review.case),
            "verdicts": Verdict.choices,
            "check_refused": refused,
            # The count of documents still to verify, swapped in out of band.
            "oob": True,
            "unverified": documents_unverified(documents_to_verify(case=review.case), checks),
            "evidence_count": True,
        }
        return render(request, "kyc/review.html#check", context, status=409 if refused else 200)
    if refused:
        messages.error(request, refused)
    else:
        messages.success(request, _("Your finding on the document is recorded."))
    return redirect(f"{reverse('kyc:review', args=[review.pk])}#document-{document.uid}")


@login_required
@require_POST
def review_hit(request: HtmxHttpRequest, pk: int, hit_pk: int) -> HttpResponse:
    """The officer's decision on one screening hit: htmx swaps the hit in place."""
    review = _review(request, pk)
    hit = get_object_or_404(ScreeningHit, pk=hit_pk, case_id=review.case_id)
    user = _user(request)
    typed = {
        "decision": request.POST.get("decision", ""),
        "reason": text_clean(request.POST.get("reason", "")),
    }
    refused = ""
    try:
        hit = review_hit_decide(review=review, hit=hit, user=user, **typed)
    except HitRefused as refusal:
        refused = refusal.message
    if request.htmx:
        review.refresh_from_db()
        context = {
            "review": review,
            "hit": hit,
            "hit_decisions": HitDecision.choices,
            "hit_refused": refused,
            # What was typed stays in the form when the decision is refused.
            "hit_typed": typed if refused else None,
            "may": user_permissions(user=user, case=review.case),
            # The decision may change the rating: swapped in out of band.
            "oob": True,
            "rating_reasons": reason_labels(review.rating_reasons),
        }
        return render(request, "kyc/review.html#hit", context, status=409 if refused else 200)
    if refused:
        messages.error(request, refused)
    else:
        messages.success(request, _("Your decision on the hit is recorded."))
    return redirect(f"{reverse('kyc:review', args=[review.pk])}#hit-{hit.pk}")
