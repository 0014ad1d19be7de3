import os
from pathlib import Path

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")

app = Celery("onboarding")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _create_file_broker_folders(sender: Celery, **kwargs: object) -> None:
    # kombu's file transport does not create its folders, and the embedded default uses it.
    if str(sender.conf.broker_url).startswith("filesystem://"):
        options = sender.conf.broker_transport_options
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@signals.worker_init.connect
def _urls_load(**kwargs: object) -> None:
    # Notices link to pages, and the first link a process makes loads every URL pattern and
    # the views behind them (the screening library with them): over a second of CPU, which
    # the worker spends as it starts (prefork children inherit it) rather than in a task.
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 - reading it loads the patterns
