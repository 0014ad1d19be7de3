"""The probe's attack on two-factor sign-in, over real HTTP: with only an enrolled officer's
password, a fresh secret from the setup page must not open the officer's pages."""

import re
import time

import httpx
import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from onboarding.accounts.roles import Role
from onboarding.accounts.two_factor import totp_enrol
from tests.factories import PASSWORD, TenantFactory, staff_create

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def test_it_opens_nothing_to_a_stolen_password_over_http(live_server):
    officer = staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[TenantFactory()])
    enrolling = TOTPDevice.objects.create(user=officer, name="authenticator", confirmed=False)
    session: dict[str, object] = {}
    assert totp_enrol(user=officer, device=enrolling, token=_code(enrolling), session=session)

    with httpx.Client(base_url=live_server.url) as attacker:
        login = attacker.get("/login/")
        signed_in = attacker.post(
            "/login/",
            data={
                "username": officer.email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": _csrf(login),
            },
        )
        setup = attacker.get("/two-factor/setup/")
        confirm = attacker.get("/two-factor/confirm/")
        planted = TOTPDevice.objects.create(user=officer, name="planted", confirmed=False)
        enrol = attacker.post(
            "/two-factor/setup/",
            data={"token": _code(planted), "csrfmiddlewaretoken": _csrf(confirm)},
        )
        queue = attacker.get("/kyc/")

    assert signed_in.status_code == 302
    assert setup.status_code == 302
    assert setup.headers["location"] == "/two-factor/confirm/"
    assert not SECRET.search(setup.text + confirm.text)
    assert enrol.status_code == 302
    assert enrol.headers["location"] == "/two-factor/confirm/"
    assert queue.status_code == 302
    assert queue.headers["location"].startswith("/two-factor/?next=")
    assert list(TOTPDevice.objects.filter(user=officer, confirmed=True)) == [enrolling]
    assert StaticToken.objects.filter(device__user=officer).count() == 10
