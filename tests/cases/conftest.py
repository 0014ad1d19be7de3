import pytest

from onboarding.accounts.roles import Role
from onboarding.cases.demo import CLIENT
from tests.factories import TenantFactory, staff_create


@pytest.fixture
def tenant(settings, sandbox):
    return TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)


@pytest.fixture
def rm(tenant):
    return staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")


@pytest.fixture
def rm2(tenant):
    """A colleague of `rm` in the same tenant."""
    return staff_create(
        role=Role.RELATIONSHIP_MANAGER,
        tenants=[tenant],
        email="pedro@example.com",
        first_name="Pedro",
    )


CLIENT_SECTION = CLIENT
