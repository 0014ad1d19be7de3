"""Sending the app's e-mails so that a lost e-mail never undoes or hides what was decided.

Every e-mail goes after the transaction that decided it commits, and a failure to send it is
logged by kind and exception type only: the exception's text can carry an address, a header
value or a server's echo of the message, and a message can carry a single-use link.
"""

import logging
from collections.abc import Sequence
from functools import partial

from django.core.mail import send_mail
from django.db import transaction

log = logging.getLogger(__name__)


def mail_send(*, kind: str, to: Sequence[str], subject: str, body: str) -> bool:
    """Sends one e-mail now; False, and a log line naming `kind`, when it could not go."""
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=list(to))
    except Exception as error:  # noqa: BLE001 - any failure loses only this e-mail
        log.warning("could not send the %s e-mail (%s)", kind, type(error).__name__)
        return False
    return True


def mail_send_on_commit(*, kind: str, to: Sequence[str], subject: str, body: str) -> None:
    """Sends the e-mail once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(mail_send, kind=kind, to=list(to), subject=subject, body=body))
