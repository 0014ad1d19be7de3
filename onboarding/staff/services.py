"""A tenant's admins manage its staff here: invite, change a role, deactivate, reactivate.

Django admin is for deployment superusers only (it is not scoped by tenant). Every function
checks that `by` is an admin of `tenant` and that the member is someone that admin may manage:
a person who works only in tenants the admin also administers, and never the admin themself.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from onboarding.accounts.models import StaffProfile, Tenant, User
from onboarding.accounts.permissions import Can, user_must, users_who_may
from onboarding.accounts.roles import Role
from onboarding.accounts.services import tenants_for_user, user_role
from onboarding.accounts.validators import email_script_validate
from onboarding.audit.models import EventKind
from onboarding.audit.services import event_record
from onboarding.cases.lifecycle import CLOSED
from onboarding.cases.services import SectionLocked, cases_hand_over, cases_open_of
from onboarding.core.limits import Limit, limits_take
from onboarding.outbox.models import MailKind
from onboarding.outbox.services import mail_queue
from onboarding.staff.models import AccessRequest

logger = logging.getLogger(__name__)


class StaffChangeRefused(Exception):
    """The change is not possible as asked; `message` says why, in the user's language."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class Invitation:
    member: User
    link: str


def staff_of_tenant(
    *, tenant: Tenant, query: str = "", role: str = "", state: str = ""
) -> QuerySet[User]:
    """The people who work in `tenant`, with their groups and open cases counted for the list."""
    members = (
        User.objects.filter(staff_profile__tenants=tenant)
        .prefetch_related("groups")
        .annotate(
            open_cases=Count(
                "cases",
                filter=Q(cases__tenant=tenant) & ~Q(cases__status__in=CLOSED),
                distinct=True,
            )
        )
        .order_by("-is_active", "first_name", "last_name", "email")
    )
    query = query.strip()
    if query:
        members = members.filter(
            Q(email__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    if role in Role.values:
        members = members.filter(groups__name=role)
    if state == "active":
        members = members.filter(is_active=True, last_login__isnull=False)
    elif state == "invited":
        members = members.filter(is_active=True, last_login__isnull=True)
    elif state == "inactive":
        members = members.filter(is_active=False)
    return members


@dataclass(frozen=True)
class StaffCounts:
    roles: dict[str, int]  # people per role, as the list filtered by role shows them
    invited: int  # active, never logged in
    inactive: int


def staff_counts(*, tenant: Tenant) -> StaffCounts:
    """How many people the tenant has, per role and access, for the admin's home page."""
    people = User.objects.filter(staff_profile__tenants=tenant)
    found = people.aggregate(
        invited=Count("id", filter=Q(is_active=True, last_login__isnull=True), distinct=True),
        inactive=Count("id", filter=Q(is_active=False), distinct=True),
    )
    roles = dict(
        people.filter(groups__name__in=Role.values)
        .values_list("groups__name")
        .annotate(count=Count("id", distinct=True))
        .order_by()
    )
    return StaffCounts(
        roles={role.value: roles.get(role.value, 0) for role in Role},
        invited=found["invited"],
        inactive=found["inactive"],
    )


def staff_hand_over_candidates(*, tenant: Tenant, member: User) -> QuerySet[User]:
    """Who may take over a member's open cases: the tenant's other active relationship managers."""
    return (
        users_who_may(can=Can.CHANGE, tenant=tenant)
        .exclude(pk=member.pk)
        .order_by("first_name", "last_name", "email")
    )


def staff_manageable(*, by: User, member: User) -> bool:
    """Whether `by` may change `member`: never themself, nor someone of a tenant they don't run."""
    if member.pk == by.pk:
        return False
    theirs = set(tenants_for_user(user=member).values_list("pk", flat=True))
    mine = set(tenants_for_user(user=by).values_list("pk", flat=True))
    return theirs <= mine


def _manage_check(*, by: User, tenant: Tenant, member: User) -> None:
    user_must(user=by, can=Can.MANAGE_STAFF, tenant=tenant)
    if member.pk == by.pk:
        raise StaffChangeRefused(_("You cannot change your own role or access."))
    if not staff_manageable(by=by, member=member):
        raise StaffChangeRefused(
            _(
                "This person also works for a tenant you do not administer; "
                "a deployment administrator can change their access."
            )
        )


def _role_set(*, member: User, role: Role) -> None:
    member.groups.set([Group.objects.get_or_create(name=role.value)[0]])


def _uuid_check(*, role: Role, altafid_staff_uuid: str) -> None:
    if role == Role.RELATIONSHIP_MANAGER and not altafid_staff_uuid:
        raise StaffChangeRefused(
            _("A relationship manager needs their Altafid staff UUID, sent with their clients."),
            field="altafid_staff_uuid",
        )


def _invitation_limits_take(*, email: str, client_ip: str) -> None:
    """Counts one more invitation e-mail to `email`, asked from `client_ip`; refuses one over
    INVITATION_LIMIT_PER_IP or INVITATION_LIMIT_PER_ADDRESS within the hour."""
    by_ip = Limit(action="invitation-ip", key=client_ip, per_hour=settings.INVITATION_LIMIT_PER_IP)
    by_address = Limit(
        action="invitation-address", key=email, per_hour=settings.INVITATION_LIMIT_PER_ADDRESS
    )
    refused = limits_take(by_ip, by_address)
    if refused == by_ip:
        raise StaffChangeRefused(
            _(
                "Too many invitations from your connection within an hour (at most %(limit)s). "
                "Try again later."
            )
            % {"limit": refused.per_hour}
        )
    if refused == by_address:
        raise StaffChangeRefused(
            _(
                "This address was sent as many invitations as allowed in an hour (%(limit)s). "
                "Try again later."
            )
            % {"limit": refused.per_hour},
            field="email",
        )


def staff_invite(
    *,
    tenant: Tenant,
    by: User,
    email: str,
    first_name: str,
    last_name: str,
    role: Role,
    altafid_staff_uuid: str,
    site_url: str,
    client_ip: str,
) -> Invitation | None:
    """Creates the account without a password and e-mails a link to choose one.

    An address with an account in another tenant (or in none) is not refused, which would
    tell this tenant's admin who works elsewhere: it becomes an `AccessRequest` for the
    deployment administrators to decide, and None is returned. The caller answers both the
    same way: the person appears in the staff list once their access is ready.
    """
    user_must(user=by, can=Can.MANAGE_STAFF, tenant=tenant)
    email = User.objects.normalize_email(email.strip()).lower()
    try:
        email_script_validate(email)
    except ValidationError as refused:
        raise StaffChangeRefused(refused.messages[0], field="email") from None
    _uuid_check(role=role, altafid_staff_uuid=altafid_staff_uuid)
    with transaction.atomic():
        existing = User.objects.filter(email=email).first()
        if existing is not None and tenants_for_user(user=existing).filter(pk=tenant.pk).exists():
            raise StaffChangeRefused(_("This person is already in your staff list."), field="email")
        _invitation_limits_take(email=email, client_ip=client_ip)
        if existing is not None:
            _access_request(
                tenant=tenant,
                by=by,
                member=existing,
                role=role,
                altafid_staff_uuid=altafid_staff_uuid,
                site_url=site_url,
            )
            return None
        member = User.objects.create_user(
            email=email, password=None, first_name=first_name.strip(), last_name=last_name.strip()
        )
        _role_set(member=member, role=role)
        profile = StaffProfile.objects.create(user=member, altafid_staff_uuid=altafid_staff_uuid)
        profile.tenants.set([tenant])
        event_record(
            kind=EventKind.STAFF_INVITED,
            tenant=tenant,
            actor=by,
            staff=member,
            data={"role": role.value},
        )
        invitation = Invitation(member=member, link=_invitation_link(member, site_url))
        _invitation_queue(invitation=invitation, by=by, tenant=tenant)
    return invitation


def staff_invite_resend(
    *, tenant: Tenant, by: User, member: User, site_url: str, client_ip: str
) -> Invitation:
    """A new link for someone who has not logged in yet; earlier links keep working until used."""
    _manage_check(by=by, tenant=tenant, member=member)
    if member.last_login is not None or not member.is_active:
        raise StaffChangeRefused(
            _("Only an active person who never logged in can be invited again.")
        )
    _invitation_limits_take(email=member.email, client_ip=client_ip)
    invitation = Invitation(member=member, link=_invitation_link(member, site_url))
    _invitation_queue(invitation=invitation, by=by, tenant=tenant)
    return invitation


def _access_request(
    *, tenant: Tenant, by: User, member: User, role: Role, altafid_staff_uuid: str, site_url: str
) -> None:
    request, created = AccessRequest.objects.get_or_create(
        tenant=tenant,
        member=member,
        decided_at__isnull=True,
        defaults={"role": role, "altafid_staff_uuid": altafid_staff_uuid, "requested_by": by},
    )
    if created:
        _access_request_queue(access_request=request, site_url=site_url)


def _access_request_queue(*, access_request: AccessRequest, site_url: str) -> None:
    """Tells the deployment administrators, without naming the person (it is in Django admin)."""
    recipients = list(
        User.objects.filter(is_superuser=True, is_active=True).values_list("email", flat=True)
    )
    if not recipients:
        logger.warning(
            "Staff access request %s waits: no active deployment administrator to tell",
            access_request.pk,
        )
        return
    path = reverse("admin:staff_accessrequest_change", args=[access_request.pk])
    context = {"tenant": access_request.tenant, "link": site_url.rstrip("/") + path}
    mail_queue(
        kind=MailKind.ACCESS_REQUEST,
        to=recipients,
        subject=_("A staff access request waits for you"),
        body=render_to_string("staff/access_request_email.txt", context),
    )


def _access_request_decide(*, access_request: AccessRequest, by: User, granted: bool) -> bool:
    if not (by.is_active and by.is_superuser):
        raise PermissionDenied(_("Only a deployment administrator decides these requests."))
    with transaction.atomic():
        request = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
        if request.decided_at is not None:
            return False
        request.granted = granted
        request.decided_by = by
        request.decided_at = timezone.now()
        request.save(update_fields=["granted", "decided_by", "decided_at"])
        if granted:
            member = request.member
            profile, _created = StaffProfile.objects.get_or_create(user=member)
            if not profile.altafid_staff_uuid and request.altafid_staff_uuid:
                profile.altafid_staff_uuid = request.altafid_staff_uuid
                profile.save(update_fields=["altafid_staff_uuid"])
            profile.tenants.add(request.tenant)
            # One role per person, in every tenant: one they have already stays.
            role = user_role(user=member)
            if role is None:
                role = Role(request.role)
                _role_set(member=member, role=role)
            event_record(
                kind=EventKind.STAFF_INVITED,
                tenant=request.tenant,
                actor=by,
                staff=member,
                data={"role": role.value, "existing_account": True},
            )
    return True


def staff_access_grant(*, access_request: AccessRequest, by: User) -> bool:
    """A deployment administrator adds the person to the tenant; False if decided before."""
    return _access_request_decide(access_request=access_request, by=by, granted=True)


def staff_access_decline(*, access_request: AccessRequest, by: User) -> bool:
    """A deployment administrator leaves the person out; False if decided before."""
    return _access_request_decide(access_request=access_request, by=by, granted=False)


def _invitation_link(member: User, site_url: str) -> str:
    path = reverse(
        "accounts:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(member.pk)),
            "token": default_token_generator.make_token(member),
        },
    )
    return site_url.rstrip("/") + path


def _invitation_queue(*, invitation: Invitation, by: User, tenant: Tenant) -> None:
    role = user_role(user=invitation.member)
    context = {
        "member": invitation.member,
        "by": by,
        "tenant": tenant,
        "role": role.label if role else "",
        "link": invitation.link,
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    mail_queue(
        kind=MailKind.INVITATION,
        to=[invitation.member.email],
        subject=_("You are invited to Altafid Onboarding"),
        body=render_to_string("staff/invitation_email.txt", context),
        recipient_id=invitation.member.pk,
        replacing=True,
    )


@transaction.atomic
def staff_role_change(
    *, tenant: Tenant, by: User, member: User, role: Role, altafid_staff_uuid: str
) -> bool:
    """Sets the member's role and Altafid staff UUID; False when nothing changed."""
    _manage_check(by=by, tenant=tenant, member=member)
    _uuid_check(role=role, altafid_staff_uuid=altafid_staff_uuid)
    before = user_role(user=member)
    if role != Role.RELATIONSHIP_MANAGER and cases_open_of(owner=member, tenant=tenant).exists():
        raise StaffChangeRefused(
            _("This person still owns open onboardings. Hand them over first (deactivate them)."),
            field="role",
        )
    profile, _created = StaffProfile.objects.get_or_create(user=member)
    uuid_changed = profile.altafid_staff_uuid != altafid_staff_uuid
    if before == role and not uuid_changed:
        return False
    if uuid_changed:
        profile.altafid_staff_uuid = altafid_staff_uuid
        profile.save(update_fields=["altafid_staff_uuid"])
    if before != role:
        _role_set(member=member, role=role)
    event_record(
        kind=EventKind.STAFF_ROLE_CHANGED,
        tenant=tenant,
        actor=by,
        staff=member,
        data={
            "from": before.value if before else None,
            "to": role.value,
            "altafid_staff_uuid_changed": uuid_changed,
        },
    )
    return True


def staff_deactivate(
    *, tenant: Tenant, by: User, member: User, hand_over_to: User | None = None
) -> int:
    """Ends the member's access at their next request; their open cases go to `hand_over_to`.

    Returns how many cases were handed over. A person who still owns open cases cannot be
    deactivated without someone to take them, or nobody could edit those cases again.
    """
    with transaction.atomic():
        _manage_check(by=by, tenant=tenant, member=member)
        member = User.objects.select_for_update().get(pk=member.pk)
        if not member.is_active:
            return 0
        handed = 0
        if cases_open_of(owner=member, tenant=tenant).exists():
            if hand_over_to is None:
                raise StaffChangeRefused(
                    _("Choose who takes over this person's open onboardings."),
                    field="hand_over_to",
                )
            if hand_over_to.pk == member.pk:
                raise StaffChangeRefused(
                    _("Choose someone else to take over the onboardings."), field="hand_over_to"
                )
            try:
                handed = cases_hand_over(
                    tenant=tenant, user=by, from_owner=member, to_owner=hand_over_to
                )
            except SectionLocked as refused:
                raise StaffChangeRefused(refused.message, field="hand_over_to") from None
        User.objects.filter(pk=member.pk).update(
            is_active=False, session_generation=F("session_generation") + 1
        )
        event_record(
            kind=EventKind.STAFF_DEACTIVATED,
            tenant=tenant,
            actor=by,
            staff=member,
            data={
                "handed_over": handed,
                "to": hand_over_to.pk if handed and hand_over_to else None,
            },
        )
    return handed


@transaction.atomic
def staff_reactivate(*, tenant: Tenant, by: User, member: User) -> None:
    _manage_check(by=by, tenant=tenant, member=member)
    if member.is_active:
        return
    User.objects.filter(pk=member.pk).update(is_active=True)
    event_record(kind=EventKind.STAFF_REACTIVATED, tenant=tenant, actor=by, staff=member)
