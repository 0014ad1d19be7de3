"""A document's file and page previews, for the people who may see its case.

The bytes are personal data: never cached (`no-store`), sent with the type they were stored
with and `nosniff`, under a neutral file name (the kind, never the client's name), and, for a
PDF, in a sandbox: a script that got past the intake still cannot run with this origin.
"""

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from onboarding.accounts.models import User
from onboarding.documents.models import Document
from onboarding.documents.services import document_for_user
from onboarding.documents.storage import blob_read

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
# Shown as the top-level page: nothing loads but the file itself, nothing runs.
POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _document(request: HttpRequest, uid: uuid.UUID) -> Document:
    assert isinstance(request.user, User)
    document = document_for_user(user=request.user, uid=uid)
    if document is None:
        raise Http404
    return document


def _file(data: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
@require_GET
def document_file(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    document = _document(request, uid)
    extension = EXTENSIONS[document.content_type]
    return _file(
        blob_read(name=document.stored_name),
        content_type=document.content_type,
        filename=f"document-{document.kind}.{extension}",
    )


@login_required
@require_GET
def document_preview(request: HttpRequest, uid: uuid.UUID, page: int) -> HttpResponse:
    document = _document(request, uid)
    return _page_image(document, document.previews, page, "page")


@login_required
@require_GET
def document_thumbnail(request: HttpRequest, uid: uuid.UUID, page: int) -> HttpResponse:
    document = _document(request, uid)
    return _page_image(document, document.thumbnails or document.previews, page, "thumbnail")


def _page_image(document: Document, names: list[str], page: int, label: str) -> HttpResponse:
    if not 1 <= page <= len(names):
        raise Http404
    data = blob_read(name=names[page - 1])
    extension = "png" if data.startswith(b"\x89PNG") else "jpg"
    return _file(
        data,
        content_type=f"image/{'png' if extension == 'png' else 'jpeg'}",
        filename=f"document-{document.kind}-{label}-{page}.{extension}",
    )
