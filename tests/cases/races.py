"""Two writers of one case, each in its own thread on its own database connection, in an order
the test forces: the first is paused at a chosen point (holding whatever it locked so far), the
second is started and seen to wait for a row lock (or not), then the first goes on.

Tests using this are `django_db(transaction=True)`: each thread commits for real, as two
requests do. `WAIT_SECONDS` only guards against a hang; no test depends on how long anything
takes.
"""

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, connections

# Long enough for any of these writes; a thread still waiting after it is a test failure.
WAIT_SECONDS = 60


def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.01)


def someone_waits_on_a_lock() -> bool:
    """Whether a connection to the test database waits for a lock (a row's, most often)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


class Run:
    """One writer, in its own thread (and so on its own database connection)."""

    def __init__(self, work: Callable[[], Any], name: str) -> None:
        self.name = name
        self.result: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), name=name)
        self._thread.start()

    def _run(self, work: Callable[[], Any]) -> None:
        try:
            self.result = work()
        except BaseException as error:  # noqa: BLE001 - the test reports what the thread met
            self.error = error
        finally:
            connections.close_all()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def join(self) -> "Run":
        self._thread.join(WAIT_SECONDS)
        assert not self.alive, f"{self.name} is still running"
        return self

    def ok(self) -> Any:
        """What the writer returned; fails the test with what it raised instead."""
        self.join()
        assert self.error is None, f"{self.name} raised {self.error!r}"
        return self.result

    def refused(self, expected: type[BaseException]) -> BaseException:
        """What the writer raised, which must be an `expected`."""
        self.join()
        assert isinstance(self.error, expected), (
            f"{self.name} should have been refused with {expected.__name__}, "
            f"but {'raised ' + repr(self.error) if self.error else 'went through'}"
        )
        return self.error


class Pause:
    """Holds the first call of `name` in `module` until `release`: whoever makes it keeps the
    locks it took so far. Later calls (the other writer's) go straight through."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
        self.what = f"{module.__name__}.{name}"
        self.reached = threading.Event()
        self._go_on = threading.Event()
        self._first = threading.Lock()
        real = getattr(module, name)

        def paused(*args: Any, **kwargs: Any) -> Any:
            if self._first.acquire(blocking=False):
                self.reached.set()
                assert self._go_on.wait(WAIT_SECONDS), f"{self.what} was never released"
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, paused)

    def wait(self) -> None:
        until(self.reached.is_set, f"a writer to reach {self.what}")

    def release(self) -> None:
        self._go_on.set()


class Race:
    """Starts writers and pauses them; at the end of the test, lets every one finish."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch
        self._pauses: list[Pause] = []
        self._runs: list[Run] = []

    def pause(self, module: Any, name: str) -> Pause:
        pause = Pause(self._monkeypatch, module, name)
        self._pauses.append(pause)
        return pause

    def first(self, work: Callable[[], Any], *, at: Pause, name: str = "first") -> Run:
        """Starts the writer that goes first, and waits until it is held at `at`."""
        run = self.start(work, name=name)
        until(lambda: at.reached.is_set() or not run.alive, f"{name} to reach {at.what}")
        assert at.reached.is_set(), f"{name} ended before {at.what}: {run.error!r}"
        return run

    def start(self, work: Callable[[], Any], *, name: str = "second") -> Run:
        run = Run(work, name)
        self._runs.append(run)
        return run

    def waits(self, run: Run) -> bool:
        """Whether `run` is held up by a lock: waits until it waits for one, or is over."""
        until(lambda: someone_waits_on_a_lock() or not run.alive, f"{run.name} to wait or end")
        return run.alive

    def settle(self) -> None:
        for pause in self._pauses:
            pause.release()
        for run in self._runs:
            run.join()


@pytest.fixture
def race(monkeypatch: pytest.MonkeyPatch) -> Iterator[Race]:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's (DATABASE_URL)")
    race = Race(monkeypatch)
    try:
        yield race
    finally:
        race.settle()
