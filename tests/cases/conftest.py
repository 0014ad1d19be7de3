import pytest

from onboarding.accounts.roles import Role
from tests.factories import TenantFactory, staff_create


@pytest.fixture
def tenant(settings, sandbox):
    return TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)


@pytest.fixture
def rm(tenant):
    return staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")


CLIENT_SECTION = {
    "first_name": ["Juan"],
    "paternal_last_name": ["García"],
    "maternal_last_name": ["López"],
    "contact_type": ["SUBSCRIBER"],
    "contact_means": ["EMAIL"],
    "preferred_contact_language": ["SPANISH"],
    "preferred_email": ["juan@example.com"],
    "date_of_birth": ["1980-05-20"],
    "gender": ["MALE"],
    "phone_code": ["+56"],
    "phone_number": ["961234567"],
    "identity_type": ["CHILE_RUT"],
    "identity_id": ["12.345.678-5"],
    "identity_country": ["CHL"],
    "contact_source": ["conSource001"],
    "market_segment": ["conSegment002"],
}
