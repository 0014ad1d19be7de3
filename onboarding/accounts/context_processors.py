from typing import Any

from django.http import HttpRequest

from onboarding.accounts.models import User
from onboarding.accounts.services import tenant_for_request, tenants_for_user, user_role


def staff(request: HttpRequest) -> dict[str, Any]:
    """What the page header shows: who is signed in, in which role and tenant."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    return {
        "current_role": user_role(user=user),
        "current_tenant": tenant_for_request(request=request),
        "user_tenants": list(tenants_for_user(user=user)),
    }
