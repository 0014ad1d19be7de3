from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import (
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetView,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
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


class InvitationAcceptView(PasswordResetConfirmView):
    """An invited person chooses their password and is logged in; the link then stops working.

    It is Django's password-reset confirmation: the token covers the password and the last
    login, so it is single-use, and it expires after PASSWORD_RESET_TIMEOUT.
    """

    template_name = "accounts/invitation.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("accounts:home")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. Welcome."))
        return response


class PasswordChange(PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response


class PasswordReset(PasswordResetView):
    """Asks for an e-mail address and says the same whether an account has it or not."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request,
            _(
                "If a staff account has this address, an e-mail with a link to choose a new "
                "password is on its way."
            ),
        )
        return response


class PasswordResetConfirm(InvitationAcceptView):
    """The link of a reset e-mail: the same single-use token as an invitation's."""

    template_name = "accounts/password_reset_confirm.html"
