import pytest
from django.core.cache import cache

from onboarding.core import limits
from onboarding.core.limits import Limit, limits_take


def test_it_allows_as_many_as_the_limit_in_an_hour_then_refuses():
    limit = Limit(action="test", key="rosa@example.com", per_hour=3)

    answers = [limits_take(limit) for _ in range(4)]

    assert answers == [None, None, None, limit]


def test_it_counts_each_key_on_its_own():
    for _ in range(2):
        limits_take(Limit(action="test", key="rosa@example.com", per_hour=2))

    assert limits_take(Limit(action="test", key="tomas@example.com", per_hour=2)) is None
    assert limits_take(Limit(action="other", key="rosa@example.com", per_hour=2)) is None


def test_it_stops_counting_at_the_first_limit_reached():
    by_ip = Limit(action="ip", key="203.0.113.9", per_hour=1)
    by_address = Limit(action="address", key="rosa@example.com", per_hour=1)
    limits_take(by_ip)

    assert limits_take(by_ip, by_address) == by_ip
    assert limits_take(by_address) is None


def test_it_allows_again_in_the_next_hour(monkeypatch):
    limit = Limit(action="test", key="rosa@example.com", per_hour=1)
    monkeypatch.setattr(limits.time, "time", lambda: 7 * 3600 + 3599)
    limits_take(limit)
    assert limits_take(limit) == limit

    monkeypatch.setattr(limits.time, "time", lambda: 8 * 3600)

    assert limits_take(limit) is None


def test_it_keeps_no_address_in_the_cache(settings):
    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        pytest.skip("the file cache names its files by a hash of the key anyway")
    limits_take(Limit(action="test", key="canary-rosa@example.com", per_hour=1))

    keys = b" ".join(cache._cache.get_client().keys("*"))

    assert b"limits:v1:test:" in keys
    assert b"canary" not in keys
