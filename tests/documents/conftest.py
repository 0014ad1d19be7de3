import io

import pytest
from PIL import Image

from onboarding.accounts.roles import Role
from onboarding.cases.demo import CLIENT
from onboarding.cases.models import Section
from onboarding.cases.services import case_create, case_section_save
from tests.cases.conftest import rm, rm2, tenant  # noqa: F401 - fixtures shared with the cases tests
from tests.factories import staff_create
from tests.submissions.conftest import ready_case  # noqa: F401 - a filled-in case

HTMX = {"HTTP_HX_REQUEST": "true"}


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (48, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#2a6f97").save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def case(tenant, rm):  # noqa: F811
    case = case_create(tenant=tenant, owner=rm)
    return case_section_save(
        case=case, section=Section.CLIENT, raw=CLIENT, version=case.version, user=rm
    ).case


@pytest.fixture
def officer(tenant):  # noqa: F811
    return staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant], email="olga@example.com")


@pytest.fixture
def logged_in(client, rm):  # noqa: F811
    client.force_login(rm)
    return client
