"""Sessions that end when idle, and passwords staff change or reset themselves."""

import re
import time

import pytest
from django.core import mail
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.web.middleware import LAST_SEEN_KEY
from tests.factories import PASSWORD, TenantFactory, staff_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def rm():
    return staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[TenantFactory()])


def test_it_signs_out_after_the_idle_time(client, rm, settings):
    settings.SESSION_IDLE_SECONDS = 600
    client.force_login(rm)
    assert client.get(reverse("cases:list")).status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 601
    session.save()

    response = client.get(reverse("cases:list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert client.get(reverse("cases:list")).status_code == 302


def test_it_keeps_an_active_person_signed_in(client, rm, settings):
    settings.SESSION_IDLE_SECONDS = 600
    client.force_login(rm)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 599
    session.save()

    assert client.get(reverse("cases:list")).status_code == 200
    assert client.session[LAST_SEEN_KEY] >= int(time.time()) - 1


def test_it_sends_htmx_to_the_login_page_when_idle(client, rm, settings):
    client.force_login(rm)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 1
    session.save()

    response = client.get(reverse("cases:list"), HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"].startswith(reverse("accounts:login"))


def test_it_lets_staff_change_their_password(client, rm):
    client.force_login(rm)

    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-pass-2026",
            "new_password2": "a-brand-new-pass-2026",
        },
    )

    assert response.status_code == 302
    rm.refresh_from_db()
    assert rm.check_password("a-brand-new-pass-2026")


def test_it_refuses_a_common_password(client, rm):
    client.force_login(rm)

    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": "password123", "new_password2": "password123"},
    )

    assert response.status_code == 200
    assert "too common" in response.content.decode()


@pytest.mark.django_db(transaction=True)  # its e-mail is handed over once the reset commits
def test_it_says_the_same_whether_an_address_has_an_account_or_not(client, rm):
    known = client.post(reverse("accounts:password-reset"), {"email": rm.email}, follow=True)
    unknown = client.post(
        reverse("accounts:password-reset"), {"email": "nobody@example.com"}, follow=True
    )

    def said(response):
        return re.search(r'<li class="message[^"]*">([^<]+)</li>', response.content.decode())[1]

    assert said(known) == said(unknown)
    assert [message.to for message in mail.outbox] == [[rm.email]]


@pytest.mark.django_db(transaction=True)  # its e-mail is handed over once the reset commits
def test_it_resets_a_forgotten_password_with_a_single_use_link(client, rm):
    client.post(reverse("accounts:password-reset"), {"email": rm.email})
    link = re.search(r"https?://[^/]+(/password/reset/\S+)", mail.outbox[0].body)[1]

    form = client.get(link, follow=True)
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-reset-pass-2026", "new_password2": "a-reset-pass-2026"},
    )

    assert response.status_code == 302
    rm.refresh_from_db()
    assert rm.check_password("a-reset-pass-2026")
    client.logout()
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_it_names_cookies_host_only_in_production():
    import os
    import runpy

    from django.conf import settings

    from tests.test_settings import PRODUCTION_ENV

    saved = {name: os.environ.get(name) for name in PRODUCTION_ENV}
    os.environ.update(PRODUCTION_ENV)
    try:
        loaded = runpy.run_path(str(settings.BASE_DIR / "onboarding" / "settings.py"))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    assert loaded["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert loaded["CSRF_COOKIE_NAME"] == "__Host-csrftoken"


@pytest.mark.django_db(transaction=True)  # its e-mail is handed over once the reset commits
def test_it_sends_the_reset_link_whatever_the_case_of_the_address(client, rm):
    client.post(reverse("accounts:password-reset"), {"email": rm.email.upper()})

    assert [message.to for message in mail.outbox] == [[rm.email]]


def test_it_does_not_revive_sessions_when_django_admin_deactivates_and_reactivates(client, rm):
    client.post(reverse("accounts:login"), {"username": rm.email, "password": PASSWORD})
    assert client.get(reverse("cases:list")).status_code == 200

    rm.is_active = False
    rm.save()
    rm.is_active = True
    rm.save()

    assert client.get(reverse("cases:list")).status_code == 302


def test_it_keeps_sessions_of_people_never_deactivated(client, rm):
    client.post(reverse("accounts:login"), {"username": rm.email, "password": PASSWORD})

    rm.first_name = "Rosa María"
    rm.save()

    assert client.get(reverse("cases:list")).status_code == 200


def _said(response):
    return re.search(r'<li class="message[^"]*">([^<]+)</li>', response.content.decode())[1]


@pytest.mark.django_db(transaction=True)  # its e-mail is handed over once the reset commits
def test_it_sends_an_address_at_most_its_reset_e_mails_an_hour_and_says_the_same(
    client, rm, settings
):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    answers = [
        client.post(
            reverse("accounts:password-reset"),
            {"email": rm.email},
            REMOTE_ADDR=f"198.51.100.{attempt}",
            follow=True,
        )
        for attempt in range(3)
    ]
    unknown = client.post(
        reverse("accounts:password-reset"), {"email": "nobody@example.com"}, follow=True
    )

    assert len(mail.outbox) == 2
    assert {(answer.redirect_chain[-1], _said(answer)) for answer in [*answers, unknown]} == {
        (unknown.redirect_chain[-1], _said(unknown))
    }


@pytest.mark.django_db(transaction=True)  # its e-mail is handed over once the reset commits
def test_it_sends_at_most_its_reset_e_mails_an_hour_asked_from_one_ip_address(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 2
    people = [staff_create(role=Role.RELATIONSHIP_MANAGER) for _ in range(3)]

    for person in people:
        client.post(reverse("accounts:password-reset"), {"email": person.email})
    client.post(
        reverse("accounts:password-reset"), {"email": people[2].email}, REMOTE_ADDR="192.0.2.1"
    )

    assert [message.to for message in mail.outbox] == [
        [people[0].email],
        [people[1].email],
        [people[2].email],
    ]
