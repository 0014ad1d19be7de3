"""Logs as one JSON object a line, with personal data redacted on the way out.

The app avoids logging personal data in the first place; the filter is the second line: an
e-mail address, a RUT or a long run of digits in any message or argument is masked, and so
are invitation and password-reset links (their single-use tokens open an account).

The loggers that write request paths also reach handlers outside the app's logging
configuration (gunicorn's access log, the development server's, Django's own console handler
while DEBUG is on): `path_loggers_redact` puts the filter on those loggers themselves.
"""

import json
import logging
import re
from typing import Any

MASK = "•••"
# The person's ID and the token of `accounts:invitation` and `accounts:password-reset-confirm`.
LINK = re.compile(r"(/(?:invitation|password/reset)/)[^/\s\"'?#]+/[^/\s\"'?#]+")
# Django's password-reset tokens: a timestamp in base 36, a dash, 32 hexadecimal digits.
TOKEN = re.compile(r"\b[0-9a-z]{1,13}-[0-9a-f]{32}\b")
# Loggers that write request paths, whatever handlers they reach.
PATH_LOGGERS = ("gunicorn.access", "django.server", "django.request")
PATTERNS = (
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"\b\d{1,2}\.?\d{3}\.?\d{3}-?[\dkK]\b"),  # Chilean RUTs, with or without dots
    re.compile(r"\b\d{7,}\b"),  # long numbers: identity numbers, phones, amounts
)


def redact(text: str) -> str:
    text = LINK.sub(rf"\1{MASK}/{MASK}", text)
    for pattern in (TOKEN, *PATTERNS):
        text = pattern.sub(MASK, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks personal data in the final message of every record that passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def path_loggers_redact() -> None:
    for name in PATH_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(each, RedactingFilter) for each in logger.filters):
            logger.addFilter(RedactingFilter())


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)
