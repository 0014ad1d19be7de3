"""Logs as one JSON object a line, with personal data redacted on the way out.

The app avoids logging personal data in the first place; the filter is the second line: an
e-mail address, a RUT or a long run of digits in any message or argument is masked.
"""

import json
import logging
import re
from typing import Any

MASK = "•••"
PATTERNS = (
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"\b\d{1,2}\.?\d{3}\.?\d{3}-?[\dkK]\b"),  # Chilean RUTs, with or without dots
    re.compile(r"\b\d{7,}\b"),  # long numbers: identity numbers, phones, amounts
)


def redact(text: str) -> str:
    for pattern in PATTERNS:
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
