import pytest
from django.test import RequestFactory

from onboarding.accounts.demo import DEMO_STAFF, demo_data_seed
from onboarding.accounts.models import StaffProfile, Tenant, User
from onboarding.accounts.roles import Role
from onboarding.accounts.services import (
    tenant_for_request,
    tenant_select,
    tenants_for_user,
    user_role,
)
from tests.factories import TenantFactory, staff_create

pytestmark = pytest.mark.django_db


def _request_for(user: User):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    return request


def test_it_seeds_demo_data_idempotently(settings):
    demo_data_seed(password="first-password-1")
    users = demo_data_seed(password="second-password-2")

    assert Tenant.objects.filter(altafid_uuid=settings.ALTAFID_TENANT_UUID).count() == 1
    assert User.objects.count() == len(DEMO_STAFF) == 3
    assert {user_role(user=user) for user in users} == set(Role)
    assert all(user.check_password("second-password-2") for user in users)
    assert (
        StaffProfile.objects.filter(tenants__altafid_uuid=settings.ALTAFID_TENANT_UUID).count() == 3
    )


def test_it_scopes_tenants_to_the_staff_member():
    mine, theirs = TenantFactory(), TenantFactory()
    user = staff_create(tenants=[mine])
    staff_create(tenants=[theirs])

    assert list(tenants_for_user(user=user)) == [mine]


def test_it_picks_the_first_tenant_until_one_is_chosen():
    first, second = TenantFactory(name="A tenant"), TenantFactory(name="B tenant")
    user = staff_create(tenants=[first, second])
    request = _request_for(user)

    assert tenant_for_request(request=request) == first
    assert tenant_select(request=request, tenant_id=second.pk) == second
    assert tenant_for_request(request=request) == second


def test_it_refuses_to_select_another_tenants_id():
    user = staff_create(tenants=[TenantFactory()])
    request = _request_for(user)

    assert tenant_select(request=request, tenant_id=TenantFactory().pk) is None
    assert tenant_for_request(request=request) in tenants_for_user(user=user)


def test_it_reports_the_strongest_role():
    user = staff_create(role=Role.RELATIONSHIP_MANAGER)
    assert user_role(user=user) is Role.RELATIONSHIP_MANAGER
    user.groups.add(*user.groups.model.objects.filter(name=Role.ADMIN.value))
    assert user_role(user=user) is Role.ADMIN


@pytest.mark.django_db
def test_it_refuses_demo_users_in_production_unless_told_with_a_password(settings):
    from django.core.management import CommandError, call_command

    from onboarding.accounts.models import User

    settings.DEBUG = False
    settings.DEMO_PASSWORD = None
    with pytest.raises(CommandError, match="--i-know-this-is-production"):
        call_command("seed_demo")
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        call_command("seed_demo", "--i-know-this-is-production")
    assert not User.objects.exists()

    settings.DEMO_PASSWORD = "a-chosen-demo-password-2026"
    call_command("seed_demo", "--i-know-this-is-production")

    admin = User.objects.get(email="admin@example.com")
    assert admin.check_password("a-chosen-demo-password-2026")
    assert not admin.is_staff
    assert not admin.is_superuser
