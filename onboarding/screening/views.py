from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from onboarding.core.http import HtmxHttpRequest
from onboarding.screening.forms import ListUploadForm
from onboarding.screening.models import ListVersion, VersionState
from onboarding.screening.services import (
    screening_lists_ages,
    screening_load_start,
    screening_versions_recent,
)


def _deployment_admin(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Lists serve every tenant: only a deployment's superusers who gave the second factor
    in this session load them, as in Django's admin."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not (user.is_superuser and user.is_verified()):  # type: ignore[attr-defined]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _page(request: HtmxHttpRequest, form: ListUploadForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "ages": screening_lists_ages(),
        "versions": screening_versions_recent(),
        "loading": VersionState.LOADING,
    }
    return render(request, "screening/lists.html", context, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_deployment_admin
def lists_page(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, ListUploadForm())
    # Streamed to a temporary file, never held in memory: a list is hundreds of megabytes.
    # The handler is chosen before the body is read, so the CSRF check comes after.
    request.upload_handlers = [TemporaryFileUploadHandler(request)]
    return _upload(request)


@csrf_protect
def _upload(request: HtmxHttpRequest) -> HttpResponse:
    form = ListUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=422)
    upload = form.cleaned_data["file"]
    assert isinstance(upload, TemporaryUploadedFile)
    version = screening_load_start(
        dataset=form.cleaned_data["dataset"],
        upload=Path(upload.temporary_file_path()),
        source_name=Path(upload.name or "").name,
    )
    return redirect("screening:lists-version", pk=version.pk)


@require_GET
@_deployment_admin
def version_page(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ListVersion, pk=pk)
    context = {"version": version, "loading": VersionState.LOADING}
    if request.htmx:
        return render(request, "screening/version.html#progress", context)
    return render(request, "screening/version.html", context)
