import contextlib
import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

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


TOKEN = "cv1z8k-0f3a9b2c7d1e4f5a6b8c9d0e1f2a3b4c"
LINKS = (
    f"https://onboarding.example.com/invitation/MTI/{TOKEN}/",
    f"/password/reset/MTI/{TOKEN}/",
    f"/invitation/MTI/{TOKEN}/extra",
)


@pytest.mark.parametrize("link", LINKS)
def test_it_masks_invitation_and_reset_links(link):
    masked = redact(f"GET {link} 404")

    assert TOKEN not in masked
    assert "MTI" not in masked
    assert masked.startswith("GET ")


def test_it_masks_a_reset_token_on_its_own():
    assert redact(f"token {TOKEN} seen") == "token ••• seen"


@pytest.mark.parametrize("name", ["django.server", "django.request", "gunicorn.access"])
def test_it_masks_links_for_every_handler_of_a_logger_that_writes_paths(name):
    """Such loggers reach handlers the app does not configure (runserver's, gunicorn's)."""
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        logger.warning('"GET %s HTTP/1.1" 404 179', LINKS[1])
    finally:
        logger.removeHandler(handler)

    assert "/password/reset/" in written.getvalue()
    assert TOKEN not in written.getvalue()


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_it_keeps_links_out_of_gunicorns_access_log():
    """The image's own command line, on a free port, with one worker."""
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    command = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE).group(1))
    port = _free_port()
    # Given on the command line, these two win over the configuration module's.
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1"]
    assert command[0] == "gunicorn"
    server = subprocess.Popen(
        [sys.executable, "-m", *command],
        cwd=settings.BASE_DIR,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while True:
            assert server.poll() is None, server.communicate()
            try:
                with socket.create_connection(("127.0.0.1", port)):
                    break
            except ConnectionRefusedError:
                time.sleep(0.1)
        for link in (f"/invitation/MTI/{TOKEN}/", f"/password/reset/MTI/{TOKEN}/"):
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}{link}")
    finally:
        server.terminate()
        written, errors = server.communicate()

    assert written.count('"GET /invitation/') == 1, written + errors
    assert written.count('"GET /password/reset/') == 1
    assert TOKEN not in written + errors
