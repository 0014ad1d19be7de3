from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from onboarding.accounts.models import User
from onboarding.accounts.roles import Role
from onboarding.accounts.services import staff_ensure, tenant_ensure

DEFAULT_DEMO_PASSWORD = "onboard-demo-2026"  # noqa: S105 - printed for the embedded default


@dataclass(frozen=True)
class DemoStaff:
    email: str
    role: Role
    first_name: str
    last_name: str
    altafid_staff_uuid: str


DEMO_STAFF = (
    DemoStaff(
        "rm@example.com",
        Role.RELATIONSHIP_MANAGER,
        "Rosa",
        "Muñoz",
        "PS0199CA8F08C270B5A5B0DFD3B565B332",
    ),
    DemoStaff(
        "compliance@example.com",
        Role.COMPLIANCE_OFFICER,
        "Carlos",
        "Soto",
        "PS0199CA8F08C270B5A5B0DFD3B565B333",
    ),
    DemoStaff(
        "admin@example.com",
        Role.ADMIN,
        "Ana",
        "Díaz",
        "PS0199CA8F08C270B5A5B0DFD3B565B334",
    ),
)


def demo_password() -> str:
    return settings.DEMO_PASSWORD or DEFAULT_DEMO_PASSWORD


@transaction.atomic
def demo_data_seed(*, password: str) -> list[User]:
    """The tenant of this deployment and one staff member per role; safe to run again."""
    tenant = tenant_ensure(
        name="Demo Wealth Partners", altafid_uuid=str(settings.ALTAFID_TENANT_UUID)
    )
    return [
        staff_ensure(
            email=person.email,
            password=password,
            role=person.role,
            tenants=[tenant],
            first_name=person.first_name,
            last_name=person.last_name,
            altafid_staff_uuid=person.altafid_staff_uuid,
        )
        for person in DEMO_STAFF
    ]
