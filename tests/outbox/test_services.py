import datetime

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from onboarding.outbox.models import MailKind, OutgoingMail
from onboarding.outbox.services import (
    CLAIM,
    FIRST_PAUSE,
    GIVEN_UP_SHOWN_FOR,
    LONGEST_PAUSE,
    RETRIED_FOR,
    mail_queue,
    outgoing_mail_send,
    outgoing_mails_retry,
)
from tests.notices.test_notices import MAIL_SERVER_DOWN

pytestmark = pytest.mark.django_db

SECRET_LINK = "https://onboarding.example.com/invitation/MQ/set-abc123/"


def _queue(**fields):
    values = {
        "kind": MailKind.INVITATION,
        "to": ["nuevo@example.com"],
        "subject": "You are invited",
        "body": f"Choose your password: {SECRET_LINK}",
    }
    return mail_queue(**{**values, **fields})


def _mail_server_down(settings):
    for name, value in MAIL_SERVER_DOWN.items():
        setattr(settings, name, value)


def _mail_server_back(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_it_hands_the_worker_the_mails_id_once_its_transaction_commits(
    mail_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = _queue()
        assert mail_worker == []
        assert mail.outbox == []

    assert mail_worker == [queued.pk]
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["nuevo@example.com"], "You are invited")
    ]
    assert not OutgoingMail.objects.exists()


def test_it_sends_nothing_for_a_transaction_rolled_back(
    mail_worker, django_capture_on_commit_callbacks
):
    def decide_and_fail():
        with transaction.atomic():
            _queue()
            raise RuntimeError("the decision failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        decide_and_fail()

    assert mail_worker == []
    assert mail.outbox == []
    assert not OutgoingMail.objects.exists()


def test_it_keeps_the_address_and_the_link_encrypted_while_the_mail_waits():
    queued = _queue()

    with connection.cursor() as cursor:
        cursor.execute("SELECT message FROM outbox_outgoingmail WHERE id = %s", [queued.pk])
        stored = cursor.fetchone()[0]

    assert "nuevo@example.com" not in stored
    assert SECRET_LINK not in stored
    assert OutgoingMail.objects.get(pk=queued.pk).message["to"] == ["nuevo@example.com"]


def test_it_tries_again_after_pauses_that_grow_to_an_hour(settings, caplog):
    _mail_server_down(settings)
    queued = _queue()
    start = queued.created_at

    assert outgoing_mail_send(mail_id=queued.pk, now=start) is False
    kept = OutgoingMail.objects.get(pk=queued.pk)
    assert (kept.tries, kept.next_try_at, kept.claimed_until) == (1, start + FIRST_PAUSE, None)
    assert kept.last_error == "ConnectionRefusedError"
    assert outgoing_mails_retry(now=start + FIRST_PAUSE - datetime.timedelta(seconds=1)) == 0
    assert OutgoingMail.objects.get(pk=queued.pk).tries == 1

    assert outgoing_mails_retry(now=start + FIRST_PAUSE) == 0
    assert OutgoingMail.objects.get(pk=queued.pk).next_try_at == start + 3 * FIRST_PAUSE
    for _ in range(3, 12):
        due = OutgoingMail.objects.get(pk=queued.pk).next_try_at
        outgoing_mails_retry(now=due)
    kept = OutgoingMail.objects.get(pk=queued.pk)
    assert kept.tries == 11
    assert kept.next_try_at - due == LONGEST_PAUSE
    assert "nuevo@example.com" not in caplog.text
    assert SECRET_LINK not in caplog.text

    _mail_server_back(settings)
    assert outgoing_mails_retry(now=kept.next_try_at) == 1
    assert [message.to for message in mail.outbox] == [["nuevo@example.com"]]
    assert not OutgoingMail.objects.exists()


def test_it_leaves_a_mail_another_worker_is_sending():
    queued = _queue()
    now = timezone.now()
    OutgoingMail.objects.filter(pk=queued.pk).update(claimed_until=now + CLAIM)

    assert outgoing_mail_send(mail_id=queued.pk, now=now) is False
    assert outgoing_mails_retry(now=now) == 0
    assert mail.outbox == []


def test_it_takes_over_the_mail_of_a_worker_that_is_gone():
    queued = _queue()
    now = timezone.now()
    OutgoingMail.objects.filter(pk=queued.pk).update(claimed_until=now - datetime.timedelta(1))

    assert outgoing_mails_retry(now=now) == 1
    assert len(mail.outbox) == 1


def test_it_sends_a_mail_once_however_often_it_is_handed_over():
    queued = _queue()

    sent = [outgoing_mail_send(mail_id=queued.pk) for _ in range(3)]

    assert sent == [True, False, False]
    assert len(mail.outbox) == 1


def test_it_gives_up_a_day_after_and_forgets_the_message(settings, caplog):
    _mail_server_down(settings)
    queued = _queue(recipient_id=None)
    later = queued.created_at + RETRIED_FOR

    assert outgoing_mail_send(mail_id=queued.pk, now=queued.created_at) is False
    assert outgoing_mail_send(mail_id=queued.pk, now=later) is False

    kept = OutgoingMail.objects.get(pk=queued.pk)
    assert (kept.tries, kept.given_up_at, kept.message) == (2, later, {})
    assert f"gave up the invitation e-mail {queued.pk} after 2 tries" in caplog.text
    _mail_server_back(settings)
    assert outgoing_mails_retry(now=later + LONGEST_PAUSE) == 0
    assert mail.outbox == []


def test_it_forgets_a_mail_given_up_a_month_ago():
    now = timezone.now()
    recent = OutgoingMail.objects.create(kind=MailKind.ALERT, given_up_at=now - RETRIED_FOR)
    OutgoingMail.objects.create(kind=MailKind.ALERT, given_up_at=now - GIVEN_UP_SHOWN_FOR)

    outgoing_mails_retry(now=now + datetime.timedelta(seconds=1))

    assert list(OutgoingMail.objects.all()) == [recent]


def test_it_leaves_to_the_sweep_a_mail_the_broker_could_not_take(
    monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from onboarding.outbox.tasks import send_mail

    def broker_down(mail_id):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_mail, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        queued = _queue()

    assert mail.outbox == []
    assert outgoing_mails_retry(now=queued.created_at) == 1
    assert [message.to for message in mail.outbox] == [["nuevo@example.com"]]
