from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from onboarding.accounts.models import User


class HtmxHttpRequest(HttpRequest):
    """A request as our middleware stack leaves it, for views to annotate with."""

    htmx: HtmxDetails
    user: User | AnonymousUser
