import logging
import threading

import pytest
from celery import shared_task
from django.db import transaction

from onboarding.core.tasks import task_after_commit

pytestmark = pytest.mark.django_db(transaction=True)

ran: list[tuple[str, int, str]] = []


@shared_task
def _follow_up(number: int, *, label: str = "") -> None:
    if number < 0:
        raise ValueError("client@example.com")
    ran.append((threading.current_thread().name, number, label))


@shared_task
def _decide(number: int) -> None:
    with transaction.atomic():
        task_after_commit(_follow_up, number, label="inside")
        ran.append((threading.current_thread().name, 0, "decided"))


@pytest.fixture(autouse=True)
def _clean():
    ran.clear()
    yield
    ran.clear()


def test_it_runs_in_the_worker_after_the_commit_when_already_in_a_task(monkeypatch):
    monkeypatch.setattr(_follow_up, "delay", pytest.fail)

    _decide.apply(args=(7,))

    here = threading.current_thread().name
    assert ran == [(here, 0, "decided"), (here, 7, "inside")]


def test_it_goes_through_the_broker_outside_a_task(monkeypatch):
    sent = []
    monkeypatch.setattr(_follow_up, "delay", lambda *args, **kwargs: sent.append((args, kwargs)))

    with transaction.atomic():
        task_after_commit(_follow_up, 3, label="request")
        assert sent == []

    assert sent == [((3,), {"label": "request"})]
    assert ran == []


def test_it_runs_nothing_when_the_transaction_rolls_back(monkeypatch):
    sent = []
    monkeypatch.setattr(_follow_up, "delay", lambda *args, **kwargs: sent.append(args))

    def decide_and_fail():
        with transaction.atomic():
            task_after_commit(_follow_up, 3)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        decide_and_fail()

    assert sent == []


def test_it_logs_a_failure_by_its_type_alone_and_keeps_the_commit(caplog):
    caplog.set_level(logging.ERROR, logger="onboarding.core.tasks")

    _decide.apply(args=(-1,))

    assert [entry for entry in ran if entry[2] == "decided"]
    assert "ValueError" in caplog.text
    assert "client@example.com" not in caplog.text


def test_it_logs_a_broker_that_is_down_without_raising(monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("redis://user:secret@broker")

    monkeypatch.setattr(_follow_up, "delay", refuse)
    caplog.set_level(logging.ERROR, logger="onboarding.core.tasks")

    with transaction.atomic():
        task_after_commit(_follow_up, 3)

    assert "ConnectionRefusedError" in caplog.text
    assert "secret" not in caplog.text
