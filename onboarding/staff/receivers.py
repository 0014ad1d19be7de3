from typing import Any

from django.dispatch import receiver

from onboarding.accounts.models import Tenant, User
from onboarding.accounts.signals import two_factor_changed
from onboarding.accounts.two_factor import TwoFactorChange
from onboarding.audit.models import EventKind
from onboarding.audit.services import event_record

KINDS = {
    TwoFactorChange.ENROLLED: EventKind.TWO_FACTOR_ENROLLED,
    TwoFactorChange.REPLACED: EventKind.TWO_FACTOR_REPLACED,
    TwoFactorChange.RESET: EventKind.TWO_FACTOR_RESET,
}


@receiver(two_factor_changed)
def two_factor_change_record(
    sender: Any, *, user: User, actor: User | None, change: TwoFactorChange, **kwargs: Any
) -> None:
    """One staff event in each tenant the person works in, so each tenant's admins see it."""
    tenants: list[Tenant | None] = list(Tenant.objects.filter(staff__user=user)) or [None]
    for tenant in tenants:
        event_record(kind=KINDS[change], tenant=tenant, actor=actor or user, staff=user)
