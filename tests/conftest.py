from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from onboarding.altafid import auth
from onboarding.altafid.client import http_clients_close
from onboarding.altafid.sandbox import defaults as sandbox_defaults
from onboarding.altafid.sandbox.server import Sandbox


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings) -> None:
    """Hashing a password the production way takes a third of a second; tests make many."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty shared cache, no token remembered in this process and no
    pooled connection that an earlier test's faults or server may have left half-closed."""
    cache.clear()
    auth.forget_tokens()
    http_clients_close()
    yield
    cache.clear()
    auth.forget_tokens()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A request in Spanish leaves Spanish active in the thread; the next test starts in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[Sandbox]:
    server = Sandbox(host="127.0.0.1", port=0).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: Sandbox, settings) -> Iterator[Sandbox]:
    """A clean sandbox over real HTTP on loopback, with settings pointing at it."""
    sandbox_server.reset()
    settings.ALTAFID_BASE_URL = sandbox_server.base_url
    settings.ALTAFID_TOKEN = None
    settings.ALTAFID_LOGIN_EMAIL = sandbox_defaults.SERVICE_USER_EMAIL
    settings.ALTAFID_LOGIN_PASSWORD = sandbox_defaults.SERVICE_USER_PASSWORD
    settings.ALTAFID_TENANT_UUID = sandbox_defaults.TENANT_UUID
    settings.ALTAFID_USER_EMAIL = sandbox_defaults.SERVICE_USER_EMAIL
    settings.ALTAFID_USER_ID = sandbox_defaults.SERVICE_USER_ID
    settings.ALTAFID_USER_TYPE = "TENANT_STAFF"
    yield sandbox_server
    sandbox_server.reset()


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's superuser client, with the second factor Django admin asks for."""
    from tests.factories import verified_login

    verified_login(client, admin_user)
    return client


@pytest.fixture(autouse=True)
def documents_dir(settings, tmp_path) -> Path:
    """Each test keeps its documents' files in a directory of its own."""
    location = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {**settings.STORAGES["documents"], "OPTIONS": {"location": str(location)}},
    }
    return location


@pytest.fixture(autouse=True)
def mail_worker(monkeypatch, request: pytest.FixtureRequest) -> list[int]:
    """Sends a kept e-mail in this process when its transaction commits, as a worker would
    once handed its id: the task's own code, without a broker between (`Task.apply`).
    Returns the ids handed over. `tests/outbox` runs a real worker process too."""
    from onboarding.outbox.tasks import send_mail

    handed: list[int] = []
    if request.node.get_closest_marker("mail_broker"):
        return handed

    def hand(mail_id: int) -> None:
        handed.append(mail_id)
        send_mail.apply(args=(mail_id,))

    monkeypatch.setattr(send_mail, "delay", hand)
    return handed


@pytest.fixture
def notices_worker(monkeypatch):
    """Runs the notices' tasks in this process, where a worker would run them once sent: the
    task's own code, without a broker between (`Task.apply`). They are sent once the
    decision commits, so a test sees them inside `django_capture_on_commit_callbacks`."""
    from onboarding.kyc.tasks import review_notices
    from onboarding.operations.tasks import step_notices

    for task in (review_notices, step_notices):
        monkeypatch.setattr(
            task, "delay", lambda *args, task=task, **kwargs: task.apply(args=args, kwargs=kwargs)
        )
