"""Two-factor sign-in: enrolment, the second step, recovery codes, roles that must use it."""

import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from onboarding.accounts.roles import Role
from tests.factories import PASSWORD, TenantFactory, staff_create

pytestmark = pytest.mark.django_db


def _code(device, *, steps_ahead=0):
    """The code the app shows; `steps_ahead` for a later step, as a code is taken only once."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def _log_in(client, user):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})


def _enrol(client):
    page = client.get(reverse("accounts:two-factor-setup"))
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(reverse("accounts:two-factor-setup"), {"token": _code(device)})
    codes = client.get(response.url).content.decode()
    return page, device, re.findall(r"<li><code>(\w+)</code></li>", codes)


@pytest.fixture
def officer():
    return staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[TenantFactory()])


def test_it_enrols_with_a_qr_code_and_shows_recovery_codes_once(client, officer):
    _log_in(client, officer)

    page, device, codes = _enrol(client)

    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert len(codes) == 10
    assert client.get(reverse("accounts:two-factor-codes")).status_code == 302


def test_it_asks_an_enrolled_person_for_a_code_after_the_password(client, officer):
    _log_in(client, officer)
    _page, device, _codes = _enrol(client)
    client.logout()

    _log_in(client, officer)
    device.refresh_from_db()
    held = client.get(reverse("cases:list"))
    right = client.post(
        reverse("accounts:two-factor-verify"),
        {"token": _code(device, steps_ahead=1), "next": "/cases/"},
    )

    assert held.status_code == 302
    assert held.url.startswith(reverse("accounts:two-factor-verify"))
    assert right.status_code == 302
    assert right.url == "/cases/"
    assert client.get(reverse("cases:list")).status_code == 200


def test_it_takes_a_recovery_code_once(client, officer):
    _log_in(client, officer)
    _page, _device, codes = _enrol(client)
    client.logout()

    _log_in(client, officer)
    first = client.post(reverse("accounts:two-factor-verify"), {"token": codes[0]})
    client.logout()
    _log_in(client, officer)
    again = client.post(reverse("accounts:two-factor-verify"), {"token": codes[0]})

    assert first.status_code == 302
    assert again.status_code == 422


def test_it_makes_officers_and_admins_enrol_when_required(client, officer, settings):
    settings.TWO_FACTOR_REQUIRED = True
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[TenantFactory()])

    _log_in(client, officer)
    held = client.get(reverse("cases:list"))
    htmx = client.get(reverse("cases:list"), HTTP_HX_REQUEST="true")
    client.logout()
    _log_in(client, rm)

    assert held.url.startswith(reverse("accounts:two-factor-setup"))
    assert htmx["HX-Redirect"].startswith(reverse("accounts:two-factor-setup"))
    assert client.get(reverse("cases:list")).status_code == 200


def test_it_refuses_a_wrong_first_code_and_keeps_the_device_unconfirmed(client, officer):
    _log_in(client, officer)
    client.get(reverse("accounts:two-factor-setup"))

    response = client.post(reverse("accounts:two-factor-setup"), {"token": "123456"})

    assert response.status_code == 422
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_it_refuses_a_wrong_code_and_slows_down_guesses(client, officer):
    _log_in(client, officer)
    _page, device, _codes = _enrol(client)
    client.logout()
    _log_in(client, officer)
    device.refresh_from_db()

    wrong = client.post(reverse("accounts:two-factor-verify"), {"token": "000000"})
    # django-otp throttles a device after a failure: even the right code waits a moment.
    right_too_soon = client.post(
        reverse("accounts:two-factor-verify"), {"token": _code(device, steps_ahead=1)}
    )

    assert wrong.status_code == 422
    assert right_too_soon.status_code == 422
    assert client.get(reverse("cases:list")).status_code == 302
