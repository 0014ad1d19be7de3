import pytest
from django.conf import settings
from kombu import Connection

from onboarding.celery import app
from onboarding.core.broker import Transport

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="the broker is Redis (REDIS_URL)")

QUEUE = "test-broker"


@pytest.fixture
def channel():
    with Connection(settings.REDIS_URL, transport=Transport) as connection:
        channel = connection.default_channel
        channel.queue_purge(QUEUE)
        yield channel
        channel.queue_purge(QUEUE)


def test_it_is_the_transport_of_the_workers():
    with app.connection_for_read() as connection:
        assert isinstance(connection.transport, Transport)


def test_it_sends_every_command_of_a_channel_through_one_client(channel):
    with channel.conn_or_acquire() as first, channel.conn_or_acquire() as second:
        assert first is second
        assert first.ping()


def test_it_uses_the_client_it_is_given(channel):
    given = channel._create_client()

    with channel.conn_or_acquire(given) as client:
        assert client is given


def test_it_drops_the_client_with_the_pools(channel):
    with channel.conn_or_acquire() as before:
        pass

    channel._disconnect_pools()

    with channel.conn_or_acquire() as after:
        assert after is not before
        assert after.connection_pool is channel.pool
        assert after.ping()


def test_it_records_no_delivery_in_redis_as_the_workers_use_it(channel):
    with app.connection_for_read() as connection:
        consumer_channel = connection.default_channel
        queue = connection.SimpleQueue(QUEUE, channel=consumer_channel)
        queue.put({"step": 1})

        message = queue.get(timeout=5)

        with consumer_channel.conn_or_acquire() as client:
            assert not client.exists("unacked", "unacked_index")
        message.ack()
        queue.close()


def test_it_puts_back_what_it_had_not_acknowledged_when_it_closes(channel):
    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue(QUEUE)
        queue.put({"step": 1})
        queue.get(timeout=5)
        queue.close()

    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue(QUEUE)
        again = queue.get(timeout=5)
        assert again.payload == {"step": 1}
        again.ack()
        queue.close()
