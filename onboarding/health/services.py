import time

from django.core.cache import cache
from django.db import connection

HEARTBEAT_KEY = "health:worker-heartbeat"


def heartbeat_record(*, token: str = "") -> None:
    """Written by a worker; `token` lets a caller recognise its own round trip."""
    cache.set(HEARTBEAT_KEY, {"at": time.time(), "token": token}, None)


def heartbeat_last() -> dict[str, float | str] | None:
    value = cache.get(HEARTBEAT_KEY)
    return value if isinstance(value, dict) else None


def health_status() -> dict[str, object]:
    status: dict[str, object] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means the database is unusable
        status["database"] = "error"
    try:
        cache.set("health:probe", 1, 10)
        status["cache"] = "ok" if cache.get("health:probe") == 1 else "error"
    except Exception:  # noqa: BLE001
        status["cache"] = "error"
    heartbeat = heartbeat_last()
    status["worker_last_seen_seconds"] = (
        round(time.time() - float(heartbeat["at"]), 1) if heartbeat else None
    )
    status["ok"] = status["database"] == "ok" and status["cache"] == "ok"
    return status
