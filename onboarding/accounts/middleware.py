from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from onboarding.accounts.context_processors import request_staff
from onboarding.accounts.models import User
from onboarding.accounts.two_factor import two_factor_enrolled, two_factor_required
from onboarding.core.http import redirect_page

# Reachable before the second factor: the two-factor pages themselves, leaving, the language.
OPEN_PREFIXES = ("/two-factor/", "/logout/", "/i18n/", "/static/", "/healthz")


class TwoFactorMiddleware:
    """A person enrolled in two-factor sign-in gives a code before anything else; one whose
    role requires it (TWO_FACTOR_REQUIRED) enrols first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            isinstance(user, User)
            and not user.is_verified()  # type: ignore[attr-defined]
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            if two_factor_enrolled(user=user):
                return self._to(request, reverse("accounts:two-factor-verify"))
            if two_factor_required(user=user):
                return self._to(request, reverse("accounts:two-factor-setup"))
        return self.get_response(request)

    def _to(self, request: HttpRequest, path: str) -> HttpResponse:
        where = f"{path}?next={request.get_full_path()}" if request.method == "GET" else path
        return redirect_page(request, where)


class TenantTimeZoneMiddleware:
    """Times on a page are in the time zone of the tenant the person works in; without one
    (signed out, no tenant), in the deployment's TIME_ZONE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _user, _role, tenant = request_staff(request)
        if tenant is None:
            timezone.deactivate()
            return self.get_response(request)
        # Until the response is made, and never beyond: a thread serves other tenants next.
        with timezone.override(tenant.zone):
            return self.get_response(request)
