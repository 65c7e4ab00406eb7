"""Point this process's Celery app at another broker for a test: a closed port (the broker is down) or back.

The app caches its connection pools; ``broker_at`` swaps the URL, drops the pools, turns eager execution off
(so ``apply_async`` really talks to the broker) and puts everything back afterwards.
"""

from __future__ import annotations

import socket
from contextlib import contextmanager

from compliance import celery_app


def closed_port_url() -> str:
    """A ``redis://`` URL on loopback where nothing listens (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def _drop_pools() -> None:
    # Dropped, not closed: kombu keeps the pools in a registry by connection and would hand out a closed one.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    """Within the block, tasks are sent to the broker at ``url`` (not run eagerly)."""
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    _drop_pools()
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        _drop_pools()
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous
