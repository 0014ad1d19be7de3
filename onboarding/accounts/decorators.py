from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from onboarding.accounts.context_processors import request_staff
from onboarding.accounts.roles import Role

View = Callable[..., HttpResponseBase]


def tenant_admin_required(view: View) -> View:
    """Only an admin of the tenant they work in now; the view gets that tenant. Others: 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Worked out once a request: the page's header needs the same role and tenant.
        _user, role, tenant = request_staff(request)
        if tenant is None:
            raise Http404
        if role != Role.ADMIN:
            raise PermissionDenied(_("Only an administrator of this tenant can do this."))
        return view(request, tenant, *args, **kwargs)

    return login_required(wrapped)
