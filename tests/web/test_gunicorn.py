"""The web process as production runs it: gunicorn with the app's own configuration."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "gunicorn.conf.py"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn():
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "onboarding.wsgi",
            "--config",
            CONFIG,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    while process.poll() is None:
        try:
            httpx.get(f"{base_url}/login/")
            break
        except httpx.TransportError:
            time.sleep(0.05)
    assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
    yield base_url, process
    process.terminate()
    process.wait()


def test_it_does_not_name_the_server_software(gunicorn):
    base_url, _process = gunicorn

    response = httpx.get(f"{base_url}/login/")

    assert response.status_code == 200
    assert "server" not in response.headers
    assert "gunicorn" not in str(response.headers).lower()


def test_it_logs_requests_without_their_query_string(gunicorn):
    base_url, process = gunicorn

    httpx.get(f"{base_url}/login/", params={"next": "/cases/?q=canary-query-term"})
    process.terminate()
    output = process.communicate()[0].decode()

    assert '"GET /login/ HTTP/1.1" 200' in output
    assert "canary-query-term" not in output


def test_it_runs_gunicorn_with_that_configuration_in_the_image_and_the_stack():
    """One command line, the image's: the stack's web service does not write its own."""
    assert CONFIG in (ROOT / "Dockerfile").read_text()
    compose = (ROOT / "docker-compose.yml").read_text()
    web = compose.split("\n  web:\n")[1].split("\n  worker:\n")[0]
    assert "\n    command:" not in web
