"""Is the app well: its database, cache, broker and workers, and the Altafid it talks to.

`/healthz` answers orchestrators with a status and nothing else; the admins' health page
reads the same checks, plus what periodic tasks leave in the cache (probes, sweeps).
"""

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

HEARTBEAT_KEY = "health:worker-heartbeat"
SWEEPER_KEY = "health:sweeper-run"
PROBE_KEY = "health:altafid-probe:{tenant}"
BROKER_TIMEOUT_SECONDS = 2


def heartbeat_record(*, token: str = "") -> None:
    """Written by a worker; `token` lets a caller recognise its own round trip."""
    cache.set(HEARTBEAT_KEY, {"at": time.time(), "token": token}, None)


def heartbeat_last() -> dict[str, float | str] | None:
    value = cache.get(HEARTBEAT_KEY)
    return value if isinstance(value, dict) else None


def sweeper_record(*, swept: int) -> None:
    cache.set(SWEEPER_KEY, {"at": time.time(), "swept": swept}, None)


def sweeper_last() -> dict[str, float] | None:
    value = cache.get(SWEEPER_KEY)
    return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class Broker:
    reachable: bool
    queued: int | None


def broker_check() -> Broker:
    """Connects to the broker with a short timeout and counts the tasks waiting there."""
    from onboarding.celery import app

    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            try:
                # kombu's virtual transports (Redis, files) count a queue with `_size`.
                channel: Any = broker.default_channel
                queued: int | None = int(channel._size(app.conf.task_default_queue))
            except Exception:  # noqa: BLE001 - a transport that cannot count still answered
                queued = None
            return Broker(True, queued)
    except Exception:  # noqa: BLE001 - whatever the transport raises, it is unreachable
        return Broker(False, None)


def email_delivery() -> str:
    """How e-mails leave: "smtp", "disabled" (EMAIL_DISABLED: dropped), "console" (development
    only), or "other" for any other backend (the tests' outbox)."""
    backend = settings.EMAIL_BACKEND
    return {
        "django.core.mail.backends.smtp.EmailBackend": "smtp",
        "django.core.mail.backends.dummy.EmailBackend": "disabled",
        "django.core.mail.backends.console.EmailBackend": "console",
    }.get(backend, "other")


def database_check() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means the database is unusable
        return False
    return True


def cache_check() -> bool:
    try:
        cache.set("health:probe", 1, 10)
        return bool(cache.get("health:probe") == 1)
    except Exception:  # noqa: BLE001
        return False


def health_status(*, broker: bool = True) -> dict[str, Any]:
    """The checks `/healthz` answers on: database, cache and (unless told not to) broker."""
    status: dict[str, Any] = {
        "database": "ok" if database_check() else "error",
        "cache": "ok" if cache_check() else "error",
    }
    if broker:
        found = broker_check()
        status["broker"] = "ok" if found.reachable else "error"
        status["queued_tasks"] = found.queued
    heartbeat = heartbeat_last()
    status["worker_last_seen_seconds"] = (
        round(time.time() - float(heartbeat["at"]), 1) if heartbeat else None
    )
    status["ok"] = all(
        status[name] == "ok" for name in ("database", "cache", "broker") if name in status
    )
    return status


def probe_record(*, tenant_uuid: str, ok: bool, latency_ms: float | None, error: str) -> None:
    cache.set(
        PROBE_KEY.format(tenant=tenant_uuid),
        {"at": time.time(), "ok": ok, "latency_ms": latency_ms, "error": error},
        None,
    )


def probe_last(*, tenant_uuid: str) -> dict[str, Any] | None:
    value = cache.get(PROBE_KEY.format(tenant=tenant_uuid))
    return value if isinstance(value, dict) else None
