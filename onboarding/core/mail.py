"""Sending the app's e-mails so that a lost e-mail never undoes or hides what was decided.

E-mails go from workers, after the transaction that decided them commits (`outbox`), and a
failure to send one is logged by kind and exception type only: the exception's text can carry
an address, a header value or a server's echo of the message, and a message can carry a
single-use link.
"""

import logging
from collections.abc import Sequence

from django.core.mail import send_mail

log = logging.getLogger(__name__)


def mail_try(*, kind: str, to: Sequence[str], subject: str, body: str) -> str | None:
    """Sends one e-mail now; None if it went, else the failure's type, logged with `kind`."""
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=list(to))
    except Exception as error:  # noqa: BLE001 - any failure loses only this attempt
        log.warning("could not send the %s e-mail (%s)", kind, type(error).__name__)
        return type(error).__name__
    return None
