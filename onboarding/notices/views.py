from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from onboarding.accounts.models import Tenant, User
from onboarding.accounts.services import tenant_for_request
from onboarding.core.http import HtmxHttpRequest
from onboarding.notices.services import (
    notice_read,
    notice_target,
    notices_for_user,
    notices_read_all,
)

PAGE_SIZE = 25


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _tenant(request: HtmxHttpRequest) -> Tenant:
    tenant = tenant_for_request(request=request)
    if tenant is None:
        raise Http404
    return tenant


@login_required
@require_GET
def notice_list(request: HtmxHttpRequest) -> HttpResponse:
    notices = notices_for_user(user=_user(request), tenant=_tenant(request))
    unread_only = request.GET.get("show") == "unread"
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [(notice, notice_target(notice)) for notice in page.object_list],
        "unread_only": unread_only,
    }
    template = "notices/notice_list.html#results" if request.htmx else "notices/notice_list.html"
    return render(request, template, context)


@login_required
@require_POST
def notice_open(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Marks the notice read and goes where it leads."""
    user = _user(request)
    notice = get_object_or_404(notices_for_user(user=user, tenant=_tenant(request)), pk=pk)
    notice_read(user=user, notice=notice)
    return redirect(notice_target(notice))


@login_required
@require_POST
def notice_read_all(request: HtmxHttpRequest) -> HttpResponse:
    notices_read_all(user=_user(request), tenant=_tenant(request))
    return redirect("notices:list")
