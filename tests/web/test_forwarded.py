"""The client's address behind the TLS proxy: believed from the proxy alone."""

from ipaddress import ip_network

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.web.middleware import ForwardedForMiddleware
from tests.factories import PASSWORD, TenantFactory, staff_create

PROXY = "172.29.254.14"
ATTACKER = "203.0.113.9"
VICTIM = "198.51.100.7"


@pytest.fixture(autouse=True)
def proxy(settings):
    settings.TRUSTED_PROXIES = (ip_network(f"{PROXY}/32"),)
    settings.AXES_FAILURE_LIMIT = 3


def _address(**meta: str) -> str:
    seen = ForwardedForMiddleware(lambda request: HttpResponse(request.META["REMOTE_ADDR"]))
    return seen(RequestFactory().get("/", **meta)).content.decode()


def _log_in(client, email, password, **meta):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, **meta)


def test_it_takes_the_address_the_proxy_saw():
    assert _address(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=VICTIM) == VICTIM
    assert _address(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{ATTACKER}, {VICTIM}") == VICTIM
    assert _address(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="2001:db8::7") == "2001:db8::7"


@pytest.mark.parametrize(
    "meta",
    [
        {"REMOTE_ADDR": ATTACKER, "HTTP_X_FORWARDED_FOR": VICTIM},
        {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "not-an-address"},
        {"REMOTE_ADDR": PROXY},
    ],
)
def test_it_keeps_the_peer_when_it_is_not_the_proxy_or_names_no_address(meta):
    assert _address(**meta) == meta["REMOTE_ADDR"]


@pytest.mark.django_db
def test_it_locks_out_the_attacker_behind_the_proxy_and_lets_the_victim_in(client):
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[TenantFactory()])
    for _ in range(3):
        _log_in(client, rm.email, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)

    locked = _log_in(client, rm.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    victim = _log_in(client, rm.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=VICTIM)

    assert "Too many failed logins" in locked.content.decode()
    assert victim.status_code == 302


@pytest.mark.django_db
def test_it_does_not_let_a_client_name_another_address_to_escape_its_lockout(client):
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[TenantFactory()])
    for _ in range(3):
        _log_in(client, rm.email, "wrong", REMOTE_ADDR=ATTACKER)

    disguised = _log_in(
        client, rm.email, PASSWORD, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=VICTIM
    )

    assert "Too many failed logins" in disguised.content.decode()
