import pytest

from onboarding.accounts.roles import Role
from tests.factories import TenantFactory, staff_create


@pytest.fixture
def tenant():
    return TenantFactory(name="Andes Capital")


@pytest.fixture
def elsewhere():
    return TenantFactory(name="Elsewhere")


@pytest.fixture
def admin(tenant):
    return staff_create(role=Role.ADMIN, tenants=[tenant], email="ana@example.com")


@pytest.fixture
def rm(tenant):
    return staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")


@pytest.fixture
def other_rm(tenant):
    return staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="tomas@example.com")


@pytest.fixture
def officer(tenant):
    return staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant], email="carla@example.com")


@pytest.fixture
def far(elsewhere):
    """Someone who works for another tenant only."""
    return staff_create(
        role=Role.RELATIONSHIP_MANAGER, tenants=[elsewhere], email="far@example.com"
    )


@pytest.fixture
def deployment_admin():
    return staff_create(tenants=[], email="root@example.com", is_superuser=True, is_staff=True)
