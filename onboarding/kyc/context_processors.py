from typing import Any

from django.http import HttpRequest

from onboarding.accounts.context_processors import request_staff
from onboarding.accounts.permissions import Can, user_may
from onboarding.kyc.services import reviews_waiting_count


def review_queue(request: HttpRequest) -> dict[str, Any]:
    """How many KYC reviews wait, for the navigation of compliance officers and admins."""
    user, _role, tenant = request_staff(request)
    if (
        tenant is None
        or user is None
        or not user_may(user=user, can=Can.SEE_REVIEWS, tenant=tenant)
    ):
        return {}
    known = getattr(request, "reviews_waiting", None)
    return {"reviews_waiting": known if known is not None else reviews_waiting_count(tenant=tenant)}
