"""Work that follows a commit and must not run inside the transaction that decided it."""

import logging
from collections.abc import Callable
from typing import Any

from celery import Task, current_task
from django.db import transaction

log = logging.getLogger(__name__)


def task_after_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Runs `task` once the current transaction commits, never when it rolls back.

    Inside a worker's task, it runs right there, after the commit: sending it through the
    broker to be picked up by the same workers would cost more than running it (a step's
    worker opening a review, say). Anywhere else (a request), it goes through the broker, so
    the answer does not wait for it. Either way a failure loses only this work, never what was
    committed, and is logged by the exception's type alone (its text may carry client data).
    """
    if current_task:
        transaction.on_commit(lambda: _guarded(task.name, lambda: task(*args, **kwargs)))
    else:
        transaction.on_commit(lambda: _guarded(task.name, lambda: task.delay(*args, **kwargs)))


def _guarded(name: str, run: Callable[[], Any]) -> None:
    try:
        run()
    except Exception as error:  # noqa: BLE001 - the commit stands; only this work is lost
        log.error("%s failed after the commit (%s)", name, type(error).__name__)
