from typing import Any

from django.http import HttpRequest

from onboarding.accounts.models import Tenant, User
from onboarding.accounts.permissions import user_permissions
from onboarding.accounts.roles import Role
from onboarding.accounts.services import tenant_for_request, tenants_for_user, user_role


def request_staff(request: HttpRequest) -> tuple[User | None, Role | None, Tenant | None]:
    """Who is signed in, their role and the tenant they work in, worked out once a request."""
    known = getattr(request, "_staff_known", None)
    if known is not None:
        return known
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        known = (None, None, None)
    else:
        known = (user, user_role(user=user), tenant_for_request(request=request))
    request._staff_known = known  # type: ignore[attr-defined]
    return known


def staff(request: HttpRequest) -> dict[str, Any]:
    """What the page header shows: who is signed in, in which role and tenant."""
    user, role, tenant = request_staff(request)
    if user is None:
        return {}
    return {
        "current_role": role,
        "current_tenant": tenant,
        "may": user_permissions(user=user, tenant=tenant),
        "user_tenants": list(tenants_for_user(user=user)),
    }
