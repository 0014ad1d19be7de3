import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import (
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetView,
)
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.models import Device

from onboarding.accounts.forms import (
    PasswordResetQueuedForm,
    ReauthenticateForm,
    TenantChoiceForm,
)
from onboarding.accounts.models import User
from onboarding.accounts.services import request_ip, tenant_select
from onboarding.accounts.two_factor import (
    EnrolmentRefused,
    totp_device_pending,
    totp_enrol,
    totp_qr_data_uri,
    totp_secret,
    two_factor_enrolled,
    two_factor_may_enrol,
    two_factor_reauthenticated_mark,
    two_factor_required,
)
from onboarding.core.http import HtmxHttpRequest
from onboarding.core.limits import Limit, limits_take

logger = logging.getLogger(__name__)

RECOVERY_SESSION_KEY = "two_factor_recovery_codes"


@login_required
@require_POST
def tenant_switch(request: HttpRequest) -> HttpResponse:
    form = TenantChoiceForm(request.POST)
    if form.is_valid():
        tenant_select(request=request, tenant_id=form.cleaned_data["tenant"])
    return redirect(_next_url(request))


class InvitationAcceptView(PasswordResetConfirmView):
    """An invited person chooses their password and is logged in; the link then stops working.

    It is Django's password-reset confirmation: the token covers the password and the last
    login, so it is single-use, and it expires after PASSWORD_RESET_TIMEOUT.
    """

    template_name = "accounts/invitation.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("home:index")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. Welcome."))
        return response


class PasswordChange(PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home:index")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        assert isinstance(user, User)
        context["two_factor_enrolled"] = two_factor_enrolled(user=user)
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response


class PasswordReset(PasswordResetView):
    """Asks for an e-mail address and says the same whether an account has it or not."""

    template_name = "accounts/password_reset.html"
    form_class = PasswordResetQueuedForm
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form: Any) -> HttpResponse:
        refused = limits_take(
            Limit(
                action="password-reset-ip",
                key=request_ip(self.request),
                per_hour=settings.PASSWORD_RESET_LIMIT_PER_IP,
            ),
            Limit(
                action="password-reset-address",
                key=form.cleaned_data["email"].strip().lower(),
                per_hour=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
            ),
        )
        if refused is None:
            response = super().form_valid(form)
        else:
            # The same answer as when sent: a limit reached says nothing of the address.
            logger.warning("Password reset e-mail not sent: %s limit reached", refused.action)
            response = HttpResponseRedirect(self.get_success_url())
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


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: `redirect` would take any other word for a view's name.
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("home:index")


def _second_factor_given(request: HttpRequest, device: Device) -> None:
    """Marks the session verified with a new key, as `login` does for the password."""
    otp_login(request, device)
    request.session.cycle_key()


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HtmxHttpRequest) -> HttpResponse:
    """Enrolment: scan the QR code (or type the key), then give the first code. A person who
    has a device confirms it is them first (`two_factor_confirm`)."""
    user = request.user
    assert isinstance(user, User)
    if not two_factor_may_enrol(user=user, session=request.session):
        return redirect("accounts:two-factor-confirm")
    device = totp_device_pending(user=user)
    error = ""
    if request.method == "POST":
        try:
            codes = totp_enrol(
                user=user,
                device=device,
                token=request.POST.get("token", ""),
                session=request.session,
            )
        except EnrolmentRefused:
            return redirect("accounts:two-factor-confirm")
        if codes is not None:
            _second_factor_given(request, device)
            request.session[RECOVERY_SESSION_KEY] = codes
            return redirect("accounts:two-factor-codes")
        error = _("That code is not right. Type the six digits your app shows now.")
    context = {
        "qr": totp_qr_data_uri(device=device),
        "secret": totp_secret(device=device),
        "error": error,
        "required": two_factor_required(user=user),
        "replacing": two_factor_enrolled(user=user),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=422 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_confirm(request: HtmxHttpRequest) -> HttpResponse:
    """Password and a code again before a new authenticator replaces the one a person has."""
    user = request.user
    assert isinstance(user, User)
    if not two_factor_enrolled(user=user):
        return redirect("accounts:two-factor-setup")
    form = ReauthenticateForm(request.POST or None, request=request, user=user)
    if request.method == "POST" and form.is_valid():
        assert form.device is not None
        _second_factor_given(request, form.device)
        two_factor_reauthenticated_mark(session=request.session)
        return redirect("accounts:two-factor-setup")
    status = 422 if form.errors else 200
    return render(request, "accounts/two_factor_confirm.html", {"form": form}, status=status)


@login_required
@require_GET
def two_factor_codes(request: HtmxHttpRequest) -> HttpResponse:
    """The recovery codes, shown once, right after enrolment."""
    codes = request.session.pop(RECOVERY_SESSION_KEY, None)
    if not codes:
        return redirect("home:index")
    return render(request, "accounts/two_factor_codes.html", {"codes": codes})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HtmxHttpRequest) -> HttpResponse:
    """The second step of a sign-in: a code from the app, or one of the recovery codes."""
    user = request.user
    assert isinstance(user, User)
    error = ""
    if request.method == "POST":
        device = match_token(user, request.POST.get("token", "").replace(" ", ""))
        if device is not None:
            _second_factor_given(request, device)
            return redirect(_next_url(request))
        error = _("That code is not right, or was used already.")
    context = {"error": error, "next": _next_url(request)}
    return render(request, "accounts/two_factor_verify.html", context, status=422 if error else 200)
