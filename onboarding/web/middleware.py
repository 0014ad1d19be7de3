import contextlib
import time
from collections.abc import Callable
from ipaddress import ip_address

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from onboarding.core.http import redirect_page

# Pages load scripts and styles only from our own origin and never inline, so this holds.
POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


class ForwardedForMiddleware:
    """Names the client by the address the TLS proxy saw, when the request comes from it.

    Behind the proxy every request's peer is the proxy: django-axes would lock a person out
    from wherever an attacker guessed, and one address's limits on reset and invitation
    e-mails would be the whole deployment's. The proxy sets X-Forwarded-For to the address it
    saw (deploy/proxy); from any other peer the header is ignored, so no client can name its
    own. The last entry is the one the nearest proxy added, should one append instead."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and _from_proxy(request.META.get("REMOTE_ADDR", "")):
            client = forwarded.rsplit(",", 1)[-1].strip()
            with contextlib.suppress(ValueError):
                request.META["REMOTE_ADDR"] = str(ip_address(client))
        return self.get_response(request)


def _from_proxy(peer: str) -> bool:
    try:
        address = ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in settings.TRUSTED_PROXIES)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response


LAST_SEEN_KEY = "last_seen"


class PrivateResponsesMiddleware:
    """Pages for signed-in staff are never stored by a browser or proxy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


class IdleTimeoutMiddleware:
    """Signs a person out after SESSION_IDLE_SECONDS without a request (beside the absolute
    SESSION_COOKIE_AGE); the session is written at most once a minute for this."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(LAST_SEEN_KEY)
            if isinstance(seen, int) and now - seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("You were signed out after a while without activity."))
                login = f"{resolve_url(settings.LOGIN_URL)}?next={request.path}"
                return redirect_page(request, login)
            if not isinstance(seen, int) or now - seen >= 60:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class FormBodiesOnlyMiddleware:
    """Every write of the app is a web form: a body of another type (JSON, plain text) is
    refused with 415 rather than read by a view as an empty form."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_body(request) and request.content_type not in FORM_TYPES:
            return HttpResponse(
                _("This address takes a web form only."),
                status=415,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _has_body(request: HttpRequest) -> bool:
    length = request.META.get("CONTENT_LENGTH") or "0"
    chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    return chunked or not (length.isascii() and length.isdigit() and int(length) == 0)


class PageHtmxDetails(HtmxDetails):
    """`request.htmx`, false for htmx's history-restore requests: Back and Forward after a
    filter ask for the page htmx had pushed, and a fragment would become the whole page."""

    def __bool__(self) -> bool:
        return super().__bool__() and not self.history_restore_request


class HtmxMiddleware:
    """django-htmx's middleware, with `PageHtmxDetails`: every view's `if request.htmx`
    answers a whole page to a history restore."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.htmx = PageHtmxDetails(request)  # type: ignore[attr-defined]
        response = self.get_response(request)
        # A fragment and its page share a URL: caches must tell them apart.
        patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
        return response
