from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from onboarding.accounts.forms import LookupPreviewForm, TenantChoiceForm
from onboarding.accounts.models import User
from onboarding.accounts.services import tenant_for_request, tenant_select, user_role
from onboarding.web.http import HtmxHttpRequest


@login_required
@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    tenant = tenant_for_request(request=request)
    context: dict[str, object] = {"role": user_role(user=request.user), "tenant": tenant}
    if tenant is None:
        return render(request, "accounts/home.html", context)
    context["form"] = LookupPreviewForm(request.GET or None, tenant=tenant)
    if request.htmx and request.htmx.target == "city-field":
        return render(request, "accounts/home.html#city-field", context)
    return render(request, "accounts/home.html", context)


@login_required
@require_POST
def tenant_switch(request: HttpRequest) -> HttpResponse:
    form = TenantChoiceForm(request.POST)
    if form.is_valid():
        tenant_select(request=request, tenant_id=form.cleaned_data["tenant"])
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "accounts:home"
    return redirect(next_url)
