"""Bearer tokens for Altafid: a configured static token, or a service login.

The login token lives in the shared cache so that web and worker processes log in once
between them. See docs/altafid-contract.md "Assumptions" for the login shapes.
"""

import hashlib
import logging
import time
from typing import Protocol

import httpx
from cryptography.fernet import InvalidToken
from django.core.cache import cache
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from onboarding.altafid.config import AltafidConnection
from onboarding.altafid.errors import AltafidBadResponse, AltafidError
from onboarding.core.crypto import decrypt_text, encrypt_text

logger = logging.getLogger(__name__)

LOGIN_PATH = "/api/auth/login"
DEFAULT_TOKEN_SECONDS = 3600
# Drop a token this long before Altafid would, so no call goes out on a dying token.
EXPIRY_MARGIN_SECONDS = 60


class LoginResponse(BaseModel):
    """`POST /api/auth/login` answer; only the token and its lifetime are read."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    access_token: str
    expires_in: int = DEFAULT_TOKEN_SECONDS


class TokenProvider(Protocol):
    def token(self, http: httpx.Client) -> str: ...

    def discard(self, token: str) -> bool:
        """Forgets `token` after a 401; True when a fresh one can be had."""
        ...


class StaticToken:
    def __init__(self, token: str) -> None:
        self._token = token

    def token(self, http: httpx.Client) -> str:
        return self._token

    def discard(self, token: str) -> bool:
        return False

    def __repr__(self) -> str:
        return "StaticToken(***)"


# The shared cache holds the token for every process; each process also remembers it for a
# short while, which spares a cache read per call. A revoked token costs one 401 and a retry.
REMEMBER_SECONDS = 30.0
_REMEMBERED: dict[str, tuple[str, float]] = {}


def forget_tokens() -> None:
    """Drops the tokens this process remembers (the shared cache keeps its own)."""
    _REMEMBERED.clear()


class ServiceLogin:
    def __init__(self, connection: AltafidConnection) -> None:
        assert connection.login_email
        assert connection.login_password
        self._base_url = connection.base_url
        self._email = connection.login_email
        self._password = connection.login_password
        identity = f"{connection.base_url}|{connection.login_email}".encode()
        # Hashed so that neither the e-mail nor the URL shows up in cache keys.
        self.cache_key = f"altafid:token:{hashlib.sha256(identity).hexdigest()[:32]}"

    def __repr__(self) -> str:
        return "ServiceLogin(***)"

    def token(self, http: httpx.Client) -> str:
        remembered = _REMEMBERED.get(self.cache_key)
        if remembered and remembered[1] > time.monotonic():
            return remembered[0]
        token = self._cached() or self._login(http)
        _REMEMBERED[self.cache_key] = (token, time.monotonic() + REMEMBER_SECONDS)
        return token

    def discard(self, token: str) -> bool:
        _REMEMBERED.pop(self.cache_key, None)
        # Another process may already have stored a newer token; keep that one.
        if self._cached() == token:
            cache.delete(self.cache_key)
        return True

    def _cached(self) -> str | None:
        stored = cache.get(self.cache_key)
        if not isinstance(stored, str):
            return None
        try:
            return decrypt_text(stored)
        except InvalidToken:
            return None

    def _login(self, http: httpx.Client) -> str:
        url = self._base_url.rstrip("/") + LOGIN_PATH
        try:
            response = http.post(url, json={"email": self._email, "password": self._password})
        except httpx.TransportError as error:
            raise AltafidError.from_transport(error, method="POST", path=LOGIN_PATH) from None
        if response.status_code != 200:
            raise AltafidError.from_response(response)
        try:
            login = LoginResponse.model_validate_json(response.content)
        except ValidationError:
            raise AltafidBadResponse(
                "Login answer without accessToken", method="POST", path=LOGIN_PATH, status=200
            ) from None
        lifetime = max(login.expires_in - EXPIRY_MARGIN_SECONDS, 1)
        # Encrypted with the field keys: a shared cache is no place for a bearer token in clear.
        cache.set(self.cache_key, encrypt_text(login.access_token), lifetime)
        logger.info("altafid login succeeded, token kept for %ss", lifetime)
        return login.access_token


def token_provider_for(connection: AltafidConnection) -> TokenProvider:
    if connection.token:
        return StaticToken(connection.token)
    return ServiceLogin(connection)
