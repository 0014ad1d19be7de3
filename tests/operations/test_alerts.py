"""Alerts to a tenant's admins: one e-mail per incident, one when it clears."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from onboarding.accounts.roles import Role
from onboarding.health.tasks import record_worker_heartbeat
from onboarding.operations.alerts import alerts_check
from onboarding.operations.models import Incident
from onboarding.submissions.models import Step, StepState
from tests.factories import staff_create
from tests.submissions.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tenant):
    return staff_create(role=Role.ADMIN, tenants=[tenant], email="ana@example.com")


def _run(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return alerts_check(**kwargs)


def test_it_tells_admins_once_when_no_worker_is_seen_and_once_when_one_is(
    tenant, admin, django_capture_on_commit_callbacks
):
    assert _run(django_capture_on_commit_callbacks) == 1
    assert _run(django_capture_on_commit_callbacks) == 0
    record_worker_heartbeat(token="back")
    assert _run(django_capture_on_commit_callbacks) == 1

    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        f"Alert for {tenant.name}: No worker is running submissions",
        f"Cleared for {tenant.name}: No worker is running submissions",
    ]
    assert mail.outbox[0].to == [admin.email]
    assert Incident.objects.get().closed_at is not None


def test_it_alerts_on_a_step_left_needing_attention(
    ready_case, rm, admin, settings, django_capture_on_commit_callbacks
):
    record_worker_heartbeat(token="up")
    settings.ALERT_STUCK_MINUTES = 30
    submit(ready_case, rm)
    Step.objects.filter(case=ready_case, kind="create").update(
        state=StepState.NEEDS_ATTENTION,
        finished_at=timezone.now() - datetime.timedelta(minutes=31),
    )

    sent = _run(django_capture_on_commit_callbacks)

    assert sent == 1
    assert "Steps wait for an administrator's decision" in mail.outbox[0].subject
    assert "steps: 1" in mail.outbox[0].body
    assert "Juan" not in mail.outbox[0].body


def test_it_alerts_on_the_failure_rate_over_the_threshold(
    ready_case, rm, admin, settings, sandbox, django_capture_on_commit_callbacks
):
    from onboarding.submissions.worker import step_run

    record_worker_heartbeat(token="up")
    settings.ALERT_FAILURE_MIN_TRIES = 2
    settings.ALERT_FAILURE_RATE = 0.5
    submit(ready_case, rm)
    sandbox.fail_next("unavailable", method="POST", path_prefix="/api/contacts")
    step_run(step_id=Step.objects.get(case=ready_case, kind="create").pk)
    Step.objects.filter(case=ready_case, kind="create").update(run_after=timezone.now())
    sandbox.fail_next("unavailable", method="POST", path_prefix="/api/contacts")
    step_run(step_id=Step.objects.get(case=ready_case, kind="create").pk)

    assert _run(django_capture_on_commit_callbacks) == 1
    assert "Many Altafid calls are failing" in mail.outbox[0].subject
    assert "rate: 1.0" in mail.outbox[0].body
    later = timezone.now() + datetime.timedelta(minutes=16)
    assert _run(django_capture_on_commit_callbacks, now=later) == 1
    assert "Cleared" in mail.outbox[1].subject


def test_it_opens_the_incident_though_the_mail_server_is_down(
    tenant, admin, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there

    assert _run(django_capture_on_commit_callbacks) == 1

    assert Incident.objects.get().closed_at is None
    assert "could not send the alert e-mail (ConnectionRefusedError)" in caplog.text
    assert admin.email not in caplog.text
