from celery import Celery, signals
from django.urls import clear_url_caches, get_resolver


class AnotherAppsWorker:
    # Celery's Django fixup leaves alone the start of a worker of another app.
    app = Celery("another")


def test_it_loads_the_url_patterns_as_a_worker_starts():
    clear_url_caches()
    before = get_resolver()._populated

    signals.worker_init.send(sender=AnotherAppsWorker())

    assert not before
    assert get_resolver()._populated
