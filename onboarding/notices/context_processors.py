from typing import Any

from django.http import HttpRequest

from onboarding.accounts.context_processors import request_staff
from onboarding.notices.services import notices_unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    """How many notices the person has not read yet, for the navigation."""
    user, _role, tenant = request_staff(request)
    if user is None or tenant is None:
        return {}
    return {"notices_unread": notices_unread_count(user=user, tenant=tenant)}
