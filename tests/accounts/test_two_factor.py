"""Two-factor sign-in: enrolment, the second step, recovery codes, roles that must use it."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from onboarding.accounts.models import User
from onboarding.accounts.roles import Role
from onboarding.accounts.two_factor import (
    REAUTHENTICATED_SECONDS,
    REAUTHENTICATED_SESSION_KEY,
    totp_secret,
)
from onboarding.audit.models import Event, EventKind
from tests.factories import PASSWORD, TenantFactory, staff_create, verified_login

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


def _enrolled(client, user):
    """`user` enrolled, then signed out: what a stolen password meets."""
    _log_in(client, user)
    _page, device, codes = _enrol(client)
    client.logout()
    mail.outbox.clear()
    return device, codes


def test_it_keeps_a_password_only_session_away_from_a_new_secret(client, officer):
    device, _codes = _enrolled(client, officer)
    _log_in(client, officer)

    setup = client.get(reverse("accounts:two-factor-setup"))
    # Even with a secret obtained some other way, its code enrols nothing.
    planted = TOTPDevice.objects.create(user=officer, name="planted", confirmed=False)
    posted = client.post(reverse("accounts:two-factor-setup"), {"token": _code(planted)})

    assert setup.status_code == 302
    assert setup.url == reverse("accounts:two-factor-confirm")
    assert posted.url == reverse("accounts:two-factor-confirm")
    planted.refresh_from_db()
    assert not planted.confirmed
    assert list(TOTPDevice.objects.filter(confirmed=True)) == [device]
    assert StaticToken.objects.filter(device__user=officer).count() == 10
    assert client.get(reverse("kyc:queue")).url.startswith(reverse("accounts:two-factor-verify"))
    assert mail.outbox == []


def test_it_asks_a_signed_in_person_for_password_and_code_before_a_new_device(client, officer):
    _enrolled(client, officer)
    verified_login(client, officer)

    setup = client.get(reverse("accounts:two-factor-setup"))

    assert setup.url == reverse("accounts:two-factor-confirm")
    assert not TOTPDevice.objects.filter(confirmed=False).exists()


def test_it_replaces_the_device_after_password_and_code_and_tells_the_person(
    client, officer, django_capture_on_commit_callbacks
):
    old, old_codes = _enrolled(client, officer)
    _log_in(client, officer)

    confirmed = client.post(
        reverse("accounts:two-factor-confirm"),
        {"password": PASSWORD, "token": _code(old, steps_ahead=1)},
    )
    page = client.get(reverse("accounts:two-factor-setup"))
    new = TOTPDevice.objects.get(confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        enrolled = client.post(reverse("accounts:two-factor-setup"), {"token": _code(new)})

    assert confirmed.url == reverse("accounts:two-factor-setup")
    assert "Set up your new authenticator" in page.content.decode()
    assert enrolled.url == reverse("accounts:two-factor-codes")
    assert list(TOTPDevice.objects.filter(user=officer)) == [new]
    assert not StaticToken.objects.filter(token__in=old_codes).exists()
    events = Event.objects.filter(staff=officer, kind=EventKind.TWO_FACTOR_REPLACED)
    assert [(e.tenant, e.actor) for e in events] == [(officer.staff_profile.tenants.get(), officer)]
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert "replaced" in mail.outbox[0].body


def test_it_takes_a_recovery_code_to_replace_a_lost_phone(client, officer):
    _old, codes = _enrolled(client, officer)
    _log_in(client, officer)

    confirmed = client.post(
        reverse("accounts:two-factor-confirm"), {"password": PASSWORD, "token": codes[3]}
    )
    client.get(reverse("accounts:two-factor-setup"))
    new = TOTPDevice.objects.get(confirmed=False)
    client.post(reverse("accounts:two-factor-setup"), {"token": _code(new)})

    assert confirmed.url == reverse("accounts:two-factor-setup")
    assert list(TOTPDevice.objects.filter(user=officer, confirmed=True)) == [new]


@pytest.mark.parametrize(
    ("password", "token", "field"),
    [("wrong-password", None, "password"), (PASSWORD, "000000", "token"), (PASSWORD, "", "token")],
)
def test_it_refuses_a_confirmation_without_both_factors(client, officer, password, token, field):
    old, _codes = _enrolled(client, officer)
    _log_in(client, officer)

    response = client.post(
        reverse("accounts:two-factor-confirm"),
        {"password": password, "token": _code(old, steps_ahead=1) if token is None else token},
    )

    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert client.get(reverse("accounts:two-factor-setup")).url == reverse(
        "accounts:two-factor-confirm"
    )


def test_it_asks_again_when_the_confirmation_is_old(client, officer):
    old, _codes = _enrolled(client, officer)
    _log_in(client, officer)
    client.post(
        reverse("accounts:two-factor-confirm"),
        {"password": PASSWORD, "token": _code(old, steps_ahead=1)},
    )
    session = client.session
    session[REAUTHENTICATED_SESSION_KEY] -= REAUTHENTICATED_SECONDS + 1
    session.save()

    assert client.get(reverse("accounts:two-factor-setup")).url == reverse(
        "accounts:two-factor-confirm"
    )


def test_it_rotates_the_session_key_when_the_second_factor_is_given(client, officer):
    device, _codes = _enrolled(client, officer)
    _log_in(client, officer)
    before = client.session.session_key

    client.post(reverse("accounts:two-factor-verify"), {"token": _code(device, steps_ahead=1)})

    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get(reverse("kyc:queue")).status_code == 200


def test_it_records_and_mails_a_first_enrolment(
    client, officer, django_capture_on_commit_callbacks
):
    _log_in(client, officer)

    with django_capture_on_commit_callbacks(execute=True):
        _enrol(client)

    assert Event.objects.filter(staff=officer, kind=EventKind.TWO_FACTOR_ENROLLED).count() == 1
    assert [m.to for m in mail.outbox] == [[officer.email]]


def test_it_makes_deployment_superusers_give_a_second_factor(client, settings):
    settings.TWO_FACTOR_REQUIRED = False
    superuser = User.objects.create_superuser(email="root@example.com", password=PASSWORD)
    client.post(reverse("accounts:login"), {"username": superuser.email, "password": PASSWORD})

    held = client.get("/admin/")
    client.get(reverse("accounts:two-factor-setup"))
    device = TOTPDevice.objects.get(user=superuser)
    client.post(reverse("accounts:two-factor-setup"), {"token": _code(device)})

    assert held.url.startswith(reverse("accounts:two-factor-setup"))
    assert client.get("/admin/").status_code == 200


def test_it_keeps_django_admin_from_an_unverified_superuser(client):
    superuser = User.objects.create_superuser(email="root@example.com", password=PASSWORD)
    client.force_login(superuser)

    response = client.get("/admin/", follow=False)

    assert response.status_code == 302
    assert "two-factor" in response.url


@pytest.fixture
def superuser_client(client):
    superuser = User.objects.create_superuser(email="root@example.com", password=PASSWORD)
    verified_login(client, superuser)
    client.superuser = superuser
    return client


def test_it_shows_no_totp_key_or_recovery_code_in_django_admin(superuser_client, officer):
    _enrolled(Client(), officer)
    device = TOTPDevice.objects.get(user=officer)
    static = StaticDevice.objects.get(user=officer)
    key_as_typed = totp_secret(device=device).replace(" ", "")

    pages = [
        superuser_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/"),
        superuser_client.get("/admin/otp_totp/totpdevice/"),
        superuser_client.get(f"/admin/otp_static/staticdevice/{static.pk}/change/"),
    ]
    config = superuser_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/")
    add = superuser_client.get("/admin/otp_totp/totpdevice/add/")

    for page in pages:
        text = page.content.decode()
        assert page.status_code == 200
        assert device.key not in text
        assert key_as_typed not in text
        assert not any(t.token in text for t in StaticToken.objects.filter(device=static))
    assert config.status_code in (302, 404)
    assert add.status_code == 403


def test_it_resets_a_persons_second_factor_from_django_admin_and_records_it(
    superuser_client, officer, django_capture_on_commit_callbacks
):
    _enrolled(Client(), officer)
    device = TOTPDevice.objects.get(user=officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}
        )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    event = Event.objects.get(staff=officer, kind=EventKind.TWO_FACTOR_RESET)
    assert event.actor == superuser_client.superuser
    assert [m.to for m in mail.outbox] == [[officer.email]]
