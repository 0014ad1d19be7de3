"""Who may do what with a case, checked on the server by every service that writes.

Seeing a case is scoped by `services.cases_for_user` (anything else answers 404, but a draft
discarded since leads to the list: `middleware.py`); these checks then refuse a write with 403
and a plain message. See docs/architecture.md, "Who may do what".
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from onboarding.accounts.models import User
from onboarding.accounts.roles import Role
from onboarding.accounts.services import tenants_for_user, user_role
from onboarding.cases.models import Case


def case_owner_check(*, user: User, case: Case) -> None:
    """Editing, submitting, amending, activating, discarding: the RM who owns the case."""
    if case.owner_id != user.pk or user_role(user=user) != Role.RELATIONSHIP_MANAGER:
        raise PermissionDenied(
            _("Only the relationship manager who owns this onboarding can change it.")
        )


def case_admin_check(*, user: User, case: Case) -> None:
    """Reassigning a case, cancelling its submission: an admin of the case's tenant."""
    if (
        user_role(user=user) != Role.ADMIN
        or not tenants_for_user(user=user).filter(pk=case.tenant_id).exists()
    ):
        raise PermissionDenied(_("Only an administrator of this tenant can do this."))


def case_is_owner(*, user: User, case: Case) -> bool:
    return case.owner_id == user.pk and user_role(user=user) == Role.RELATIONSHIP_MANAGER
