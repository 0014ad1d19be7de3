"""Real Celery worker processes on the test database, for the pipeline's end-to-end tests."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection

from onboarding.altafid.sandbox.server import Sandbox


def worker_environment(sandbox: Sandbox, **overrides: str) -> dict[str, str]:
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need the test database on a server (DATABASE_URL)")
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "ALTAFID_SANDBOX_PORT": sandbox.base_url.rsplit(":", 1)[1],
        **overrides,
    }
    environment.pop("ALTAFID_BASE_URL", None)
    return environment


def worker_start(environment: dict[str, str], *, concurrency: int = 2) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            *("-m", "celery", "-A", "onboarding", "worker", "--pool", "threads"),
            *("--concurrency", str(concurrency), "--without-gossip", "--without-mingle"),
            *("--without-heartbeat", "--loglevel", "WARNING"),
        ],
        cwd=settings.BASE_DIR,
        env=environment,
    )


def workers_revive(
    started: list[subprocess.Popen[bytes]], environment: dict[str, str], *, concurrency: int
) -> int:
    """Starts a new worker for each one that exited, as the deployment's restart policy does.

    docker-compose runs the worker with `restart: unless-stopped`. Celery 5.x and kombu can
    exit on "Unrecoverable error" when the broker goes away while a channel is being closed
    (kombu's redis transport restoring unacknowledged messages), so a supervised worker is
    what production relies on. Returns how many it started.
    """
    exited = [process for process in started if process.poll() is not None]
    for process in exited:
        started.remove(process)
        started.append(worker_start(environment, concurrency=concurrency))
    return len(exited)


@contextmanager
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Collects the workers a test starts, and stops those still alive at the end."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
