"""Sign-in that resists guessing: locked out per username and address, for a while."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from onboarding.accounts.roles import Role
from tests.factories import PASSWORD, TenantFactory, staff_create

pytestmark = pytest.mark.django_db
ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}
VICTIM = {"REMOTE_ADDR": "198.51.100.7"}


@pytest.fixture
def rm():
    return staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[TenantFactory()])


def _log_in(client, email, password, **where):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **where
    )


def test_it_locks_the_attacker_out_and_lets_the_victim_in_from_elsewhere(client, rm, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, rm.email, "wrong-password", **ATTACKER)

    locked = _log_in(client, rm.email, PASSWORD, **ATTACKER)
    victim = client.__class__()
    allowed = _log_in(victim, rm.email, PASSWORD, **VICTIM)

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert allowed.status_code == 302
    attempt = AccessAttempt.objects.get()
    assert "wrong-password" not in str(attempt.post_data)


def test_it_counts_failures_on_the_django_admin_login_too(client, rm, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {"username": rm.email, "password": "nope"}, **ATTACKER)

    response = _log_in(client, rm.email, PASSWORD, **ATTACKER)

    assert response.status_code == 429


def test_it_forgets_failures_after_a_success(client, rm, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, rm.email, "wrong-password", **ATTACKER)
    assert _log_in(client, rm.email, PASSWORD, **ATTACKER).status_code == 302
    client.logout()

    _log_in(client, rm.email, "wrong-password", **ATTACKER)

    assert _log_in(client, rm.email, PASSWORD, **ATTACKER).status_code == 302


def test_it_counts_an_address_written_in_any_case_as_one(client, rm, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        address = rm.email.upper() if attempt % 2 else rm.email.title()
        _log_in(client, address, "wrong-password", **ATTACKER)

    response = _log_in(client, rm.email, PASSWORD, **ATTACKER)

    assert response.status_code == 429
    assert AccessAttempt.objects.get().username == rm.email
