import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection

from onboarding.altafid import contacts, lookups
from onboarding.altafid.client import client_for_tenant, http_clients_close
from onboarding.altafid.config import connection_from_settings
from onboarding.altafid.errors import (
    AltafidAuthError,
    AltafidConnectionError,
    AltafidRateLimited,
    AltafidServerError,
    AltafidTimeout,
    AltafidUnavailable,
)
from onboarding.altafid.sandbox import defaults
from onboarding.altafid.sandbox.faults import Faults
from onboarding.core.crypto import decrypt_text
from tests.altafid.payloads import create_payload

LOGIN = "/api/auth/login"


def test_it_sends_the_five_headers_the_sandbox_requires(client):
    assert lookups.stages_fetch(client)


@pytest.mark.parametrize(
    ("header", "value", "field"),
    [("x-user-type", "ROBOT", "x-user-type"), ("x-tenant-uuid", "", "x-tenant-uuid")],
)
def test_it_is_refused_without_a_valid_context_header(client, header, value, field):
    token = client._tokens.token(client._http)
    headers = client.headers(token) | {header: value}

    response = client._http.get(client.connection.base_url + lookups.STAGES_PATH, headers=headers)

    assert response.status_code == 400
    assert response.json()["details"][0].startswith(f"{field}:")


def test_it_logs_in_once_and_shares_the_token_through_the_cache(sandbox):
    first = client_for_tenant(defaults.TENANT_UUID)
    first.get(lookups.INDUSTRIES_PATH)
    client_for_tenant("T-ANOTHER").get(lookups.INDUSTRIES_PATH)

    assert sandbox.request_count(path_prefix=LOGIN) == 1
    stored = cache.get(first._tokens.cache_key)
    assert "sbx-" not in stored
    assert decrypt_text(stored).startswith("sbx-")


def test_it_logs_in_again_once_after_a_401(client, sandbox):
    client.get(lookups.INDUSTRIES_PATH)
    sandbox.revoke_tokens()

    assert client.get(lookups.INDUSTRIES_PATH)
    assert sandbox.request_count(path_prefix=LOGIN) == 2
    assert sandbox.request_count(path_prefix=lookups.INDUSTRIES_PATH) == 3


def test_it_remembers_the_token_without_reading_the_cache_each_call(client, sandbox):
    client.get(lookups.INDUSTRIES_PATH)
    cache.clear()

    client.get(lookups.INDUSTRIES_PATH)

    assert sandbox.request_count(path_prefix=LOGIN) == 1


def test_it_gives_up_when_a_static_token_is_refused(sandbox, settings):
    settings.ALTAFID_TOKEN = "revoked-token"
    client = client_for_tenant(defaults.TENANT_UUID)

    with pytest.raises(AltafidAuthError) as caught:
        client.get(lookups.INDUSTRIES_PATH)

    assert caught.value.status == 401
    assert sandbox.request_count(path_prefix=lookups.INDUSTRIES_PATH) == 1
    assert sandbox.request_count(path_prefix=LOGIN) == 0


def test_it_uses_a_static_token_without_logging_in(sandbox, settings):
    settings.ALTAFID_TOKEN = defaults.STATIC_TOKEN

    assert client_for_tenant(defaults.TENANT_UUID).get(lookups.INDUSTRIES_PATH)
    assert sandbox.request_count(path_prefix=LOGIN) == 0


def test_it_reports_a_refused_login_as_final(sandbox, settings):
    settings.ALTAFID_LOGIN_PASSWORD = "wrong"

    with pytest.raises(AltafidAuthError) as caught:
        client_for_tenant(defaults.TENANT_UUID).get(lookups.INDUSTRIES_PATH)

    assert caught.value.path == LOGIN
    assert caught.value.code == "BE0001"


def test_it_reuses_one_connection_for_many_calls(client, sandbox):
    for _ in range(5):
        client.get(lookups.INDUSTRIES_PATH)

    pool = client._http._transport._pool
    assert len(pool.connections) == 1


@pytest.mark.parametrize(
    ("kind", "error_type", "status"),
    [
        ("rate_limit", AltafidRateLimited, 429),
        ("unavailable", AltafidUnavailable, 503),
        ("unavailable_empty", AltafidUnavailable, 503),
        ("bad_gateway", AltafidUnavailable, 502),
        ("server_error", AltafidServerError, 500),
        ("drop_before", AltafidConnectionError, None),
    ],
)
def test_it_turns_each_injected_fault_into_a_named_error(client, sandbox, kind, error_type, status):
    client.get(lookups.INDUSTRIES_PATH)
    sandbox.fail_next(kind, path_prefix=lookups.INDUSTRIES_PATH)

    with pytest.raises(error_type) as caught:
        client.get(lookups.INDUSTRIES_PATH)

    assert caught.value.status == status
    assert not caught.value.ambiguous


def test_it_honours_retry_after(client, sandbox):
    sandbox.set_faults(Faults(error_rate=1.0, kinds=("rate_limit",), retry_after_seconds=7))

    with pytest.raises(AltafidRateLimited) as caught:
        client.get(lookups.INDUSTRIES_PATH)

    assert caught.value.retry_after == 7.0
    assert caught.value.code == "BE0429"


def test_it_marks_a_write_that_lost_its_answer_as_ambiguous(client, sandbox):
    client.get(lookups.INDUSTRIES_PATH)
    sandbox.fail_next("drop_after_write", method="POST", path_prefix=contacts.CONTACTS_PATH)

    with pytest.raises(AltafidConnectionError) as caught:
        contacts.contact_create(client, payload=create_payload())

    assert caught.value.ambiguous
    assert caught.value.retryable
    assert len(sandbox.contacts()) == 1


def test_it_times_out_on_a_slow_answer(sandbox, settings):
    settings.ALTAFID_READ_TIMEOUT = 0.2
    client = client_for_tenant(defaults.TENANT_UUID)
    client.get(lookups.INDUSTRIES_PATH)
    sandbox.set_faults(Faults(latency_ms=600))

    with pytest.raises(AltafidTimeout) as caught:
        contacts.contact_create(client, payload=create_payload())

    assert caught.value.ambiguous


def test_it_reports_an_unreachable_altafid_as_retryable(sandbox, settings):
    settings.ALTAFID_BASE_URL = "http://127.0.0.1:9"
    settings.ALTAFID_TOKEN = defaults.STATIC_TOKEN

    with pytest.raises(AltafidConnectionError) as caught:
        contacts.contact_create(client_for_tenant(defaults.TENANT_UUID), payload=create_payload())

    assert caught.value.retryable
    assert not caught.value.ambiguous


def test_it_never_logs_a_secret(sandbox, settings, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_for_tenant(defaults.TENANT_UUID)
    contacts.contact_create(client, payload=create_payload())
    token = client._tokens.token(client._http)
    sandbox.revoke_tokens()
    sandbox.fail_next("server_error", path_prefix=lookups.INDUSTRIES_PATH)
    with pytest.raises(AltafidServerError):
        client.get(lookups.INDUSTRIES_PATH)

    logged = caplog.text + repr(client) + repr(connection_from_settings())
    for secret in (token, defaults.SERVICE_USER_PASSWORD, "juan@example.com", "García"):
        assert secret not in logged
    assert "altafid POST /api/contacts -> 200" in caplog.text


@pytest.mark.django_db
def test_it_keeps_no_token_in_the_database(sandbox):
    client = client_for_tenant(defaults.TENANT_UUID)
    client.get(lookups.INDUSTRIES_PATH)
    token = client._tokens.token(client._http)

    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            assert token not in repr(cursor.fetchall())


def test_it_reprs_without_secrets(client, settings):
    settings.ALTAFID_TOKEN = "static-secret"
    static = client_for_tenant(defaults.TENANT_UUID)

    for shown in (repr(client), repr(client._tokens), repr(static), repr(static._tokens)):
        assert defaults.SERVICE_USER_PASSWORD not in shown
        assert "static-secret" not in shown


class _CookieSetter(BaseHTTPRequestHandler):
    """Answers every call as a load balancer in front of Altafid might: with a cookie named
    after the tenant, and notes the cookies each call brought."""

    brought: list[str | None] = []

    def do_GET(self) -> None:
        type(self).brought.append(self.headers.get("Cookie"))
        body = b"[]"
        self.send_response(200)
        self.send_header("Set-Cookie", f"balancer={self.headers['x-tenant-uuid']}; Path=/")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def cookie_setter(settings) -> Iterator[type[_CookieSetter]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CookieSetter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ALTAFID_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.ALTAFID_TOKEN = defaults.STATIC_TOKEN
    _CookieSetter.brought = []
    yield _CookieSetter
    server.shutdown()
    server.server_close()
    http_clients_close()


def test_it_never_carries_a_cookie_from_one_tenant_to_another(cookie_setter):
    client_for_tenant("T-ONE").get(lookups.INDUSTRIES_PATH)
    client_for_tenant("T-TWO").get(lookups.INDUSTRIES_PATH)
    client_for_tenant("T-ONE").get(lookups.INDUSTRIES_PATH)

    assert cookie_setter.brought == [None, None, None]
    with pytest.raises(AttributeError):
        client_for_tenant("T-ONE")._http.cookies = {"balancer": "T-ONE"}
