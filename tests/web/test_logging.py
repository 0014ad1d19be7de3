import json
import logging

from onboarding.web.logging import JsonFormatter, RedactingFilter, redact


def test_it_masks_emails_ruts_and_long_numbers():
    text = "juan@example.com 12.345.678-5 12345678-K 961234567 step 42"

    assert redact(text) == "••• ••• ••• ••• step 42"


def test_it_writes_one_json_object_a_line_with_the_message_redacted():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "for %s", ("a@b.cl",), None)
    RedactingFilter().filter(record)

    entry = json.loads(JsonFormatter().format(record))

    assert entry["message"] == "for •••"
    assert (entry["level"], entry["logger"]) == ("WARNING", "x")
