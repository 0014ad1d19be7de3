import ast
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from onboarding.accounts.permissions import (
    REFUSED,
    ROLES,
    Can,
    user_may,
    user_must,
    user_permissions,
    users_who_may,
)
from onboarding.accounts.roles import Role
from tests.factories import TenantFactory, staff_create

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2] / "onboarding"

# The only modules that read a person's role for themselves: the table, where the role is
# worked out, the second factor's rule, the page header's badge, the staff pages (a role is
# their data) and the home page (each role has its own).
READS_ROLES = {
    "accounts/permissions.py",
    "accounts/services.py",
    "accounts/two_factor.py",
    "accounts/context_processors.py",
    "home/views.py",
}


def test_it_gives_each_role_exactly_what_the_table_says():
    tenant = TenantFactory()
    for role in Role:
        person = staff_create(role=role, tenants=[tenant])
        for can in Can:
            if can == Can.CHANGE:
                continue
            assert user_may(user=person, can=can, tenant=tenant) == (role in ROLES[can]), (
                role,
                can,
            )


def test_it_lets_only_the_owner_change_a_case():
    tenant = TenantFactory()
    owner = staff_create(tenants=[tenant])
    colleague = staff_create(tenants=[tenant])
    admin = staff_create(role=Role.ADMIN, tenants=[tenant])
    case = SimpleNamespace(tenant_id=tenant.pk, owner_id=owner.pk)

    assert user_may(user=owner, can=Can.CHANGE, case=case)
    assert not user_may(user=colleague, can=Can.CHANGE, case=case)
    assert not user_may(user=admin, can=Can.CHANGE, case=case)
    assert not user_may(user=owner, can=Can.CHANGE)


def test_it_refuses_a_case_or_tenant_of_which_the_person_is_not_part():
    mine, theirs = TenantFactory(), TenantFactory()
    admin = staff_create(role=Role.ADMIN, tenants=[mine])
    owner = staff_create(tenants=[mine])
    elsewhere = SimpleNamespace(tenant_id=theirs.pk, owner_id=owner.pk)

    assert user_may(user=admin, can=Can.OPERATE, tenant=mine)
    assert not user_may(user=admin, can=Can.OPERATE, tenant=theirs)
    assert not user_may(user=admin, can=Can.REASSIGN, case=elsewhere)
    assert not user_may(user=owner, can=Can.CHANGE, case=elsewhere)


def test_it_refuses_with_the_plain_reason():
    officer = staff_create(role=Role.COMPLIANCE_OFFICER)

    with pytest.raises(PermissionDenied) as refused:
        user_must(user=officer, can=Can.START)

    assert str(refused.value) == str(REFUSED[Can.START])
    assert set(REFUSED) == set(Can) == set(ROLES)


def test_it_lists_everything_a_person_may_do_for_a_page():
    tenant = TenantFactory()
    owner = staff_create(tenants=[tenant])
    case = SimpleNamespace(tenant_id=tenant.pk, owner_id=owner.pk)

    may = user_permissions(user=owner, case=case)

    assert {name for name, allowed in may.items() if allowed} == {"start", "change"}


def test_it_finds_the_active_people_of_a_tenant_whose_role_allows_it():
    tenant = TenantFactory()
    officer = staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant])
    staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant], is_active=False)
    staff_create(role=Role.COMPLIANCE_OFFICER)
    staff_create(tenants=[tenant])

    assert list(users_who_may(can=Can.DECIDE, tenant=tenant)) == [officer]


def test_it_keeps_every_role_rule_in_the_permissions_table():
    found = []
    for path in ROOT.rglob("*.py"):
        name = path.relative_to(ROOT).as_posix()
        if name in READS_ROLES or "/migrations/" in name or name.startswith(("staff/", "core/")):
            continue
        if "demo" in name or "seed_demo" in name:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "user_role":
                found.append(f"{name}:{node.lineno}")
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "Role"
                and node.attr in Role.names
            ):
                found.append(f"{name}:{node.lineno} Role.{node.attr}")
    assert found == []
