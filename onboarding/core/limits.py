"""How often something may happen per clock hour, counted in the shared cache (Redis in
production, so every web process counts together): e-mails sent to one address, or asked for
from one IP address. Keys hold a keyed hash of what is counted, never the address itself."""

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.crypto import salted_hmac

HOUR = 3600


@dataclass(frozen=True)
class Limit:
    action: str  # what is counted, e.g. "password-reset-address"
    key: str  # for whom: an address, an IP address
    per_hour: int


def _cache_key(limit: Limit, hour: int) -> str:
    digest = salted_hmac("onboarding.core.limits", limit.key, algorithm="sha256").hexdigest()
    return f"limits:v1:{limit.action}:{digest[:32]}:{hour}"


def limits_take(*limits: Limit) -> Limit | None:
    """Counts one more action against each limit in turn; returns the first limit this
    action goes over (those after it are not counted), or None when every one allows it."""
    hour = int(time.time()) // HOUR
    for limit in limits:
        key = _cache_key(limit, hour)
        cache.add(key, 0, timeout=HOUR + 60)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=HOUR + 60)
            count = 1
        if count > limit.per_hour:
            return limit
    return None
