import datetime
from collections.abc import Iterable
from typing import Any

from axes.helpers import get_client_ip_address
from axes.models import AccessLog
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.http import HttpRequest
from django.utils import timezone

from onboarding.accounts.models import StaffProfile, Tenant, User
from onboarding.accounts.roles import Role

SESSION_TENANT_KEY = "tenant_id"


def sign_in_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The address django-axes counts failed sign-ins under: as sign-in matches it, in any
    case, so "RM@x" and "rm@x" share one count (AXES_USERNAME_CALLABLE)."""
    given = credentials.get("username") if credentials else request.POST.get("username")
    return str(given or "").strip().lower()


def request_ip(request: HttpRequest) -> str:
    """The client's IP address, as django-axes reads it for its lockouts."""
    return get_client_ip_address(request) or ""


def sessions_clear_expired() -> int:
    """Deletes the sessions past their expiry; returns how many.

    Django leaves them in `django_session` until someone does: a signed-out person's row is
    deleted at sign-out, but one who only closed the browser leaves theirs, with whatever it
    kept (an encrypted search term, say)."""
    deleted, _ = Session.objects.filter(expire_date__lte=timezone.now()).delete()
    return deleted


def sign_ins_forget_old() -> int:
    """Deletes the sign-ins django-axes logged (address, IP address, browser) more than
    `SIGN_IN_LOG_DAYS` ago; returns how many. Failed attempts django-axes clears itself once
    their cool-off is over."""
    before = timezone.now() - datetime.timedelta(days=settings.SIGN_IN_LOG_DAYS)
    deleted, _ = AccessLog.objects.filter(attempt_time__lt=before).delete()
    return deleted


def tenant_ensure(*, name: str, altafid_uuid: str) -> Tenant:
    tenant, _ = Tenant.objects.update_or_create(altafid_uuid=altafid_uuid, defaults={"name": name})
    return tenant


@transaction.atomic
def staff_ensure(
    *,
    email: str,
    password: str,
    role: Role,
    tenants: Iterable[Tenant],
    first_name: str = "",
    last_name: str = "",
    altafid_staff_uuid: str = "",
) -> User:
    """Creates the staff member, or brings an existing one to exactly this state."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password)
    else:
        user.set_password(password)
    user.first_name = first_name
    user.last_name = last_name
    # Django admin is for deployment superusers; the admin role works in the app's own pages.
    user.is_staff = False
    user.save()
    user.groups.set([Group.objects.get_or_create(name=role.value)[0]])
    profile, _ = StaffProfile.objects.update_or_create(
        user=user, defaults={"altafid_staff_uuid": altafid_staff_uuid}
    )
    profile.tenants.set(list(tenants))
    return user


def user_role(*, user: User) -> Role | None:
    # The groups are read once per user object (a page asking for each of its rows asks the
    # database once); changing them through the same object forgets what was read.
    if "groups" not in getattr(user, "_prefetched_objects_cache", {}):
        prefetch_related_objects([user], "groups")
    names = {group.name for group in user.groups.all()}
    for role in (Role.ADMIN, Role.COMPLIANCE_OFFICER, Role.RELATIONSHIP_MANAGER):
        if role.value in names:
            return role
    return None


def tenants_for_user(*, user: User) -> QuerySet[Tenant]:
    """The only tenants whose data this user may see; every scoped query starts here."""
    if not user.is_authenticated:
        return Tenant.objects.none()
    return Tenant.objects.filter(staff__user=user)


def tenant_for_request(*, request: HttpRequest) -> Tenant | None:
    """The tenant the user chose to work in, or their first one."""
    user = request.user
    assert isinstance(user, User)
    tenants = tenants_for_user(user=user)
    chosen_id = request.session.get(SESSION_TENANT_KEY)
    tenant = tenants.filter(pk=chosen_id).first() if chosen_id else None
    return tenant or tenants.first()


def tenant_select(*, request: HttpRequest, tenant_id: int) -> Tenant | None:
    user = request.user
    assert isinstance(user, User)
    tenant = tenants_for_user(user=user).filter(pk=tenant_id).first()
    if tenant is not None:
        request.session[SESSION_TENANT_KEY] = tenant.pk
    return tenant
