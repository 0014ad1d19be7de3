import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from onboarding.health.services import heartbeat_last
from onboarding.health.tasks import record_worker_heartbeat

# A bound for waiting on the worker, so a broken broker fails the test instead of hanging it.
WORKER_WAIT_SECONDS = 120


@pytest.fixture
def worker_queue():
    queue = f"test-{uuid.uuid4().hex}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "onboarding",
            "worker",
            "--pool",
            "threads",
            "--concurrency",
            "1",
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
        ],
        cwd=settings.BASE_DIR,
        env=os.environ.copy(),
    )
    yield queue
    worker.terminate()
    worker.wait(timeout=30)


def test_it_runs_a_task_on_a_real_worker_through_the_broker(worker_queue):
    token = uuid.uuid4().hex

    record_worker_heartbeat.apply_async(kwargs={"token": token}, queue=worker_queue)

    deadline = time.monotonic() + WORKER_WAIT_SECONDS
    while time.monotonic() < deadline:
        heartbeat = heartbeat_last()
        if heartbeat and heartbeat["token"] == token:
            break
        time.sleep(0.2)
    heartbeat = heartbeat_last()
    assert heartbeat is not None
    assert heartbeat["token"] == token


def test_it_configures_celery_for_safe_delivery():
    from onboarding.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit > app.conf.task_soft_time_limit
