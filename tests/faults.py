"""For fault tests: a port where nothing listens, a real Redis, and the Celery app pointed at either.

The fixtures built on these (`broker`, `unreachable_broker`, `redis_worker`) are in tests/conftest.py.
"""

import os
import socket

import redis

from partnerhub.celery import app as celery_app

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def free_port():
    """A local port where nothing listens (bound for a moment to pick it, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def closed_broker_url():
    """A Redis URL on a closed port: connecting is refused at once, so every publish fails."""
    return f"redis://127.0.0.1:{free_port()}/0"


def redis_answers(url=REDIS_URL):
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except (redis.RedisError, OSError, ValueError):
        return False


def forget_broker_connections():
    # The app caches its connection and producer pools for the broker it first used; drop the references
    # (as Celery itself does after a fork) so the next message goes to the broker now configured. The pools
    # themselves belong to kombu's registry and stay open for whoever else uses them.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
