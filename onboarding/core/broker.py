"""The Celery broker's Redis transport, with one client per channel.

kombu's Redis channel builds a new `redis.Redis` for every command it sends outside its
polling connection: once per task sent, and twice per task received while its acknowledgement
bookkeeping was on (`CELERY_BROKER_TRANSPORT_OPTIONS`). Building one fills over a hundred
response callbacks, a measured 4% of a worker's CPU. A client takes a connection from
the pool for each command and gives it back, so one client serves every thread of a channel;
pipelines are still made per use, as kombu makes them.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis


class Channel(redis.Channel):
    _shared_client: Any = None

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        if client:
            yield client
            return
        if self._shared_client is None:
            self._shared_client = self._create_client()  # type: ignore[attr-defined]
        yield self._shared_client

    def _disconnect_pools(self) -> None:
        # After a fork or on closing, kombu drops the pools; the client goes with its pool.
        self._shared_client = None
        super()._disconnect_pools()  # type: ignore[misc]


class Transport(redis.Transport):
    Channel = Channel
