import pytest

from onboarding.altafid.client import AltafidClient, client_for_tenant
from onboarding.altafid.sandbox import defaults


@pytest.fixture
def client(sandbox) -> AltafidClient:
    return client_for_tenant(defaults.TENANT_UUID)
