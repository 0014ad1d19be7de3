"""The retry classification of docs/altafid-contract.md "Errors", row by row."""

import email.utils
import time

import httpx
import pytest

from onboarding.altafid import errors
from onboarding.altafid.errors import AltafidError


def _response(method: str, status: int, body: bytes = b"", headers=None) -> httpx.Response:
    request = httpx.Request(method, "http://altafid.test/api/contacts")
    return httpx.Response(status, content=body, headers=headers or {}, request=request)


@pytest.mark.parametrize(
    ("method", "status", "error_type", "retryable", "ambiguous"),
    [
        ("POST", 400, errors.AltafidValidationError, False, False),
        ("POST", 401, errors.AltafidAuthError, False, False),
        ("PUT", 403, errors.AltafidForbidden, False, False),
        ("GET", 404, errors.AltafidNotFound, False, False),
        ("POST", 409, errors.AltafidConflict, False, False),
        ("PUT", 422, errors.AltafidValidationError, False, False),
        ("POST", 418, errors.AltafidClientError, False, False),
        ("POST", 429, errors.AltafidRateLimited, True, False),
        ("POST", 500, errors.AltafidServerError, False, True),
        ("GET", 500, errors.AltafidServerError, False, False),
        ("POST", 501, errors.AltafidServerError, False, False),
        ("POST", 502, errors.AltafidUnavailable, True, True),
        ("GET", 502, errors.AltafidUnavailable, True, False),
        ("PUT", 503, errors.AltafidUnavailable, True, False),
        ("PUT", 504, errors.AltafidUnavailable, True, True),
    ],
)
def test_it_classifies_each_status(method, status, error_type, retryable, ambiguous):
    error = AltafidError.from_response(_response(method, status))

    assert type(error) is error_type
    assert (error.retryable, error.ambiguous) == (retryable, ambiguous)
    assert error.status == status


@pytest.mark.parametrize(
    ("transport_error", "method", "error_type", "ambiguous"),
    [
        (httpx.ConnectError("refused"), "POST", errors.AltafidConnectionError, False),
        (httpx.ConnectTimeout("slow"), "POST", errors.AltafidTimeout, False),
        (httpx.PoolTimeout("busy"), "PUT", errors.AltafidTimeout, False),
        (httpx.ReadTimeout("slow"), "POST", errors.AltafidTimeout, True),
        (httpx.ReadTimeout("slow"), "GET", errors.AltafidTimeout, False),
        (httpx.WriteTimeout("slow"), "PUT", errors.AltafidTimeout, True),
        (httpx.RemoteProtocolError("gone"), "POST", errors.AltafidConnectionError, True),
        (httpx.ReadError("reset"), "PUT", errors.AltafidConnectionError, True),
        (httpx.ReadError("reset"), "GET", errors.AltafidConnectionError, False),
    ],
)
def test_it_classifies_each_transport_failure(transport_error, method, error_type, ambiguous):
    error = AltafidError.from_transport(transport_error, method=method, path="/api/contacts")

    assert type(error) is error_type
    assert error.retryable
    assert error.ambiguous is ambiguous
    assert error.status is None


def test_it_reads_the_standard_schema():
    body = (
        b'{"errorCode": "BE0201", "message": "Validation failed", "status": 400,'
        b' "details": ["firstName: must not be blank", "firstName: too short", "orphan line"]}'
    )

    error = AltafidError.from_response(_response("POST", 400, body))

    assert error.code == "BE0201"
    assert error.message == "Validation failed"
    assert error.field_errors == {
        "firstName": ["must not be blank", "too short"],
        "": ["orphan line"],
    }


def test_it_reads_the_legacy_schema():
    body = b'{"status": 400, "error": "Bad Request", "message": "Validation failed",'
    body += b' "details": {"firstName": "must not be blank"}}'

    error = AltafidError.from_response(_response("POST", 400, body))

    assert error.code is None
    assert error.field_errors == {"firstName": ["must not be blank"]}


@pytest.mark.parametrize("body", [b"", b"<html>Bad gateway</html>", b"[1, 2]"])
def test_it_copes_with_empty_and_foreign_bodies(body):
    error = AltafidError.from_response(_response("PUT", 502, body))

    assert error.code is None
    assert error.field_errors == {}
    assert error.message


@pytest.mark.parametrize(
    ("header", "expected"),
    [("7", 7.0), ("0", 0.0), ("99999", errors.MAX_RETRY_AFTER_SECONDS), ("soon", None)],
)
def test_it_reads_retry_after_in_seconds(header, expected):
    error = AltafidError.from_response(_response("GET", 429, headers={"Retry-After": header}))

    assert error.retry_after == expected


def test_it_reads_retry_after_as_an_http_date():
    header = email.utils.formatdate(time.time() + 30, usegmt=True)

    error = AltafidError.from_response(_response("GET", 429, headers={"Retry-After": header}))

    assert error.retry_after is not None
    assert 25 <= error.retry_after <= 31


def test_it_keeps_the_servers_message_out_of_its_string_form():
    body = b'{"errorCode": "BE0409", "message": "juan@example.com already exists"}'

    error = AltafidError.from_response(_response("POST", 409, body))

    assert "juan@example.com" not in str(error)
    assert "juan@example.com" not in repr(error)
    assert str(error) == "AltafidConflict: POST /api/contacts -> 409 BE0409"
    assert error.to_dict()["message"] == "juan@example.com already exists"
