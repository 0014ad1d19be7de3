from celery import Celery, signals
from django.urls import clear_url_caches, get_resolver


class AnotherAppsWorker:
    # Celery's Django fixup leaves alone the start of a worker of another app. Not the
    # current app: the tests that follow would send their tasks to its broker.
    app = Celery("another", set_as_current=False)


def test_it_loads_the_url_patterns_as_a_worker_starts():
    clear_url_caches()
    before = get_resolver()._populated

    signals.worker_init.send(sender=AnotherAppsWorker())

    assert not before
    assert get_resolver()._populated
