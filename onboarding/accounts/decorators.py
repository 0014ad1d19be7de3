from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from onboarding.accounts.context_processors import request_staff
from onboarding.accounts.permissions import Can, user_must

View = Callable[..., HttpResponseBase]


def tenant_may(can: Can) -> Callable[[View], View]:
    """Only someone who may do `can` in the tenant they work in now (403 otherwise); the view
    gets that tenant."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            # Worked out once a request: the page's header needs the same role and tenant.
            user, _role, tenant = request_staff(request)
            if tenant is None or user is None:
                raise Http404
            user_must(user=user, can=can, tenant=tenant)
            return view(request, tenant, *args, **kwargs)

        return login_required(wrapped)

    return decorator
