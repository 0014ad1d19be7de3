from typing import Any

from django.http import HttpRequest

from onboarding.accounts.models import User
from onboarding.accounts.services import tenant_for_request
from onboarding.notices.services import notices_unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    """How many notices the person has not read yet, for the navigation."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    tenant = tenant_for_request(request=request)
    if tenant is None:
        return {}
    return {"notices_unread": notices_unread_count(user=user, tenant=tenant)}
