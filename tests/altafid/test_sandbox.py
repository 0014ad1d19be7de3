import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from onboarding.altafid import contacts, lookups
from onboarding.altafid.errors import AltafidError, AltafidValidationError
from onboarding.altafid.sandbox import defaults
from onboarding.altafid.sandbox.faults import Faults
from tests.altafid.payloads import create_payload

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def sandbox_process():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "altafid_sandbox", "--port", str(port), "--seed", "3"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{base_url}/__sandbox__/health")
            break
        except httpx.TransportError:
            time.sleep(0.05)
    yield base_url
    process.terminate()
    process.wait()


def test_it_runs_as_its_own_process_and_is_steered_over_http(sandbox_process):
    base = sandbox_process
    httpx.post(f"{base}/__sandbox__/reset")
    faults = {"error_rate": 1.0, "kinds": ["unavailable_empty"], "latency_ms": 0}
    assert httpx.put(f"{base}/__sandbox__/faults", json=faults).status_code == 200

    answer = httpx.post(f"{base}/api/auth/login", json={"email": "x", "password": "y"})

    assert (answer.status_code, answer.content) == (503, b"")
    assert httpx.get(f"{base}/__sandbox__/faults").json()["kinds"] == ["unavailable_empty"]
    assert httpx.get(f"{base}/__sandbox__/stats").json()["requests"] == 1


def test_it_refuses_bad_fault_settings_over_http(sandbox_process):
    answer = httpx.put(f"{sandbox_process}/__sandbox__/faults", json={"error_rate": 2})

    assert answer.status_code == 400


def test_it_scripts_a_fault_for_the_next_matching_request(sandbox_process):
    base = sandbox_process
    httpx.post(f"{base}/__sandbox__/reset")
    script = {"kind": "rate_limit", "method": "POST", "pathPrefix": "/api/auth"}
    httpx.post(f"{base}/__sandbox__/fail-next", json=script)
    credentials = {"email": defaults.SERVICE_USER_EMAIL, "password": defaults.SERVICE_USER_PASSWORD}

    first = httpx.post(f"{base}/api/auth/login", json=credentials)
    second = httpx.post(f"{base}/api/auth/login", json=credentials)

    assert (first.status_code, first.headers["Retry-After"]) == (429, "1")
    assert second.status_code == 200


def test_it_fails_about_the_share_of_requests_asked_for(client, sandbox):
    client.get(lookups.INDUSTRIES_PATH)
    sandbox.set_faults(Faults(error_rate=0.3, kinds=("unavailable",), seed=11))
    failures = 0
    for _ in range(200):
        try:
            client.get(lookups.INDUSTRIES_PATH)
        except AltafidError:
            failures += 1

    assert 30 <= failures <= 90


def test_it_adds_latency(client, sandbox):
    client.get(lookups.INDUSTRIES_PATH)
    sandbox.set_faults(Faults(latency_ms=150))
    started = time.monotonic()

    client.get(lookups.INDUSTRIES_PATH)

    assert time.monotonic() - started >= 0.15


def test_it_answers_401_with_an_empty_body_to_a_bad_token(sandbox):
    answer = httpx.get(
        sandbox.base_url + lookups.INDUSTRIES_PATH, headers={"Authorization": "Bearer nope"}
    )

    assert (answer.status_code, answer.content) == (401, b"")


def test_it_refuses_fields_it_does_not_know(client):
    body = create_payload().payload() | {"favouriteColour": "blue"}

    with pytest.raises(AltafidValidationError) as caught:
        client.post(contacts.CONTACTS_PATH, json=body)

    assert caught.value.field_errors == {"favouriteColour": ["unknown field"]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("dateOfBirth", "1980-5-20", "must be a date in YYYY-MM-DD format"),
        ("identityCountry", "CL", "must be an ISO-3 country code"),
        ("contactType", "PROSPECT", "must be one of SUBSCRIBER, ACTIVE"),
        ("preferredEmail", "juan", "must be a well-formed email address"),
        ("firstName", " ", "must not be blank"),
    ],
)
def test_it_enforces_the_seed_rules_on_create(client, field, value, message):
    body = create_payload().payload() | {field: value}

    with pytest.raises(AltafidValidationError) as caught:
        client.post(contacts.CONTACTS_PATH, json=body)

    assert caught.value.field_errors == {field: [message]}


def test_it_checks_nested_rows_on_update(client):
    uuid = contacts.contact_create(client, payload=create_payload()).contact_uuid
    body = {"employmentHistory": [{"employmentStatus": "employed", "country": "CL"}]}

    with pytest.raises(AltafidValidationError) as caught:
        client.put(f"{contacts.CONTACTS_PATH}/{uuid}", json=body)

    assert caught.value.field_errors == {
        "employmentHistory[0].country": ["must be an ISO-3 country code"]
    }


def test_it_forgets_everything_on_reset(client, sandbox):
    contacts.contact_create(client, payload=create_payload())

    sandbox.reset()

    assert sandbox.contacts() == []
    assert sandbox.request_count() == 0
