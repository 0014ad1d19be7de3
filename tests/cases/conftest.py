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


CLIENT_SECTION = CLIENT
