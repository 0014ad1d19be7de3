"""`/healthz` for orchestrators and the admins' health page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding.accounts.roles import Role
from onboarding.health.probes import altafid_probe_all
from onboarding.health.services import broker_check, probe_last
from onboarding.health.tasks import record_worker_heartbeat
from onboarding.outbox.models import MailKind, OutgoingMail
from onboarding.outbox.services import RETRIED_FOR
from tests.factories import TenantFactory, staff_create, verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant(settings):
    return TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)


@pytest.fixture
def admin(tenant):
    return staff_create(role=Role.ADMIN, tenants=[tenant])


def test_it_answers_anonymous_callers_with_a_status_and_nothing_else(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")


def test_it_gives_admins_who_gave_the_second_factor_the_details(client, admin):
    record_worker_heartbeat(token="direct")
    verified_login(client, admin)

    details = client.get(reverse("healthz")).json()

    assert details["database"] == "ok"
    assert details["cache"] == "ok"
    assert details["broker"] == "ok"
    assert details["worker_last_seen_seconds"] is not None


def test_it_gives_an_admin_signed_in_with_a_password_only_the_status(client, admin):
    client.force_login(admin)

    response = client.get(reverse("healthz"))

    assert response.content == b"ok\n"


def test_it_answers_503_when_the_broker_is_unreachable(client, settings):
    from onboarding.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get(reverse("healthz"))
    finally:
        app.conf.broker_url = previous

    assert response.status_code == 503
    assert response.content == b"unavailable\n"


def test_it_refuses_to_post_to_healthz(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_it_keeps_the_health_page_from_anyone_but_admins(client, tenant):
    assert client.get(reverse("health:status")).status_code == 302
    client.force_login(staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant]))
    assert client.get(reverse("health:status")).status_code == 403
    client.force_login(staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant]))
    assert client.get(reverse("health:status")).status_code == 403


def test_it_shows_probes_workers_and_lookup_ages_to_admins(client, admin, tenant, sandbox):
    record_worker_heartbeat(token="direct")
    assert altafid_probe_all() == 1
    client.force_login(admin)

    page = client.get(reverse("health:status")).content.decode()

    probe = probe_last(tenant_uuid=tenant.altafid_uuid)
    assert probe["ok"] is True
    assert probe["latency_ms"] >= 0
    assert "Andes Capital" in page
    assert "Reachable" in page
    assert "Last seen" in page
    assert "<code>countries</code>" in page


def test_it_records_an_unreachable_altafid(tenant, sandbox, settings):
    settings.ALTAFID_BASE_URL = "http://127.0.0.1:1"

    assert altafid_probe_all() == 0

    probe = probe_last(tenant_uuid=tenant.altafid_uuid)
    assert probe["ok"] is False
    assert "no answer" in probe["error"]


def test_it_counts_the_tasks_waiting_on_the_broker():
    found = broker_check()

    assert found.reachable is True
    assert found.queued is not None
    assert found.queued >= 0


@pytest.mark.parametrize(
    ("backend", "shown", "hidden"),
    [
        ("django.core.mail.backends.dummy.EmailBackend", "Disabled: no e-mail is sent", "By SMTP"),
        ("django.core.mail.backends.smtp.EmailBackend", "By SMTP", "Disabled"),
        ("django.core.mail.backends.console.EmailBackend", "Printed to the console", "Disabled"),
    ],
)
def test_it_tells_admins_how_e_mail_goes(client, admin, settings, backend, shown, hidden):
    settings.EMAIL_BACKEND = backend
    client.force_login(admin)

    page = client.get(reverse("health:status")).content.decode()

    assert '<th scope="row">E-mail</th>' in page
    assert shown in page
    assert hidden not in page


def test_it_tells_admins_of_e_mails_waiting_refused_and_given_up(client, admin):
    now = timezone.now()
    OutgoingMail.objects.create(kind=MailKind.ALERT, message={"to": ["a@example.com"]})
    OutgoingMail.objects.create(kind=MailKind.INVITATION, tries=3, last_error="SMTPException")
    OutgoingMail.objects.create(kind=MailKind.INVITATION, tries=9, given_up_at=now)
    OutgoingMail.objects.create(kind=MailKind.INVITATION, given_up_at=now - 2 * RETRIED_FOR)
    client.force_login(admin)

    page = client.get(reverse("health:status")).content.decode()

    assert "2 e-mails waiting for a worker, the oldest since" in page
    assert "1 refused by the mail server, tried again" in page
    assert "1 e-mail given up in the last day" in page
    assert "a@example.com" not in page


def test_it_says_nothing_of_e_mails_when_none_waits(client, admin):
    client.force_login(admin)

    page = client.get(reverse("health:status")).content.decode()

    assert "waiting for a worker" not in page
    assert "given up" not in page
