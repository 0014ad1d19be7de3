"""The e-mails go from a real worker process, through the broker, to a mail server."""

import time

import pytest
from django.db import transaction
from django.utils import timezone

from onboarding.outbox.models import MailKind, OutgoingMail
from onboarding.outbox.services import mail_queue
from onboarding.outbox.tasks import retry_mails
from tests.outbox.smtp import MailServer
from tests.submissions.workers import worker_environment, worker_start, workers

# A bound for waiting on the worker, so a broken broker fails the test instead of hanging it.
WORKER_WAIT_SECONDS = 120


@pytest.fixture
def mail_server():
    server = MailServer()
    yield server
    server.stop()


def _mail_environment(sandbox, port):
    return worker_environment(
        sandbox,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_USE_TLS="false",
        EMAIL_DISABLED="false",
    )


def _wait_for(condition):
    deadline = time.monotonic() + WORKER_WAIT_SECONDS
    while time.monotonic() < deadline and not condition():
        time.sleep(0.1)
    return condition()


@pytest.mark.mail_broker
@pytest.mark.django_db(transaction=True)
def test_it_sends_a_committed_mail_from_a_worker_process(sandbox, mail_server):
    with workers() as started:
        started.append(worker_start(_mail_environment(sandbox, mail_server.port)))
        with transaction.atomic():
            queued = mail_queue(
                kind=MailKind.TWO_FACTOR_CHANGE,
                to=["rosa@example.com"],
                subject="Your two-factor sign-in changed",
                body="If it was not you, tell your administrator.",
            )

        assert _wait_for(lambda: not OutgoingMail.objects.filter(pk=queued.pk).exists())

    assert [(message["To"], message["Subject"]) for message in mail_server.received] == [
        ("rosa@example.com", "Your two-factor sign-in changed")
    ]


@pytest.mark.mail_broker
@pytest.mark.django_db(transaction=True)
def test_it_keeps_a_mail_the_server_refused_until_the_sweep_sends_it(sandbox, mail_server):
    port = mail_server.port
    mail_server.stop()
    with workers() as started:
        started.append(worker_start(_mail_environment(sandbox, port)))
        queued = mail_queue(
            kind=MailKind.ALERT, to=["admin@example.com"], subject="Alert", body="Steps wait."
        )
        assert _wait_for(lambda: OutgoingMail.objects.filter(pk=queued.pk, tries=1).exists())
        assert OutgoingMail.objects.get(pk=queued.pk).last_error == "ConnectionRefusedError"

        back = MailServer(port=port)
        try:
            # The pause after a failure, over; then the beat's sweep, as it runs every minute.
            OutgoingMail.objects.filter(pk=queued.pk).update(next_try_at=timezone.now())
            retry_mails.delay()
            assert _wait_for(lambda: not OutgoingMail.objects.exists())
        finally:
            back.stop()

    assert [message["Subject"] for message in back.received] == ["Alert"]
