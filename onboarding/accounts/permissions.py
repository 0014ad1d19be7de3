"""Who may do what: the one table of what each role may do, and the predicates that services
(to refuse with 403), views and templates (to offer or leave out an action) all read.

Seeing a case is scoped before any of this, by `cases.services.cases_for_user` and the other
`*_for_user` queries (anything else answers 404). Whether the case's state allows an action is
the lifecycle's (`cases.lifecycle`), and the four eyes of an approval are the KYC review's
(`kyc.services.four_eyes_check`). See docs/architecture.md, "Who may do what".
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Protocol

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import Tenant, User
from onboarding.accounts.roles import Role
from onboarding.accounts.services import tenants_for_user, user_role


class Can(StrEnum):
    START = "start"
    # Edit, submit, amend, activate, discard, decide about a duplicate: the owner only.
    CHANGE = "change"
    SEE_EVERY_CASE = "see_every_case"
    REASSIGN = "reassign"
    ERASE = "erase"
    # The failure queue: cancel, retry, mark resolved, settle an unanswered create.
    OPERATE = "operate"
    SEE_REVIEWS = "see_reviews"
    # Assign, release, return and approve a KYC review.
    DECIDE = "decide"
    # The client's KYC values in a review (anyone else who sees reviews sees them masked).
    SEE_KYC_VALUES = "see_kyc_values"
    MANAGE_STAFF = "manage_staff"
    SEE_HEALTH = "see_health"
    # A call's technical details (status codes, Altafid's error bodies).
    SEE_DETAILS = "see_details"


RM, OFFICER, ADMIN = Role.RELATIONSHIP_MANAGER, Role.COMPLIANCE_OFFICER, Role.ADMIN

ROLES: Mapping[Can, frozenset[Role]] = {
    Can.START: frozenset({RM}),
    Can.CHANGE: frozenset({RM}),
    Can.SEE_EVERY_CASE: frozenset({OFFICER, ADMIN}),
    Can.REASSIGN: frozenset({ADMIN}),
    Can.ERASE: frozenset({ADMIN}),
    Can.OPERATE: frozenset({ADMIN}),
    Can.SEE_REVIEWS: frozenset({OFFICER, ADMIN}),
    Can.DECIDE: frozenset({OFFICER}),
    Can.SEE_KYC_VALUES: frozenset({OFFICER}),
    Can.MANAGE_STAFF: frozenset({ADMIN}),
    Can.SEE_HEALTH: frozenset({ADMIN}),
    Can.SEE_DETAILS: frozenset({ADMIN}),
}

# Allowed only to the case's owner, on top of the role.
OWNED = frozenset({Can.CHANGE})

REFUSED: Mapping[Can, Promise] = {
    Can.START: _("Only relationship managers start onboardings."),
    Can.CHANGE: _("Only the relationship manager who owns this onboarding can change it."),
    Can.SEE_EVERY_CASE: _("Only compliance officers and administrators see every onboarding."),
    Can.REASSIGN: _("Only an administrator of this tenant can do this."),
    Can.ERASE: _("Only an administrator of this tenant can do this."),
    Can.OPERATE: _("Only an administrator of this tenant can do this."),
    Can.SEE_REVIEWS: _("Only compliance officers and administrators see KYC reviews."),
    Can.DECIDE: _("Only a compliance officer of this tenant can review KYC data."),
    Can.SEE_KYC_VALUES: _("Only a compliance officer of this tenant can see KYC data."),
    Can.MANAGE_STAFF: _("Only an administrator of this tenant can manage its staff."),
    Can.SEE_HEALTH: _("Only an administrator can see the health of the service."),
    Can.SEE_DETAILS: _("Only an administrator can see the details of a call."),
}


class Owned(Protocol):
    """A case, or anything else that belongs to a tenant and has an owner."""

    tenant_id: int
    owner_id: int


def user_may(
    *, user: User, can: Can, case: Owned | None = None, tenant: Tenant | None = None
) -> bool:
    """Whether `user` may do `can` (to `case`, or in `tenant`): the role, then the owner, then
    the tenant, which must be one of theirs."""
    return _may(user, user_role(user=user), can, case, _in_tenant(user, case, tenant))


def user_must(
    *, user: User, can: Can, case: Owned | None = None, tenant: Tenant | None = None
) -> None:
    """`user_may`, or `PermissionDenied` with the plain reason (403)."""
    if not user_may(user=user, can=can, case=case, tenant=tenant):
        raise PermissionDenied(str(REFUSED[can]))


def user_permissions(
    *, user: User, case: Owned | None = None, tenant: Tenant | None = None
) -> dict[str, bool]:
    """Everything `user` may do (to `case`, or in `tenant`), for a page: `may.change`."""
    role = user_role(user=user)
    member = _in_tenant(user, case, tenant)
    return {can.value: _may(user, role, can, case, member) for can in Can}


def _in_tenant(user: User, case: Owned | None, tenant: Tenant | None) -> bool:
    """Whether the case's or tenant's tenant is one of the user's (True when neither is given)."""
    wanted = case.tenant_id if case is not None else tenant.pk if tenant is not None else None
    if wanted is None:
        return True
    # Read once per user object, as their role is: a list asks once for all its rows.
    known: set[int] | None = getattr(user, "_tenant_ids", None)
    if known is None:
        known = set(tenants_for_user(user=user).values_list("pk", flat=True))
        user._tenant_ids = known  # type: ignore[attr-defined]
    return wanted in known


def _may(user: User, role: Role | None, can: Can, case: Owned | None, member: bool) -> bool:
    if role not in ROLES[can] or not member:
        return False
    return can not in OWNED or (case is not None and case.owner_id == user.pk)


def users_who_may(*, can: Can, tenant: Tenant | int) -> QuerySet[User]:
    """The active people of `tenant` whose role allows `can` (before ownership)."""
    return User.objects.filter(
        is_active=True,
        staff_profile__tenants=tenant,
        groups__name__in=[role.value for role in ROLES[can]],
    ).distinct()
