import pytest

from onboarding.cases.services import case_create
from tests.cases.conftest import rm, rm2, tenant  # noqa: F401 - shared fixtures


@pytest.fixture
def case(tenant, rm):  # noqa: F811
    return case_create(tenant=tenant, owner=rm)
