import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from onboarding.accounts.roles import Role
from onboarding.accounts.two_factor import totp_enrol
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, TenantFactory, staff_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # A wrong code answers 422 with the error at the field.
    pytest.mark.expect_http_status(422),
]


def _code(device, steps_ahead=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def _password_step(page, base, email):
    page.goto(base + reverse("accounts:login"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_it_enrols_an_officer_and_signs_them_in_with_a_code(live_server, page, settings):
    settings.TWO_FACTOR_REQUIRED = True
    base = live_server.url
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    officer = staff_create(
        role=Role.COMPLIANCE_OFFICER, tenants=[tenant], email="carla@example.com"
    )

    _password_step(page, base, officer.email)
    page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()
    assert page.locator("img.qr").get_attribute("src").startswith("data:image/svg+xml;base64,")
    screenshot(page, "two-factor-setup")
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_text("That code is not right").wait_for()
    time.sleep(1.1)  # django-otp's throttle after a wrong code
    page.get_by_label("Code").fill(_code(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    codes = re.findall(r"\b[a-z0-9]{8}\b", page.locator("ul.codes").inner_text())
    assert len(codes) == 10
    screenshot(page, "two-factor-codes")
    page.get_by_role("link", name="I have kept them").click()
    page.get_by_role("button", name="Log out").click()

    _password_step(page, base, officer.email)
    page.get_by_role("heading", name="Your code").wait_for()
    device.refresh_from_db()
    page.get_by_label("Code").fill(_code(device, steps_ahead=1))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="KYC reviews").wait_for()
    screenshot(page, "two-factor-signed-in")


def test_it_replaces_a_lost_authenticator_with_password_and_a_recovery_code(
    live_server, page, settings
):
    base = live_server.url
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    officer = staff_create(
        role=Role.COMPLIANCE_OFFICER, tenants=[tenant], email="carla@example.com"
    )
    old = TOTPDevice.objects.create(user=officer, name="authenticator", confirmed=False)
    codes = totp_enrol(user=officer, device=old, token=_code(old), session={})

    _password_step(page, base, officer.email)
    page.get_by_role("heading", name="Your code").wait_for()
    page.goto(base + reverse("accounts:two-factor-setup"))
    page.get_by_role("heading", name="Replace your authenticator").wait_for()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("A code from your authenticator app, or a recovery code").fill(codes[0])
    screenshot(page, "two-factor-confirm")
    page.get_by_role("button", name="Confirm and continue").click()
    page.get_by_role("heading", name="Set up your new authenticator").wait_for()
    screenshot(page, "two-factor-replace")
    new = TOTPDevice.objects.get(user=officer, confirmed=False)
    page.get_by_label("Code").fill(_code(new))
    page.get_by_role("button", name="Use the new authenticator").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()

    assert list(TOTPDevice.objects.filter(user=officer)) == [new]
