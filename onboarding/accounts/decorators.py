from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from onboarding.accounts.models import User
from onboarding.accounts.roles import Role
from onboarding.accounts.services import tenant_for_request, user_role

View = Callable[..., HttpResponseBase]


def tenant_admin_required(view: View) -> View:
    """Only an admin of the tenant they work in now; the view gets that tenant. Others: 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        tenant = tenant_for_request(request=request)
        if tenant is None:
            raise Http404
        user = request.user
        assert isinstance(user, User)
        if user_role(user=user) != Role.ADMIN:
            raise PermissionDenied(_("Only an administrator of this tenant can do this."))
        return view(request, tenant, *args, **kwargs)

    return login_required(wrapped)
