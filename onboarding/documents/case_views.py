"""The RM's documents page of a case: the files attached per kind, with their previews, and
the client's consent. Anyone who sees the case sees the page; only its owner changes it
(the services refuse anyone else with 403).

Every form works without JavaScript (a POST, then a redirect with a message); with htmx the
documents area is swapped in place (`case_documents.html#area`). A refused file is shown
beside its upload field (422 without htmx) and nothing already attached is touched.
"""

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from onboarding.accounts.models import User
from onboarding.accounts.permissions import Can, user_must, user_permissions
from onboarding.cases.middleware import case_or_404
from onboarding.cases.models import Case
from onboarding.cases.services import case_sections
from onboarding.core.http import HtmxHttpRequest
from onboarding.documents.files import FileRefused
from onboarding.documents.models import ConsentMethod, Document, DocumentKind
from onboarding.documents.rules import (
    CONSENT,
    documents_missing,
    documents_required,
)
from onboarding.documents.services import (
    consent_of_case,
    consent_record,
    document_attach,
    document_remove,
    document_restore,
    documents_of_case,
)
from onboarding.documents.uploads import DocumentUploadHandler

ACCEPT = "image/jpeg,image/png,image/heic,image/heif,application/pdf"
# The kinds the RM attaches on the page; a signed consent form is attached in the consent block.
KINDS = (DocumentKind.IDENTITY, DocumentKind.ADDRESS, DocumentKind.WEALTH, DocumentKind.OTHER)
HINTS = {
    DocumentKind.IDENTITY: gettext_lazy("Both sides of a cédula, or the photo page of a passport."),
    DocumentKind.ADDRESS: gettext_lazy(
        "A recent utility bill or bank statement with the client's address."
    ),
    DocumentKind.WEALTH: gettext_lazy("Evidence of where the client's wealth or funds come from."),
    DocumentKind.OTHER: gettext_lazy("Anything else compliance should see; give it a title."),
    DocumentKind.CONSENT: gettext_lazy("The consent form the client signed."),
}
TEMPLATE = "documents/case_documents.html"
# Files taken from one upload; more are left out.
MAX_FILES = 10


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _document(case: Case, uid: Any) -> Document:
    try:
        uid = uuid.UUID(str(uid))
    except ValueError:
        raise Http404 from None
    document = Document.objects.filter(case=case, uid=uid).first()
    if document is None:
        raise Http404
    return document


def _undoable(case: Case, live: list[Document]) -> list[Document]:
    """The documents removed since the last attach: "Undo" brings them back."""
    latest = max((document.uploaded_at for document in live), default=None)
    removed = Document.objects.filter(
        case=case, removed_at__isnull=False, replaced_by__isnull=True
    ).order_by("-removed_at")
    if latest is not None:
        removed = removed.filter(removed_at__gt=latest)
    return list(removed)


def _context(
    request: HtmxHttpRequest, case: Case, *, refused: dict[str, str] | None = None
) -> dict[str, Any]:
    user = _user(request)
    sections = case_sections(case=case)
    required = {
        requirement.kind for requirement in documents_required(case=case, sections=sections)
    }
    missing = {
        item.requirement.kind: item for item in documents_missing(case=case, sections=sections)
    }
    live = list(documents_of_case(case=case))
    kinds = [
        {
            "kind": kind,
            "label": kind.label,
            "hint": HINTS[kind],
            "required": kind.value in required,
            "missing": missing.get(kind.value),
            "documents": [document for document in live if document.kind == kind],
            "refused": (refused or {}).get(kind.value, ""),
        }
        for kind in KINDS
    ]
    consent = consent_of_case(case=case)
    return {
        "case": case,
        "may": user_permissions(user=user, case=case),
        "kinds": kinds,
        "undoable": _undoable(case, live),
        "accept": ACCEPT,
        "consent": consent,
        "consent_missing": missing.get(CONSENT),
        "consent_forms": [document for document in live if document.kind == DocumentKind.CONSENT],
        "consent_refused": (refused or {}).get(CONSENT, ""),
        "notice_version": case.tenant.privacy_notice_version,
        "methods": ConsentMethod.choices,
        "today": timezone.localdate(),
    }


def _page(
    request: HtmxHttpRequest,
    case: Case,
    *,
    refused: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _context(request, case, refused=refused)
    if request.htmx:
        # htmx swaps only 2xx answers here; the message stands beside the field either way.
        return render(request, f"{TEMPLATE}#area", context)
    return render(request, TEMPLATE, context, status=status)


def _done(request: HtmxHttpRequest, case: Case, message: str) -> HttpResponse:
    if request.htmx:
        return _page(request, case)
    messages.success(request, message)
    return redirect("case_documents:page", pk=case.pk)


@login_required
@require_GET
def case_documents(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _page(request, case_or_404(user=_user(request), pk=pk))


def _kind(value: str) -> DocumentKind:
    try:
        return DocumentKind(value)
    except ValueError:
        raise Http404 from None


@csrf_exempt
@login_required
@require_POST
def document_upload(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Attaches each chosen file to the kind; "Replace" sends the document it replaces."""
    # The upload handler is chosen before the body is read, so the CSRF check comes after.
    request.upload_handlers = [DocumentUploadHandler(request)]
    return _document_upload(request, pk)


@csrf_protect
def _document_upload(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    case = case_or_404(user=_user(request), pk=pk)
    user = _user(request)
    user_must(user=user, can=Can.CHANGE, case=case)
    kind = _kind(request.POST.get("kind", ""))
    slot = CONSENT if kind == DocumentKind.CONSENT else kind.value
    title = request.POST.get("title", "").strip()[:200]
    replacing = (
        _document(case, request.POST["replacing"]) if request.POST.get("replacing") else None
    )
    files: list[UploadedFile] = request.FILES.getlist("file")[:MAX_FILES]
    if not files:
        return _page(request, case, refused={slot: _("Choose a file to attach.")}, status=422)
    if kind == DocumentKind.OTHER and not title:
        return _page(request, case, refused={slot: _("Give the document a title.")}, status=422)
    for attached, upload in enumerate(files):
        try:
            document_attach(
                case=case,
                user=user,
                kind=kind,
                data=upload.read(),
                title=title,
                replacing=replacing if attached == 0 else None,
            )
        except FileRefused as refused:
            message = refused.message
            if attached:
                message = _("%(count)s attached; the next was refused: %(reason)s") % {
                    "count": attached,
                    "reason": refused.message,
                }
            return _page(request, case, refused={slot: message}, status=422)
    return _done(request, case, _("Attached.") if replacing is None else _("Replaced."))


@login_required
@require_POST
def document_remove_view(request: HtmxHttpRequest, pk: int, uid: Any) -> HttpResponse:
    case = case_or_404(user=_user(request), pk=pk)
    document_remove(case=case, user=_user(request), document=_document(case, uid))
    return _done(request, case, _("Removed. Undo brings it back."))


@login_required
@require_POST
def document_restore_view(request: HtmxHttpRequest, pk: int, uid: Any) -> HttpResponse:
    case = case_or_404(user=_user(request), pk=pk)
    document_restore(case=case, user=_user(request), document=_document(case, uid))
    return _done(request, case, _("Brought back."))


@login_required
@require_POST
def consent_record_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Records how and when the client consented; a signed form is one of the case's
    consent documents."""
    case = case_or_404(user=_user(request), pk=pk)
    user = _user(request)
    user_must(user=user, can=Can.CHANGE, case=case)
    try:
        method = ConsentMethod(request.POST.get("method", ""))
    except ValueError:
        return _page(
            request, case, refused={CONSENT: _("Say how the client consented.")}, status=422
        )
    try:
        given_at = datetime.date.fromisoformat(request.POST.get("given_at", ""))
    except ValueError:
        return _page(
            request, case, refused={CONSENT: _("Enter the date the consent was given.")}, status=422
        )
    if given_at > timezone.localdate():
        return _page(
            request,
            case,
            refused={CONSENT: _("The consent cannot be given in the future.")},
            status=422,
        )
    document = None
    if method == ConsentMethod.SIGNED_FORM:
        uid = request.POST.get("document", "")
        chosen = _document(case, uid) if uid else None
        document = (
            chosen
            if chosen is not None
            and chosen.kind == DocumentKind.CONSENT
            and chosen.removed_at is None
            else None
        )
        if document is None:
            return _page(
                request,
                case,
                refused={CONSENT: _("Attach the signed consent form first, then choose it.")},
                status=422,
            )
    consent_record(
        case=case,
        user=user,
        notice_version=case.tenant.privacy_notice_version,
        given_at=given_at,
        method=method,
        document=document,
    )
    return _done(request, case, _("Consent recorded."))
