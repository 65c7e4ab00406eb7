"""What the benchmarks in ``bench/`` share: Django set-up, the test database, query counts, timings.

Import it before any Django import: importing it puts the project on ``sys.path``,
sets ``DJANGO_SETTINGS_MODULE`` and ``TESTING`` and calls ``django.setup()``.
``TESTING`` gives the fast password hasher and the locmem mail backend, and lets the
settings start without ``SECRET_KEY``. ``DEBUG`` stays off: Django would keep every query.

A benchmark script keeps its own data building and measurements and hands them to ``run``::

    def add_arguments(parser):  # its sizes and --repeat; run adds --keepdb and --build-only
        ...

    def bench(args, database) -> bool:  # True when the benchmark fails
        page = harness.Page("Roster page", url, requests, unit="officers", key_width=40, p95_label="p95")
        ...  # build the small data
        small = harness.measure_small(page, size=args.small, repeat=args.repeat)
        ...  # grow the data; on --build-only: database.keep_for_inspection(); return False
        failed = harness.measure_large(page, small, size=args.officers, repeat=args.repeat, target_ms=200)
        ...  # time whole jobs with measure_job, print report_target
        return failed

    if __name__ == "__main__":
        sys.exit(harness.run(__doc__, add_arguments, bench))

Units: durations of single requests (``time_requests``, ``measure_small``, ``measure_large``,
``Page``, ``SmallPass``) are in milliseconds; durations of a whole job (``measure_job``) in seconds.
Not a test: ``make test`` never imports this module.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
os.environ.setdefault("TESTING", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

from compliance.core.bulk_history import history_skipped  # noqa: E402

T = TypeVar("T")


class BenchDatabase:
    """A fresh, migrated ``test_<name>`` database next to ``DATABASE_URL``'s, for a ``with`` block.

    On entry it creates and migrates the database (Django's ``setup_databases``; a
    leftover one of the same name is dropped first) and prints the PostgreSQL version,
    the database name and how many seconds creating and migrating took. On exit it
    drops the database (``teardown_databases``) unless ``keep`` is true or
    ``keep_for_inspection`` was called.
    """

    def __init__(self, *, keep: bool = False, reuse: bool = False) -> None:
        self.keep = keep or reuse
        #: Measure on the database an earlier ``--build-only`` kept (migrated, not rebuilt): ``--reuse``.
        self.reuse = reuse
        self._old_config: Any = None

    @property
    def name(self) -> str:
        """The test database's name (``test_postgres`` for a ``DATABASE_URL`` ending in ``/postgres``)."""
        return connection.settings_dict["NAME"]

    def __enter__(self) -> BenchDatabase:
        started = time.perf_counter()
        self._old_config = setup_databases(verbosity=0, interactive=False, keepdb=self.reuse, serialized_aliases=set())
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            print(f"PostgreSQL {cursor.fetchone()[0]} · database {self.name}")
        print(f"migrated in {time.perf_counter() - started:.1f} s")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self.keep:
            teardown_databases(self._old_config, verbosity=0)

    def keep_for_inspection(self) -> None:
        """Keep the database after the ``with`` block (``--build-only``: for ``EXPLAIN``) and print its name."""
        self.keep = True
        print(f"kept database {self.name} for inspection")


def run(
    doc: str,
    add_arguments: Callable[[argparse.ArgumentParser], None],
    bench: Callable[[argparse.Namespace, BenchDatabase], bool],
    *,
    skip_history: bool = True,
) -> int:
    """Run a benchmark script; its exit status: 0 all met, 1 a target missed or a count grew, 2 not PostgreSQL.

    ``doc`` is the script's docstring (its first line describes the command line).
    ``add_arguments(parser)`` adds the script's own options (sizes, ``--repeat``);
    ``--keepdb`` (keep the test database afterwards) and ``--build-only`` (build the
    data, keep the database, measure nothing: ``bench`` acts on it) and ``--reuse`` (measure on the
    database a ``--build-only`` kept, migrated but not dropped; ``database.reuse`` tells ``bench`` to skip
    its build) are added after them. When ``DATABASE_URL`` is not PostgreSQL it prints a message on stderr and
    returns 2. Otherwise it switches to the locmem mail backend, prints the machine
    line (date, Python, Django, CPUs, architecture), and calls
    ``bench(args, database)`` inside a ``BenchDatabase``; ``bench`` returns True when
    the benchmark fails. The benchmarks' ``bulk_create`` of invented data writes no history rows
    (``history_skipped``, the one escape from ``compliance.core.bulk_history``; ``save()`` still does),
    unless ``skip_history`` is False (``bulk_history_bench.py``, which measures that cost itself).
    """
    parser = argparse.ArgumentParser(description=doc.split("\n", 1)[0])
    add_arguments(parser)
    parser.add_argument("--keepdb", action="store_true", help="keep the test database afterwards")
    parser.add_argument(
        "--build-only", action="store_true", help="build the data, keep the database for EXPLAIN, measure nothing"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure on the database an earlier --build-only kept (scripts that support it skip the build)",
    )
    args = parser.parse_args()

    if connection.vendor != "postgresql":
        print("Set DATABASE_URL to a PostgreSQL database (the budgets are for PostgreSQL).", file=sys.stderr)
        return 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    print(
        f"{time.strftime('%Y-%m-%d %H:%M %Z')} · Python {platform.python_version()} · "
        f"Django {django.get_version()} · {os.cpu_count()} CPUs · {platform.machine()}"
    )
    skipping = history_skipped(reason="benchmark data") if skip_history else contextlib.nullcontext()
    with BenchDatabase(keep=args.keepdb, reuse=args.reuse) as database, skipping:
        failed = bench(args, database)
    return 1 if failed else 0


def signed_in_client(user):
    """A Django test ``Client`` signed in as ``user`` with both factors, as after the real sign-in (MFA).

    The pages refuse a session that has not passed the second factor; ``tests.base.sign_in`` records
    allauth's factor in the session without a code.
    """
    from tests.base import sign_in

    client = Client()
    sign_in(client, user)
    return client


def analyze() -> None:
    """Run ``ANALYZE`` on the whole database: fresh planner statistics, as autovacuum would give."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@dataclass(frozen=True)
class Request:
    """One URL of a page to count and time: its name in the report, the client that asks, the query."""

    key: str
    client: Client
    params: dict[str, str]


def count_queries(url: str, requests: Sequence[Request]) -> dict[str, int]:
    """GET ``url`` once per request; the number of SQL queries each took, by ``Request.key``.

    Asserts that every response is 200.
    """
    counts = {}
    for request in requests:
        with CaptureQueriesContext(connection) as captured:
            response = request.client.get(url, request.params)
        assert response.status_code == 200, (request.key, request.params, response.status_code)
        counts[request.key] = len(captured)
    return counts


def time_requests(url: str, requests: Sequence[Request], repeat: int) -> tuple[list[float], dict[str, float]]:
    """Server time of GET ``url``: one untimed warm-up pass, then ``repeat`` timed passes over ``requests``.

    Timed through Django's test client (middleware, view, template; no network).
    Returns every sample in milliseconds, in the order taken, and the p95 in
    milliseconds of each ``Request.key``. Asserts that every timed response is 200.
    """
    for request in requests:  # warm-up: plans, template cache, connection
        request.client.get(url, request.params)
    samples: list[float] = []
    per_key: dict[str, list[float]] = {}
    for _ in range(repeat):
        for request in requests:
            started = time.perf_counter()
            response = request.client.get(url, request.params)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200
            samples.append(elapsed)
            per_key.setdefault(request.key, []).append(elapsed)
    return samples, {key: percentile(values, 95) for key, values in per_key.items()}


def percentile(values: Sequence[float], pct: int) -> float:
    """The ``pct``-th percentile (1 to 99) of ``values`` (inclusive method), in the unit of ``values``.

    Needs at least two values.
    """
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def report_target(what: str, met: bool) -> bool:
    """Print ``  target <what>: met`` (or ``MISSED``); return True when the target was missed.

    ``what`` states the target with its unit, e.g. ``"p95 < 200 ms"`` or ``"< 2 s"``.
    """
    print(f"  target {what}: {'met' if met else 'MISSED'}")
    return not met


@dataclass(frozen=True)
class Page:
    """A page to measure, and how its figures are printed.

    ``name`` heads its sections ("Roster page"); ``unit`` names what the sizes count
    ("officers"); ``key_width`` is the width of the URL-name column; each of the
    slowest URLs is printed as ``    <p95_label> <key> <p95> ms``, ``rows`` of them at
    most (None: all); ``spaced`` puts a blank line before the server-time section.
    """

    name: str
    url: str
    requests: Sequence[Request]
    unit: str
    key_width: int
    p95_label: str
    rows: int | None = None
    spaced: bool = False


@dataclass(frozen=True)
class SmallPass:
    """A page measured at the small size: ``size`` (in the page's unit), query counts by key, samples in ms."""

    size: int
    counts: dict[str, int]
    samples: list[float]


def measure_small(page: Page, *, size: int, repeat: int) -> SmallPass:
    """Measure ``page`` at the small size (``size`` is only for the report); prints nothing.

    One GET of the page as the first request's client warms the session and caches;
    then one query count per URL (``count_queries``) and ``max(2, repeat // 4)`` timed
    passes (``time_requests``).
    """
    page.requests[0].client.get(page.url)  # session and caches warm before counting
    counts = count_queries(page.url, page.requests)
    samples, _ = time_requests(page.url, page.requests, max(2, repeat // 4))
    return SmallPass(size=size, counts=counts, samples=samples)


def measure_large(page: Page, small: SmallPass, *, size: int, repeat: int, target_ms: float) -> bool:
    """Measure ``page`` at the large size (``size`` is only for the report) and print it next to ``small``.

    Prints the query count of every URL at both sizes (``<-- GROWS`` where it grew; ``(fewer)`` where the
    larger size's page needed fewer, e.g. one access-log row per agency shown and fewer agencies on that
    page: not a failure), then times ``repeat`` passes (``time_requests``) and prints p50 and p95
    in ms at both sizes, the large size's max, the slowest URLs' p95, and whether the
    large size's p95 is under ``target_ms`` (milliseconds). Returns True when the
    benchmark fails on this page: a query count grew or the target was missed.
    """
    counts = count_queries(page.url, page.requests)
    print(f"\n{page.name} query count ({small.size:,} → {size:,} {page.unit}):")
    grew = False
    for key, before in small.counts.items():
        after = counts[key]
        flag = "" if before == after else ("   <-- GROWS" if after > before else "   (fewer)")
        grew |= after > before
        print(f"  {key:{page.key_width}} {before:3d} → {after:3d}{flag}")

    samples, per_key = time_requests(page.url, page.requests, repeat)
    p50, p95 = percentile(samples, 50), percentile(samples, 95)
    gap = "\n" if page.spaced else ""
    print(f"{gap}{page.name} server time, {len(samples)} requests over {len(page.requests)} URLs:")
    print(
        f"  {small.size:,} {page.unit}: p50 {percentile(small.samples, 50):.1f} ms, "
        f"p95 {percentile(small.samples, 95):.1f} ms ({len(small.samples)} requests)"
    )
    print(f"  {size:,} {page.unit}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(samples):.1f} ms")
    for key, value in sorted(per_key.items(), key=lambda item: -item[1])[: page.rows]:
        print(f"    {page.p95_label} {key:{page.key_width}} {value:.1f} ms")
    missed = report_target(f"p95 < {target_ms:.0f} ms", p95 < target_ms)
    return grew or missed


@dataclass(frozen=True)
class JobRun(Generic[T]):
    """What ``measure_job`` saw: the job's return value, its duration in seconds, emails sent, queries."""

    result: T
    seconds: float
    emails: int
    queries: int


def measure_job(job: Callable[[], T]) -> JobRun[T]:
    """Run ``job()`` once with an emptied locmem mail outbox, counting its queries and the emails it sent.

    The duration is wall-clock time in seconds (``time.perf_counter``); nothing is printed.
    """
    mail.outbox = []
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = job()
        elapsed = time.perf_counter() - started
    return JobRun(result=result, seconds=elapsed, emails=len(mail.outbox), queries=len(captured))
