from typing import Any

from django.http import HttpRequest

from onboarding.accounts.models import User
from onboarding.accounts.roles import Role
from onboarding.accounts.services import tenant_for_request, user_role
from onboarding.kyc.services import reviews_waiting_count


def review_queue(request: HttpRequest) -> dict[str, Any]:
    """How many KYC reviews wait, for the navigation of compliance officers and admins."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or user_role(user=user) not in (
        Role.COMPLIANCE_OFFICER,
        Role.ADMIN,
    ):
        return {}
    tenant = tenant_for_request(request=request)
    if tenant is None:
        return {}
    return {"reviews_waiting": reviews_waiting_count(tenant=tenant)}
