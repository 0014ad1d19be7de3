"""The one way this app talks to Altafid over HTTP.

Builds the five headers of seed 001 "Required headers", reuses connections per process,
logs in again once on a 401, and turns every failure into an `AltafidError`.
"""

import logging
import os
import threading
import time
from http.cookiejar import Cookie, CookieJar
from typing import Any
from urllib.parse import quote

import httpx

from onboarding.altafid.auth import TokenProvider, token_provider_for
from onboarding.altafid.config import AltafidConnection, connection_from_settings
from onboarding.altafid.errors import AltafidBadResponse, AltafidError

logger = logging.getLogger(__name__)

_http_clients: dict[tuple[int, str, float, float], httpx.Client] = {}
_http_clients_lock = threading.Lock()


class _EmptyJar(CookieJar):
    def set_cookie(self, cookie: Cookie) -> None:
        pass


class _NoCookies(httpx.Cookies):
    def extract_cookies(self, response: httpx.Response) -> None:
        pass


_NO_COOKIES = _NoCookies(_EmptyJar())


class _CookielessClient(httpx.Client):
    """The process's client serves every tenant, so a cookie that Altafid or a load balancer
    sets on one tenant's answer must not ride on the next tenant's call; the API's session is
    the bearer token. Keeping no jar also spares each answer httpx's cookie bookkeeping."""

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        raise AttributeError("the Altafid client keeps no cookies")


def shared_http_client(connection: AltafidConnection) -> httpx.Client:
    """One pooled httpx client per process and upstream; a forked worker builds its own."""
    key = (os.getpid(), connection.base_url, connection.connect_timeout, connection.read_timeout)
    with _http_clients_lock:
        http = _http_clients.get(key)
        if http is None:
            timeout = httpx.Timeout(
                connect=connection.connect_timeout,
                read=connection.read_timeout,
                write=connection.read_timeout,
                pool=connection.connect_timeout,
            )
            http = _CookielessClient(
                timeout=timeout,
                limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
                follow_redirects=False,
            )
            _http_clients[key] = http
        return http


def http_clients_close() -> None:
    """Closes this process's pooled connections; the next call opens fresh ones."""
    with _http_clients_lock:
        for http in _http_clients.values():
            http.close()
        _http_clients.clear()


def path_segment(value: str) -> str:
    return quote(value, safe="")


class AltafidClient:
    """Calls Altafid for one tenant as this deployment's service identity."""

    def __init__(
        self,
        *,
        connection: AltafidConnection,
        tenant_uuid: str,
        http: httpx.Client | None = None,
        tokens: TokenProvider | None = None,
    ) -> None:
        self.connection = connection
        self.tenant_uuid = tenant_uuid
        self._http = http or shared_http_client(connection)
        self._tokens = tokens or token_provider_for(connection)

    def __repr__(self) -> str:
        return f"AltafidClient(base_url={self.connection.base_url!r}, tenant={self.tenant_uuid!r})"

    def headers(self, token: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "x-tenant-uuid": self.tenant_uuid,
            "x-user-email": self.connection.user_email,
            "x-user-id": self.connection.user_id,
            "x-user-type": self.connection.user_type,
            "Accept": "application/json",
        }

    def get(self, path: str, *, params: dict[str, str] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, *, json: Any) -> Any:
        return self.request("POST", path, json=json)

    def put(self, path: str, *, json: Any) -> Any:
        return self.request("PUT", path, json=json)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
    ) -> Any:
        """The decoded JSON body of a 2xx answer (None when empty), or an `AltafidError`."""
        response = self._send(method, path, params=params, json=json)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise AltafidBadResponse(
                "The answer is not JSON",
                method=method,
                path=path,
                status=response.status_code,
                ambiguous=method in ("POST", "PUT"),
            ) from None

    def _send(
        self, method: str, path: str, *, params: dict[str, str] | None, json: Any
    ) -> httpx.Response:
        url = self.connection.base_url.rstrip("/") + path
        for attempt in (1, 2):
            token = self._tokens.token(self._http)
            started = time.monotonic()
            try:
                response = self._http.request(
                    method, url, params=params, json=json, headers=self.headers(token)
                )
            except httpx.TransportError as error:
                failure = AltafidError.from_transport(error, method=method, path=path)
                logger.warning("altafid %s %s failed: %s", method, path, failure)
                raise failure from None
            elapsed_ms = (time.monotonic() - started) * 1000
            logger.debug(
                "altafid %s %s -> %s in %.0f ms", method, path, response.status_code, elapsed_ms
            )
            if response.status_code == 401 and attempt == 1 and self._tokens.discard(token):
                continue
            if response.is_success:
                return response
            raise AltafidError.from_response(response)
        raise AssertionError("unreachable")


def client_for_tenant(tenant_uuid: str) -> AltafidClient:
    return AltafidClient(connection=connection_from_settings(), tenant_uuid=tenant_uuid)
