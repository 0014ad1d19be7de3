import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from onboarding.accounts.models import User
from onboarding.accounts.roles import Role
from onboarding.accounts.services import user_role
from onboarding.audit.models import Event, EventKind
from onboarding.cases.lifecycle import CaseStatus
from onboarding.cases.models import Case
from onboarding.cases.services import case_create
from onboarding.staff.models import AccessRequest
from onboarding.staff.services import (
    StaffChangeRefused,
    staff_access_decline,
    staff_access_grant,
    staff_deactivate,
    staff_invite,
    staff_invite_resend,
    staff_of_tenant,
    staff_reactivate,
    staff_role_change,
)
from tests.factories import staff_create

pytestmark = pytest.mark.django_db

SITE = "https://onboarding.example.com/"
IP = "198.51.100.7"


def _invite(tenant, admin, **fields):
    values = {
        "email": " Nuevo@Example.com ",
        "first_name": "Nuevo",
        "last_name": "Pérez",
        "role": Role.RELATIONSHIP_MANAGER,
        "altafid_staff_uuid": "PS" + "1" * 32,
    }
    values.update(fields)
    return staff_invite(tenant=tenant, by=admin, site_url=SITE, client_ip=IP, **values)


def test_it_invites_someone_without_a_password_and_e_mails_a_link(
    tenant, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(tenant, admin)

    member = User.objects.get(email="nuevo@example.com")
    assert not member.has_usable_password()
    assert user_role(user=member) == Role.RELATIONSHIP_MANAGER
    assert list(member.staff_profile.tenants.all()) == [tenant]
    assert member.staff_profile.altafid_staff_uuid == "PS" + "1" * 32
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nuevo@example.com"]
    assert invitation.link in message.body
    assert invitation.link.startswith(SITE + "invitation/")
    assert "Andes Capital" in message.body
    event = Event.objects.get(kind=EventKind.STAFF_INVITED)
    assert (event.actor, event.staff, event.tenant, event.data) == (
        admin,
        member,
        tenant,
        {"role": "relationship_manager"},
    )


def test_it_sends_no_e_mail_when_the_invitation_rolls_back(tenant, admin):
    _invite(tenant, admin)

    assert mail.outbox == []


def test_it_refuses_an_address_that_already_has_an_account(tenant, admin, rm):
    with pytest.raises(StaffChangeRefused) as refused:
        _invite(tenant, admin, email=rm.email.upper())

    assert refused.value.field == "email"
    assert User.objects.filter(email__iexact=rm.email).count() == 1


def test_it_needs_an_altafid_uuid_for_a_relationship_manager(tenant, admin):
    with pytest.raises(StaffChangeRefused) as refused:
        _invite(tenant, admin, altafid_staff_uuid="")

    assert refused.value.field == "altafid_staff_uuid"
    _invite(tenant, admin, role=Role.COMPLIANCE_OFFICER, altafid_staff_uuid="")
    assert User.objects.filter(email="nuevo@example.com").exists()


@pytest.mark.parametrize("role", [Role.RELATIONSHIP_MANAGER, Role.COMPLIANCE_OFFICER])
def test_it_lets_only_admins_of_the_tenant_invite(tenant, elsewhere, role):
    not_admin = staff_create(role=role, tenants=[tenant])
    other_admin = staff_create(role=Role.ADMIN, tenants=[elsewhere])

    for person in (not_admin, other_admin):
        with pytest.raises(PermissionDenied):
            _invite(tenant, person)

    assert not User.objects.filter(email="nuevo@example.com").exists()


def test_it_sends_a_new_link_only_to_someone_who_never_logged_in(
    tenant, admin, rm, django_capture_on_commit_callbacks
):
    invited = _invite(tenant, admin).member

    with django_capture_on_commit_callbacks(execute=True):
        staff_invite_resend(tenant=tenant, by=admin, member=invited, site_url=SITE, client_ip=IP)

    assert mail.outbox[-1].to == [invited.email]
    rm.last_login = rm.date_joined
    rm.save()
    with pytest.raises(StaffChangeRefused):
        staff_invite_resend(tenant=tenant, by=admin, member=rm, site_url=SITE, client_ip=IP)


def test_it_changes_a_role_and_records_from_and_to(tenant, admin, rm):
    changed = staff_role_change(
        tenant=tenant, by=admin, member=rm, role=Role.COMPLIANCE_OFFICER, altafid_staff_uuid=""
    )

    assert changed is True
    rm.refresh_from_db()
    assert user_role(user=rm) == Role.COMPLIANCE_OFFICER
    event = Event.objects.get(kind=EventKind.STAFF_ROLE_CHANGED)
    assert event.data == {
        "from": "relationship_manager",
        "to": "compliance_officer",
        "altafid_staff_uuid_changed": True,
    }


def test_it_records_nothing_when_the_role_is_unchanged(tenant, admin, rm):
    uuid = rm.staff_profile.altafid_staff_uuid

    changed = staff_role_change(
        tenant=tenant, by=admin, member=rm, role=Role.RELATIONSHIP_MANAGER, altafid_staff_uuid=uuid
    )

    assert changed is False
    assert not Event.objects.filter(kind=EventKind.STAFF_ROLE_CHANGED).exists()


def test_it_keeps_a_relationship_manager_with_open_cases_in_that_role(tenant, admin, rm):
    case_create(tenant=tenant, owner=rm)

    with pytest.raises(StaffChangeRefused) as refused:
        staff_role_change(
            tenant=tenant, by=admin, member=rm, role=Role.ADMIN, altafid_staff_uuid="PS1"
        )

    assert refused.value.field == "role"
    assert user_role(user=rm) == Role.RELATIONSHIP_MANAGER


def test_it_refuses_an_admin_changing_themself(tenant, admin):
    with pytest.raises(StaffChangeRefused):
        staff_role_change(
            tenant=tenant,
            by=admin,
            member=admin,
            role=Role.COMPLIANCE_OFFICER,
            altafid_staff_uuid="",
        )
    with pytest.raises(StaffChangeRefused):
        staff_deactivate(tenant=tenant, by=admin, member=admin)

    admin.refresh_from_db()
    assert admin.is_active
    assert user_role(user=admin) == Role.ADMIN


def test_it_leaves_someone_who_also_works_elsewhere_to_a_deployment_admin(tenant, elsewhere, admin):
    shared = staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant, elsewhere])

    with pytest.raises(StaffChangeRefused):
        staff_deactivate(tenant=tenant, by=admin, member=shared)
    with pytest.raises(StaffChangeRefused):
        staff_role_change(
            tenant=tenant, by=admin, member=shared, role=Role.ADMIN, altafid_staff_uuid=""
        )

    shared.refresh_from_db()
    assert shared.is_active
    assert user_role(user=shared) == Role.COMPLIANCE_OFFICER


def test_it_hands_open_cases_over_when_deactivating(tenant, admin, rm, other_rm):
    open_case = case_create(tenant=tenant, owner=rm)
    discarded = case_create(tenant=tenant, owner=rm)
    Case.objects.filter(pk=discarded.pk).update(status=CaseStatus.DISCARDED)

    with pytest.raises(StaffChangeRefused) as refused:
        staff_deactivate(tenant=tenant, by=admin, member=rm)
    assert refused.value.field == "hand_over_to"

    handed = staff_deactivate(tenant=tenant, by=admin, member=rm, hand_over_to=other_rm)

    assert handed == 1
    rm.refresh_from_db()
    assert not rm.is_active
    assert Case.objects.get(pk=open_case.pk).owner == other_rm
    assert Case.objects.get(pk=discarded.pk).owner == rm
    assert Event.objects.filter(kind=EventKind.CASE_REASSIGNED, case=open_case).count() == 1
    event = Event.objects.get(kind=EventKind.STAFF_DEACTIVATED)
    assert event.data == {"handed_over": 1, "to": other_rm.pk}


def test_it_hands_over_only_to_an_active_relationship_manager_of_the_tenant(
    tenant, admin, rm, officer
):
    case = case_create(tenant=tenant, owner=rm)

    with pytest.raises(StaffChangeRefused):
        staff_deactivate(tenant=tenant, by=admin, member=rm, hand_over_to=officer)

    rm.refresh_from_db()
    assert rm.is_active
    assert Case.objects.get(pk=case.pk).owner == rm


def test_it_reactivates(tenant, admin, officer):
    staff_deactivate(tenant=tenant, by=admin, member=officer)
    officer.refresh_from_db()

    staff_reactivate(tenant=tenant, by=admin, member=officer)

    officer.refresh_from_db()
    assert officer.is_active
    kinds = list(Event.objects.filter(staff=officer).values_list("kind", flat=True))
    assert kinds == [EventKind.STAFF_REACTIVATED, EventKind.STAFF_DEACTIVATED]


def test_it_lists_the_tenants_staff_with_filters(tenant, elsewhere, admin, rm, officer):
    staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[elsewhere], email="far@example.com")
    case_create(tenant=tenant, owner=rm)
    staff_deactivate(tenant=tenant, by=admin, member=officer)

    everyone = {member.email: member for member in staff_of_tenant(tenant=tenant)}

    assert set(everyone) == {admin.email, rm.email, officer.email}
    assert everyone[rm.email].open_cases == 1
    assert [m.email for m in staff_of_tenant(tenant=tenant, role="compliance_officer")] == [
        officer.email
    ]
    assert [m.email for m in staff_of_tenant(tenant=tenant, state="inactive")] == [officer.email]
    assert [m.email for m in staff_of_tenant(tenant=tenant, query="ROSA@")] == [rm.email]


def test_it_greets_by_first_name_and_says_how_long_the_link_works(
    tenant, admin, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_TIMEOUT = 2 * 24 * 3600

    with django_capture_on_commit_callbacks(execute=True):
        _invite(tenant, admin, first_name="Nuevo")

    body = mail.outbox[-1].body
    assert body.startswith("Hello Nuevo,")
    assert "48 hours" in body
    assert re.search(r"/invitation/[^/]+/[^/]+/\n", body)


def test_it_refuses_an_address_that_mixes_alphabets(tenant, admin):
    with pytest.raises(StaffChangeRefused) as refused:
        _invite(tenant, admin, email="rm@ex\u0430mple.com")

    assert refused.value.field == "email"
    assert not User.objects.filter(email__startswith="rm@").exists()


def test_it_asks_the_deployment_administrators_for_someone_with_an_account_elsewhere(
    tenant, elsewhere, admin, far, deployment_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(tenant, admin, email="Far@Example.com")
        _invite(tenant, admin, email="far@example.com")

    assert invitation is None
    request = AccessRequest.objects.get()
    assert (request.tenant, request.member, request.requested_by, request.role) == (
        tenant,
        far,
        admin,
        Role.RELATIONSHIP_MANAGER,
    )
    assert [message.to for message in mail.outbox] == [[deployment_admin.email]]
    assert far.email not in mail.outbox[0].body
    assert f"/admin/staff/accessrequest/{request.pk}/change/" in mail.outbox[0].body
    assert list(far.staff_profile.tenants.all()) == [elsewhere]
    assert not Event.objects.filter(tenant=tenant, staff=far).exists()


def test_it_adds_the_person_when_a_deployment_administrator_grants_the_request(
    tenant, elsewhere, admin, far, deployment_admin
):
    _invite(tenant, admin, email=far.email, role=Role.COMPLIANCE_OFFICER)
    request = AccessRequest.objects.get()

    staff_access_grant(access_request=request, by=deployment_admin)

    request.refresh_from_db()
    assert (request.granted, request.decided_by) == (True, deployment_admin)
    assert far in staff_of_tenant(tenant=tenant)
    assert set(far.staff_profile.tenants.all()) == {tenant, elsewhere}
    # One role per person: the one they have stays; the request shows what was asked.
    assert user_role(user=far) == Role.RELATIONSHIP_MANAGER
    event = Event.objects.get(tenant=tenant, staff=far)
    assert (event.kind, event.actor) == (EventKind.STAFF_INVITED, deployment_admin)
    with pytest.raises(PermissionDenied):
        staff_access_grant(access_request=request, by=admin)


def test_it_keeps_the_person_out_when_the_request_is_declined(tenant, admin, far, deployment_admin):
    _invite(tenant, admin, email=far.email)
    request = AccessRequest.objects.get()

    staff_access_decline(access_request=request, by=deployment_admin)

    request.refresh_from_db()
    assert request.granted is False
    assert far not in staff_of_tenant(tenant=tenant)
    staff_access_grant(access_request=request, by=deployment_admin)
    assert far not in staff_of_tenant(tenant=tenant)


def test_it_says_plainly_that_someone_already_works_in_the_tenant(tenant, admin, rm):
    with pytest.raises(StaffChangeRefused) as refused:
        _invite(tenant, admin, email=rm.email)

    assert refused.value.message == "This person is already in your staff list."
    assert not AccessRequest.objects.exists()
