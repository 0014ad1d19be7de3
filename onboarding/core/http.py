from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request as our middleware stack leaves it, for views to annotate with.

    `user` needs no annotation here: django-stubs types it from AUTH_USER_MODEL.
    """

    htmx: HtmxDetails


def redirect_page(request: HttpRequest, to: str) -> HttpResponse:
    """Sends the browser to `to`; from an htmx request, the whole page rather than the
    fragment htmx would otherwise swap the answer into."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = to
        return response
    return redirect(to)
