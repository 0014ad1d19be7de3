"""An Altafid stand-in over real HTTP, written from seeds 000 and 001.

Run it alone with `python manage.py altafid_sandbox`, or in-process with
`Sandbox(port=0).start()`. State lives in memory. Control endpoints under `/__sandbox__/`
change faults and read counters from another process; see README.md beside this file.
"""

import contextlib
import copy
import datetime
import json
import logging
import random
import secrets
import threading
import time
from collections import deque
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from onboarding.altafid.sandbox import data, defaults, rules
from onboarding.altafid.sandbox.faults import Faults, ScriptedFault

logger = logging.getLogger(__name__)

CONFIG_PREFIX = "/api/core/platformconfigs/v1/contacts/"
LOOKUP_PATHS = {
    CONFIG_PREFIX + "stages": "stages",
    CONFIG_PREFIX + "sources": "sources",
    CONFIG_PREFIX + "segments": "segments",
    "/api/industries": "industries",
    "/api/core/geo/v1/countries": "countries",
    "/api/core/geo/v1/cities": "cities",
    "/api/core/geo/v1/phone-codes": "phone-codes",
}
USER_TYPES = ("TENANT_STAFF", "PARTNER_STAFF", "CONTACT")
CONTEXT_HEADERS = ("x-tenant-uuid", "x-user-email", "x-user-id", "x-user-type")
# Fields whose value is a code of one of the tenant's configured lists.
LOOKUP_FIELDS = {"stageName": "stages", "contactSource": "sources", "segmentName": "segments"}
FILTER_FIELDS = (
    "contactUuid",
    "firstName",
    "paternalLastName",
    "maternalLastName",
    "preferredEmail",
    "primaryEmail",
    "identityId",
    "status",
    "contactType",
    "stageName",
)
READ_ONLY = ("contactUuid", "contactComplianceUuid", "createdAt", "updatedAt")
TOKEN_SECONDS = 3600


class Reply(Exception):
    """Ends a request with this answer (raised from deep inside a handler)."""

    def __init__(
        self, status: int, body: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def standard_error(status: int, code: str, message: str, path: str, details: Any = None) -> Reply:
    body = {
        "errorCode": code,
        "message": message,
        "status": status,
        "path": path,
        "timestamp": _now(),
        "details": details,
    }
    return Reply(status, body)


def legacy_error(status: int, message: str, details: dict[str, str]) -> Reply:
    body = {
        "timestamp": _now() + ".000Z",
        "status": status,
        "error": HTTPStatus(status).phrase,
        "message": message,
        "details": details,
    }
    return Reply(status, body)


def _new_uuid(prefix: str) -> str:
    return prefix + secrets.token_hex(16).upper()


class SandboxState:
    def __init__(self, faults: Faults) -> None:
        self.lock = threading.RLock()
        self.faults = faults
        self.reset(keep_faults=True)

    def reset(self, *, keep_faults: bool = False) -> None:
        with self.lock:
            if not keep_faults:
                self.faults = Faults()
            self.random = random.Random(self.faults.seed)
            self.scripted: deque[ScriptedFault] = deque()
            self.tokens: set[str] = set()
            self.contacts: dict[str, dict[str, dict[str, Any]]] = {}
            self.lookups: dict[str, dict[str, list[dict[str, Any]]]] = {}
            self.requests: list[tuple[str, str]] = []

    def set_faults(self, faults: Faults) -> None:
        with self.lock:
            self.faults = faults
            self.random = random.Random(faults.seed)

    def lookup(self, tenant: str, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            custom = self.lookups.get(tenant, {})
            return copy.deepcopy(custom[kind] if kind in custom else data.lookup_defaults()[kind])

    def pick_fault(self, method: str, path: str) -> str | None:
        with self.lock:
            for scripted in self.scripted:
                if scripted.matches(method, path):
                    scripted.used += 1
                    if scripted.used >= scripted.times:
                        self.scripted.remove(scripted)
                    return scripted.kind
            if self.faults.error_rate and self.random.random() < self.faults.error_rate:
                return self.random.choice(self.faults.kinds)
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one segment; otherwise delayed ACKs add ~40 ms per answer.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            logger.info("sandbox %s", format % args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        path = url.path
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        state = self.server.state
        if path.startswith("/__sandbox__/"):
            self._run(lambda: self.server.api.control(method, path, query, raw))
            return
        with state.lock:
            state.requests.append((method, path))
            latency = state.faults.latency_ms
        if latency:
            time.sleep(latency / 1000)
        fault = state.pick_fault(method, path)
        if fault == "drop_after_write" and method in ("POST", "PUT"):
            with contextlib.suppress(Reply):
                self.server.api.route(method, path, query, raw, self.headers)
            self._drop()
            return
        if fault in ("drop_before", "drop_after_write"):
            self._drop()
            return
        if fault is not None:
            self._send(self.server.api.fault_reply(fault, path))
            return
        self._run(lambda: self.server.api.route(method, path, query, raw, self.headers))

    def _run(self, work: Any) -> None:
        try:
            reply = work()
        except Reply as answer:
            reply = answer
        except Exception:
            logger.exception("sandbox failed on %s", self.path)
            reply = standard_error(500, "BE0500", "Internal server error", self.path)
        self._send(reply)

    def _drop(self) -> None:
        self.close_connection = True

    def _send(self, reply: Reply) -> None:
        payload = b"" if reply.body is None else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        if payload:
            self.send_header("Content-Type", "application/json")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], api: "SandboxApi", verbose: bool) -> None:
        self.api = api
        self.state = api.state
        self.verbose = verbose
        super().__init__(address, _Handler)


class SandboxApi:
    """The endpoints; each returns a `Reply` or raises one."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    # --- control -------------------------------------------------------------------------
    def control(self, method: str, path: str, query: dict[str, str], raw: bytes) -> Reply:
        state = self.state
        action = path.removeprefix("/__sandbox__/")
        if action == "health":
            return Reply(200, {"status": "ok"})
        if action == "faults" and method == "GET":
            return Reply(200, state.faults.to_dict())
        if action == "faults" and method in ("POST", "PUT"):
            try:
                faults = Faults.from_dict(json.loads(raw or b"{}"))
            except (ValueError, TypeError) as error:
                return Reply(400, {"message": str(error)})
            state.set_faults(faults)
            return Reply(200, faults.to_dict())
        if action == "fail-next" and method == "POST":
            body = json.loads(raw or b"{}")
            try:
                scripted = ScriptedFault(
                    kind=body.get("kind", ""),
                    method=body.get("method"),
                    path_prefix=body.get("pathPrefix"),
                    times=int(body.get("times", 1)),
                )
            except ValueError as error:
                return Reply(400, {"message": str(error)})
            with state.lock:
                state.scripted.append(scripted)
            return Reply(200, {"queued": len(state.scripted)})
        if action == "reset" and method == "POST":
            state.reset()
            return Reply(200, {"status": "reset"})
        if action == "tokens/revoke" and method == "POST":
            with state.lock:
                state.tokens.clear()
            return Reply(200, {"status": "revoked"})
        if action == "stats" and method == "GET":
            with state.lock:
                return Reply(
                    200,
                    {
                        "requests": len(state.requests),
                        "contacts": {t: len(c) for t, c in state.contacts.items()},
                    },
                )
        if action == "contacts" and method == "GET":
            with state.lock:
                tenant = query.get("tenant", defaults.TENANT_UUID)
                return Reply(200, list(state.contacts.get(tenant, {}).values()))
        return Reply(404, {"message": "no such control endpoint"})

    def fault_reply(self, fault: str, path: str) -> Reply:
        if fault == "rate_limit":
            reply = standard_error(429, "BE0429", "Too many requests", path)
            reply.headers["Retry-After"] = str(self.state.faults.retry_after_seconds)
            return reply
        if fault == "unavailable":
            return standard_error(503, "BE0503", "Service unavailable", path)
        if fault == "unavailable_empty":
            return Reply(503)
        if fault == "bad_gateway":
            return Reply(502)
        return standard_error(500, "BE0500", "Internal server error", path)

    # --- API -----------------------------------------------------------------------------
    def route(
        self, method: str, path: str, query: dict[str, str], raw: bytes, headers: Any
    ) -> Reply:
        if path == "/api/auth/login":
            if method != "POST":
                raise Reply(405)
            return self.login(self._json(raw, path), path)
        tenant = self._authorise(headers, path)
        if path in LOOKUP_PATHS:
            if method != "GET":
                raise Reply(405)
            return self.lookup(tenant, LOOKUP_PATHS[path], query, path)
        if path == "/api/contacts":
            if method == "POST":
                return self.contact_create(tenant, self._json(raw, path), path)
            if method == "GET":
                return self.contact_list(tenant, query, path)
            raise Reply(405)
        if path == "/api/v2/contacts/filter":
            if method != "POST":
                raise Reply(405)
            return self.contact_filter(tenant, self._json(raw, path), path)
        if path.startswith("/api/contacts/"):
            rest = unquote(path.removeprefix("/api/contacts/"))
            if rest.endswith("/credentials/init"):
                if method != "POST":
                    raise Reply(405)
                return self.credentials_init(tenant, rest.removesuffix("/credentials/init"), path)
            if "/" in rest:
                raise standard_error(404, "BE0100", "No such endpoint", path)
            if method == "GET":
                return Reply(200, self._contact(tenant, rest, path))
            if method == "PUT":
                return self.contact_update(tenant, rest, self._json(raw, path), path)
            raise Reply(405)
        raise standard_error(404, "BE0100", "No such endpoint", path)

    def _json(self, raw: bytes, path: str) -> dict[str, Any]:
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise standard_error(400, "BE0200", "Malformed JSON request", path)
        return body

    def _authorise(self, headers: Any, path: str) -> str:
        scheme, _, token = (headers.get("Authorization") or "").partition(" ")
        with self.state.lock:
            known = token == defaults.STATIC_TOKEN or token in self.state.tokens
        if scheme != "Bearer" or not known:
            raise Reply(401)
        missing = [
            f"{name}: must not be blank" for name in CONTEXT_HEADERS if not headers.get(name)
        ]
        if missing:
            raise standard_error(400, "BE0202", "Missing request headers", path, missing)
        if headers.get("x-user-type") not in USER_TYPES:
            details = [f"x-user-type: must be one of {', '.join(USER_TYPES)}"]
            raise standard_error(400, "BE0202", "Invalid request headers", path, details)
        return str(headers.get("x-tenant-uuid"))

    def login(self, body: dict[str, Any], path: str) -> Reply:
        if (
            body.get("email") != defaults.SERVICE_USER_EMAIL
            or body.get("password") != defaults.SERVICE_USER_PASSWORD
        ):
            raise standard_error(401, "BE0001", "Invalid credentials", path)
        token = "sbx-" + secrets.token_urlsafe(24)
        with self.state.lock:
            self.state.tokens.add(token)
        user = {
            "email": defaults.SERVICE_USER_EMAIL,
            "userId": defaults.SERVICE_USER_ID,
            "userType": "TENANT_STAFF",
            "tenantUuid": defaults.TENANT_UUID,
        }
        body = {"accessToken": token, "tokenType": "Bearer", "expiresIn": TOKEN_SECONDS}
        return Reply(200, {**body, "user": user})

    def lookup(self, tenant: str, kind: str, query: dict[str, str], path: str) -> Reply:
        items = self.state.lookup(tenant, kind)
        if kind == "cities":
            country = query.get("country")
            if not country:
                raise legacy_error(400, "Validation failed", {"country": "must not be blank"})
            items = [city for city in items if city.get("countryCode") == country]
        if kind == "countries" and query.get("fields"):
            items = [_pick(item, query["fields"].split(",")) for item in items]
        return Reply(200, items)

    def contact_create(self, tenant: str, body: dict[str, Any], path: str) -> Reply:
        problems = rules.check_create(body)
        if body.get("firmId") not in (None, tenant):
            problems.append("firmId: must be the tenant of x-tenant-uuid")
        if problems:
            raise standard_error(400, "BE0201", "Validation failed", path, problems)
        stamp = _now()
        contact = {
            **body,
            "contactUuid": _new_uuid("C"),
            "createdAt": stamp,
            "updatedAt": stamp,
            "credentialsInitialised": False,
        }
        with self.state.lock:
            self.state.contacts.setdefault(tenant, {})[contact["contactUuid"]] = contact
            return Reply(200, copy.deepcopy(contact))

    def _lookup_problems(self, tenant: str, body: dict[str, Any]) -> list[str]:
        """As Altafid does: a configured code must be one of the tenant's live values."""
        problems = []
        for field, kind in LOOKUP_FIELDS.items():
            value = body.get(field)
            if not value:
                continue
            live = {
                item.get("code")
                for item in self.state.lookup(tenant, kind)
                if item.get("enabled", True) and not item.get("deleted", False)
            }
            if value not in live:
                problems.append(f"{field}: unknown or disabled value")
        return problems

    def _contact(self, tenant: str, contact_uuid: str, path: str) -> dict[str, Any]:
        with self.state.lock:
            contact = self.state.contacts.get(tenant, {}).get(contact_uuid)
            if contact is None:
                raise standard_error(404, "BE0101", "Contact not found", path)
            return copy.deepcopy(contact)

    def contact_update(
        self, tenant: str, contact_uuid: str, body: dict[str, Any], path: str
    ) -> Reply:
        self._contact(tenant, contact_uuid, path)
        problems = rules.check_update(body) + self._lookup_problems(tenant, body)
        if problems:
            raise standard_error(400, "BE0201", "Validation failed", path, problems)
        with self.state.lock:
            contact = self.state.contacts[tenant][contact_uuid]
            for name, value in body.items():
                if name in READ_ONLY:
                    continue
                if name == "addresses":
                    contact["addresses"] = _merge_addresses(contact.get("addresses", []), value)
                else:
                    contact[name] = value
            contact["updatedAt"] = _now()
            return Reply(200, copy.deepcopy(contact))

    def credentials_init(self, tenant: str, contact_uuid: str, path: str) -> Reply:
        contact = self._contact(tenant, contact_uuid, path)
        if not contact.get("primaryEmail"):
            raise legacy_error(
                400,
                "Validation failed",
                {"primaryEmail": "must be set before credentials are initialised"},
            )
        with self.state.lock:
            stored = self.state.contacts[tenant][contact_uuid]
            if stored["credentialsInitialised"]:
                raise standard_error(409, "BE0409", "Credentials already initialised", path)
            stored["credentialsInitialised"] = True
        return Reply(200, {"contactUuid": contact_uuid, "login": contact["primaryEmail"]})

    def contact_list(self, tenant: str, query: dict[str, str], path: str) -> Reply:
        with self.state.lock:
            contacts = list(self.state.contacts.get(tenant, {}).values())
            page = copy.deepcopy(_page(contacts, query.get("page"), query.get("size"), path))
        return Reply(200, page)

    def contact_filter(self, tenant: str, body: dict[str, Any], path: str) -> Reply:
        conditions = body.get("filters") or []
        problems = []
        for i, condition in enumerate(conditions):
            if not isinstance(condition, dict) or condition.get("field") not in FILTER_FIELDS:
                problems.append(f"filters[{i}].field: must be one of {', '.join(FILTER_FIELDS)}")
            elif condition.get("operator") not in ("equals", "in", "contains"):
                problems.append(f"filters[{i}].operator: must be one of equals, in, contains")
        if problems:
            raise standard_error(400, "BE0201", "Validation failed", path, problems)
        # Only the matches are copied: copying every contact made each search cost as much
        # as the sandbox had contacts, and successive benchmark runs slowed down with it.
        with self.state.lock:
            found = copy.deepcopy(
                [
                    contact
                    for contact in self.state.contacts.get(tenant, {}).values()
                    if all(_matches(contact, condition) for condition in conditions)
                ]
            )
        if "createdAt,desc" in (body.get("sort") or []):
            found.reverse()
        return Reply(200, _page(found, body.get("page"), body.get("size"), path))


def _pick(item: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    picked: dict[str, Any] = {}
    for dotted in fields:
        source, target = item, picked
        parts = dotted.strip().split(".")
        for part in parts[:-1]:
            source = source.get(part) or {}
            target = target.setdefault(part, {})
        if parts[-1] in source:
            target[parts[-1]] = source[parts[-1]]
    return picked


def _merge_addresses(
    current: list[dict[str, Any]], incoming: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Addresses of the kinds sent replace those of the same kind; others stay."""
    kinds = {address.get("contactAddressType") for address in incoming}
    kept = [address for address in current if address.get("contactAddressType") not in kinds]
    return kept + [
        {**address, "addressUuid": address.get("addressUuid") or _new_uuid("CAD")}
        for address in incoming
    ]


def _matches(contact: dict[str, Any], condition: dict[str, Any]) -> bool:
    value = str(contact.get(condition["field"]) or "").casefold()
    if condition["operator"] == "in":
        return value in {str(v).casefold() for v in condition.get("values") or []}
    wanted = str(condition.get("value") or "").casefold()
    return value == wanted if condition["operator"] == "equals" else wanted in value


def _page(items: list[dict[str, Any]], page: Any, size: Any, path: str) -> dict[str, Any]:
    try:
        page_number = int(page or 0)
        page_size = int(size or 20)
    except (TypeError, ValueError):
        raise standard_error(400, "BE0203", "page and size must be numbers", path) from None
    if page_number < 0 or not 1 <= page_size <= 1000:
        raise standard_error(400, "BE0203", "page or size out of range", path)
    start = page_number * page_size
    return {
        "content": items[start : start + page_size],
        "page": page_number,
        "size": page_size,
        "totalElements": len(items),
        "totalPages": (len(items) + page_size - 1) // page_size,
    }


class Sandbox:
    """One sandbox server; `port=0` picks a free port (see `base_url`)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = defaults.DEFAULT_PORT,
        *,
        faults: Faults | None = None,
        verbose: bool = False,
    ) -> None:
        self.state = SandboxState(faults or Faults())
        self._server = _Server((host, port), SandboxApi(self.state), verbose)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> "Sandbox":
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="altafid-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        self.state.reset()

    @property
    def faults(self) -> Faults:
        return self.state.faults

    def set_faults(self, faults: Faults) -> None:
        self.state.set_faults(faults)

    def fail_next(
        self,
        kind: str,
        *,
        method: str | None = None,
        path_prefix: str | None = None,
        times: int = 1,
    ) -> None:
        with self.state.lock:
            self.state.scripted.append(ScriptedFault(kind, method, path_prefix, times))

    def revoke_tokens(self) -> None:
        with self.state.lock:
            self.state.tokens.clear()

    def request_count(self, *, path_prefix: str = "", method: str | None = None) -> int:
        with self.state.lock:
            return sum(
                1
                for seen_method, path in self.state.requests
                if path.startswith(path_prefix) and method in (None, seen_method)
            )

    def add_contact(self, tenant_uuid: str, contact: dict[str, Any]) -> None:
        """Stores a contact as if it had been created elsewhere (by another system or person)."""
        with self.state.lock:
            self.state.contacts.setdefault(tenant_uuid, {})[contact["contactUuid"]] = dict(contact)

    def contacts(self, tenant_uuid: str = defaults.TENANT_UUID) -> list[dict[str, Any]]:
        with self.state.lock:
            return copy.deepcopy(list(self.state.contacts.get(tenant_uuid, {}).values()))

    def set_lookup(
        self, kind: str, items: list[dict[str, Any]], *, tenant_uuid: str = defaults.TENANT_UUID
    ) -> None:
        if kind not in data.lookup_defaults():
            raise ValueError(f"unknown lookup {kind!r}")
        with self.state.lock:
            self.state.lookups.setdefault(tenant_uuid, {})[kind] = copy.deepcopy(items)
