"""Keeping e-mails for a worker to send, sending them, and trying again those that failed.

`mail_queue` writes the e-mail in the caller's transaction and hands its id to a worker once
that commits; the beat's sweep (`outgoing_mails_retry`, every minute) sends what a worker could
not, or never got: a mail server that is down, a worker or a broker lost after the commit.
A mail is claimed before the mail server is asked, so two workers never send it at once, and
deleted once it went. One that still fails a day after it was made is given up: its message
is emptied and the person's page says so.
"""

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from onboarding.core.mail import mail_try
from onboarding.outbox.models import MailKind, OutgoingMail

logger = logging.getLogger(__name__)

# Longer than any mail server's time-out, so a claim only lapses for a worker that is gone.
CLAIM = datetime.timedelta(minutes=5)
RETRIED_FOR = datetime.timedelta(days=1)
FIRST_PAUSE = datetime.timedelta(minutes=1)
LONGEST_PAUSE = datetime.timedelta(hours=1)
# How long a person's page and the health page say an e-mail was given up (an invitation's
# link has long expired by then).
GIVEN_UP_SHOWN_FOR = datetime.timedelta(days=30)


def mail_queue(
    *,
    kind: MailKind,
    to: Sequence[str],
    subject: str,
    body: str,
    recipient_id: int | None = None,
    replacing: bool = False,
) -> OutgoingMail:
    """Keeps the e-mail with what decided it; a worker sends it once the transaction commits
    (at once outside one). Nothing is sent for a transaction rolled back.

    `replacing`: it stands for the recipient's earlier e-mails of this kind that have not gone
    (a new invitation, whose link works as well as theirs), which are forgotten."""
    from onboarding.outbox.tasks import send_mail

    if replacing and recipient_id is not None:
        OutgoingMail.objects.filter(recipient_id=recipient_id, kind=kind).delete()
    mail = _keep(kind=kind, to=to, subject=subject, body=body, recipient_id=recipient_id)
    # Robust: a broker that is down must not turn what was decided into an error; the sweep
    # sends what was never handed over.
    transaction.on_commit(lambda: send_mail.delay(mail.pk), robust=True)
    return mail


def mail_send_or_keep(
    *,
    kind: MailKind,
    to: Sequence[str],
    subject: str,
    body: str,
    recipient_id: int | None = None,
) -> bool:
    """For a worker that decided nothing itself (the transaction it tells of has committed):
    sends the e-mail at once, without a row or a task on the way; one the mail server refused
    is kept, as if queued and refused once, for the sweep. True if it went."""
    error = mail_try(kind=kind, to=to, subject=subject, body=body)
    if error is None:
        return True
    _keep(kind=kind, to=to, subject=subject, body=body, recipient_id=recipient_id, error=error)
    return False


def _keep(
    *,
    kind: MailKind,
    to: Sequence[str],
    subject: str,
    body: str,
    recipient_id: int | None,
    error: str = "",
) -> OutgoingMail:
    """The row of an e-mail still to go: due now, or after the first pause if the mail server
    refused it once already (`error`)."""
    now = timezone.now()
    return OutgoingMail.objects.create(
        kind=kind,
        recipient_id=recipient_id,
        message={"to": list(to), "subject": subject, "body": body},
        created_at=now,
        tries=1 if error else 0,
        last_error=error,
        next_try_at=now + _pause_after(1) if error else now,
    )


def _due(now: datetime.datetime) -> Q:
    return Q(given_up_at__isnull=True, next_try_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def _pause_after(tries: int) -> datetime.timedelta:
    return min(FIRST_PAUSE * 2 ** (tries - 1), LONGEST_PAUSE)


def outgoing_mail_send(*, mail_id: int, now: datetime.datetime | None = None) -> bool:
    """Sends one kept e-mail if it is due and nobody else is sending it; True if it went."""
    now = now or timezone.now()
    if not OutgoingMail.objects.filter(_due(now), pk=mail_id).update(claimed_until=now + CLAIM):
        return False
    mail = OutgoingMail.objects.get(pk=mail_id)
    message = mail.message
    error = mail_try(
        kind=mail.kind, to=message["to"], subject=message["subject"], body=message["body"]
    )
    if error is not None:
        _failed(mail, now=now, error=error)
        return False
    mail.delete()
    return True


def _failed(mail: OutgoingMail, *, now: datetime.datetime, error: str) -> None:
    tries = mail.tries + 1
    rows = OutgoingMail.objects.filter(pk=mail.pk)
    if now - mail.created_at >= RETRIED_FOR:
        rows.update(tries=tries, claimed_until=None, last_error=error, given_up_at=now, message={})
        logger.error("gave up the %s e-mail %s after %s tries", mail.kind, mail.pk, tries)
        return
    rows.update(
        tries=tries, claimed_until=None, last_error=error, next_try_at=now + _pause_after(tries)
    )


def outgoing_mails_retry(*, now: datetime.datetime | None = None) -> int:
    """The sweep: sends every kept e-mail that is due, and forgets those given up long ago;
    returns how many went."""
    now = now or timezone.now()
    OutgoingMail.objects.filter(given_up_at__lt=now - GIVEN_UP_SHOWN_FOR).delete()
    due = list(
        OutgoingMail.objects.filter(_due(now)).order_by("next_try_at").values_list("pk", flat=True)
    )
    return sum(outgoing_mail_send(mail_id=mail_id, now=now) for mail_id in due)


def outgoing_mail_state(*, recipient_id: int, kind: MailKind) -> OutgoingMail | None:
    """The person's latest e-mail of this kind that has not gone (yet), if any."""
    return (
        OutgoingMail.objects.filter(recipient_id=recipient_id, kind=kind)
        .defer("message")
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class OutboxSummary:
    waiting: int
    oldest_waiting_at: datetime.datetime | None
    refused: int
    given_up_last_day: int


def outbox_summary(*, now: datetime.datetime | None = None) -> OutboxSummary:
    """What the admins' health page says of the e-mails not gone yet, in one query."""
    now = now or timezone.now()
    counts = OutgoingMail.objects.aggregate(
        waiting=Count("pk", filter=Q(given_up_at__isnull=True)),
        oldest=Min("created_at", filter=Q(given_up_at__isnull=True)),
        refused=Count("pk", filter=Q(given_up_at__isnull=True, tries__gt=0)),
        given_up=Count("pk", filter=Q(given_up_at__gte=now - RETRIED_FOR)),
    )
    return OutboxSummary(
        waiting=counts["waiting"],
        oldest_waiting_at=counts["oldest"],
        refused=counts["refused"],
        given_up_last_day=counts["given_up"],
    )
