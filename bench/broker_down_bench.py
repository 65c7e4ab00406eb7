"""How long handing a report to the broker takes when the broker is down (issue #13 item 6, SECURITY.md F-3).

Run (a real Redis for the reference; nothing is written to any database)::

    REDIS_URL=redis://127.0.0.1:56404/0 DEBUG=1 .venv/bin/python bench/broker_down_bench.py --repeat 20

What it does: publishes ``compliance.tasks.render_report_task`` the way ``report_dispatch`` does
(``apply_async(retry=False)``, the project's broker settings) ``--repeat`` times against

1. the healthy Redis in ``REDIS_URL`` (the reference; its messages go to a queue no worker reads, deleted at the end),
2. a loopback port where nothing listens (Redis stopped: the connection is refused),
3. a loopback port that accepts connections and never answers (a hung Redis or a black-holed network),

and prints p50 and max in ms for each, and each case's p50 as a multiple of the reference measured in
the same run. The bound that matters is the absolute one: a request never waits more than the connect
timeout plus one socket timeout (settings: ``CELERY_BROKER_CONNECTION_TIMEOUT``,
``CELERY_BROKER_TRANSPORT_OPTIONS``). Exits with status 1 if a down case took longer than 10 s.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")

import django  # noqa: E402

django.setup()

from compliance import celery_app  # noqa: E402
from compliance.tasks import render_report_task  # noqa: E402

LIMIT_S = 10.0
#: A queue no worker reads: the reference's messages never reach a worker and are deleted at the end.
QUEUE = "bench-broker-down"


def _use(url: str) -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = False


def _time(url: str, repeat: int) -> tuple[list[float], int]:
    _use(url)
    times, failures = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            render_report_task.apply_async((0,), retry=False, queue=QUEUE)
        except Exception:  # noqa: BLE001 (what report_dispatch catches)
            failures += 1
        times.append((time.perf_counter() - started) * 1000)
    return times, failures


def _silent_listener() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(server.accept()[0])  # keep the connection open, never answer
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return server, server.getsockname()[1]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    healthy = os.environ.get("REDIS_URL")
    if not healthy:
        print("REDIS_URL must point at a running Redis (the reference)")
        return 2
    server, silent_port = _silent_listener()
    cases = [
        ("healthy Redis (reference)", healthy, args.repeat),
        ("Redis stopped (refused)", f"redis://127.0.0.1:{_closed_port()}/0", args.repeat),
        ("Redis silent (accepts, never answers)", f"redis://127.0.0.1:{silent_port}/0", min(args.repeat, 3)),
    ]
    results = []
    for name, url, repeat in cases:
        times, failures = _time(url, repeat)
        results.append((name, times, failures))
    server.close()
    import redis

    redis.Redis.from_url(healthy).delete(QUEUE)  # the reference's messages
    reference = statistics.median(results[0][1])
    print(f"{'case':40} {'n':>3} {'failed':>6} {'p50 ms':>9} {'max ms':>9} {'p50 / ref':>9}")
    worst = 0.0
    for index, (name, times, failures) in enumerate(results):
        p50 = statistics.median(times)
        print(f"{name:40} {len(times):3} {failures:6} {p50:9.1f} {max(times):9.1f} {p50 / reference:9.1f}")
        if index:
            worst = max(worst, max(times) / 1000)
    print(f"slowest down case: {worst:.2f} s (bound {LIMIT_S:.0f} s)")
    return 0 if worst < LIMIT_S else 1


if __name__ == "__main__":
    sys.exit(main())
