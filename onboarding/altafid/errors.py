"""One error type for every failed Altafid call, and whether to try again.

Seed 001 "Error handling" and "Error response formats": a standard body
(`errorCode` BE####, `details` as a list of "field: message"), a legacy body (`details` as
a map) or no body at all. The retry classification is the table in
docs/altafid-contract.md "Errors".
"""

import email.utils
import json
import time
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_RETRY_AFTER_SECONDS = 3600.0


class AltafidError(Exception):
    """A call to Altafid that did not succeed.

    `retryable`: the same request may succeed later. `ambiguous`: the request may have been
    carried out although no usable answer came back, so a write must be reconciled before it
    is repeated. `str()` never includes the server's message or field messages, which can
    quote what the client typed; read `message` and `field_errors` where they are shown to
    staff.
    """

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        status: int | None = None,
        code: str | None = None,
        field_errors: Mapping[str, list[str]] | None = None,
        retry_after: float | None = None,
        ambiguous: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method.upper()
        self.path = path
        self.status = status
        self.code = code
        self.field_errors: dict[str, list[str]] = dict(field_errors or {})
        self.retry_after = retry_after
        self.ambiguous = ambiguous

    @property
    def final(self) -> bool:
        return not self.retryable

    def __str__(self) -> str:
        # Which transport failure (ReadTimeout, RemoteProtocolError...) tells a stale pooled
        # connection from an Altafid that is down.
        status = self.status if self.status is not None else f"no answer ({self.message})"
        code = f" {self.code}" if self.code else ""
        return f"{type(self).__name__}: {self.method} {self.path} -> {status}{code}"

    def __repr__(self) -> str:
        return f"<{self}>"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe record of the failure, for the step history of a submission."""
        return {
            "type": type(self).__name__,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "field_errors": self.field_errors,
            "retryable": self.retryable,
            "ambiguous": self.ambiguous,
            "retry_after": self.retry_after,
        }

    @classmethod
    def from_response(cls, response: httpx.Response) -> "AltafidError":
        method = response.request.method
        path = response.request.url.path
        status = response.status_code
        body = _json_object(response)
        error_type = _type_for_status(status)
        message = str(body.get("message") or body.get("error") or response.reason_phrase or "")
        return error_type(
            message or f"HTTP {status}",
            method=method,
            path=path,
            status=status,
            code=_error_code(body),
            field_errors=_field_errors(body.get("details")),
            retry_after=_retry_after(response.headers.get("Retry-After"))
            if status == 429
            else None,
            ambiguous=method in WRITE_METHODS and (status == 500 or status in (502, 504)),
        )

    @classmethod
    def from_transport(
        cls, error: httpx.TransportError, *, method: str, path: str
    ) -> "AltafidError":
        method = method.upper()
        # Before any byte left (connect, pool) nothing can have happened upstream.
        sent = not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
        ambiguous = sent and method in WRITE_METHODS
        error_type: type[AltafidError] = (
            AltafidTimeout if isinstance(error, httpx.TimeoutException) else AltafidConnectionError
        )
        return error_type(type(error).__name__, method=method, path=path, ambiguous=ambiguous)


class AltafidTimeout(AltafidError):
    retryable = True


class AltafidConnectionError(AltafidError):
    retryable = True


class AltafidRateLimited(AltafidError):
    retryable = True


class AltafidUnavailable(AltafidError):
    """502, 503 or 504: a gateway or the service itself is down for now."""

    retryable = True


class AltafidServerError(AltafidError):
    """500 and 5xx other than the three above: the server failed in a way repeating won't fix."""


class AltafidValidationError(AltafidError):
    """400 or 422: the payload was refused; `field_errors` says where."""


class AltafidAuthError(AltafidError):
    """401 after one fresh login, or the login itself refused."""


class AltafidForbidden(AltafidError):
    pass


class AltafidNotFound(AltafidError):
    pass


class AltafidConflict(AltafidError):
    pass


class AltafidClientError(AltafidError):
    """Any other 4xx."""


class AltafidBadResponse(AltafidError):
    """A success status whose body is not what the contract says."""


_STATUS_TYPES: dict[int, type[AltafidError]] = {
    400: AltafidValidationError,
    401: AltafidAuthError,
    403: AltafidForbidden,
    404: AltafidNotFound,
    409: AltafidConflict,
    422: AltafidValidationError,
    429: AltafidRateLimited,
    502: AltafidUnavailable,
    503: AltafidUnavailable,
    504: AltafidUnavailable,
}


def _type_for_status(status: int) -> type[AltafidError]:
    if status in _STATUS_TYPES:
        return _STATUS_TYPES[status]
    return AltafidServerError if status >= 500 else AltafidClientError


def _json_object(response: httpx.Response) -> dict[str, Any]:
    if not response.content:
        return {}
    try:
        body = json.loads(response.content)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error_code(body: Mapping[str, Any]) -> str | None:
    code = body.get("errorCode")
    return str(code) if code else None


def _field_errors(details: object) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if isinstance(details, Mapping):
        for field, messages in details.items():
            items = messages if isinstance(messages, list) else [messages]
            found.setdefault(str(field), []).extend(str(m) for m in items)
    elif isinstance(details, list):
        for line in details:
            field, separator, message = str(line).partition(": ")
            if separator:
                found.setdefault(field.strip(), []).append(message.strip())
            else:
                found.setdefault("", []).append(str(line))
    return found


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = moment.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)
