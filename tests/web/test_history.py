"""Back and Forward after an htmx filter: htmx asks again for the page it pushed, with
`HX-Request` and `HX-History-Restore-Request`; the answer is the whole page, not a fragment."""

import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from tests.factories import TenantFactory, staff_create, verified_login

pytestmark = pytest.mark.django_db

RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true", "HX-Current-URL": "/"}
# A list filtered with htmx, and who reads it.
LISTS = [
    ("cases:list", Role.RELATIONSHIP_MANAGER),
    ("staff:list", Role.ADMIN),
    ("kyc:queue", Role.COMPLIANCE_OFFICER),
    ("operations:failures", Role.ADMIN),
    ("notices:list", Role.RELATIONSHIP_MANAGER),
]


@pytest.mark.parametrize(("name", "role"), LISTS)
def test_it_answers_a_history_restore_with_the_whole_page(client, name, role):
    verified_login(client, staff_create(role=role, tenants=[TenantFactory()]))

    restored = client.get(reverse(name), headers=RESTORE)
    fragment = client.get(reverse(name), headers={"HX-Request": "true"})

    assert "<html" in restored.content.decode()
    assert "<html" not in fragment.content.decode()
    assert "HX-History-Restore-Request" in restored["Vary"]
