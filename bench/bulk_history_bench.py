"""What recording history costs bulk writes on audited models (SECURITY.md D11; ``compliance.core.bulk_history``).

Run (PostgreSQL only; the script creates and drops its own ``test_<name>`` database)::

    DATABASE_URL=postgres://postgres@127.0.0.1:55621/postgres .venv/bin/python bench/bulk_history_bench.py

What it does, on ``--rows`` officers of one agency (invented data), ``--repeat`` times each, in one run:

1. ``Officer.objects.bulk_create`` of ``--rows`` new officers: with their "created" history rows, and,
   as the reference, inside ``history_skipped`` (no history: what the benchmarks' data building does).
2. ``Officer.objects.filter(agency=…).update(unit=…)`` of every officer: with one "changed" history row
   each (rows read and locked before, read after, in batches of ``BATCH_SIZE``), and the reference
   without history.
3. ``bulk_update`` of the same rows and field, with and without history.

Prints the median seconds of each and the ratio with / without. No budget: the figures go to
``docs/performance.md`` ("Bulk writes with history"). Not a test: ``make test`` never runs it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import harness  # first: puts the project on sys.path and sets up Django
from django.db import transaction

from compliance.core.bulk_history import BATCH_SIZE, history_skipped
from compliance.core.models import Agency
from training.roster.models import Officer


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--rows (officers written per call) and --repeat (runs of each, median reported)."""
    parser.add_argument("--rows", type=int, default=10_000, help="officers written per call (default 10,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each call (default 3)")


def timed(job: Callable[[], object], *, repeat: int, skip: bool) -> float:
    """The median wall-clock seconds of ``job()`` over ``repeat`` runs, each in a rolled-back transaction."""
    seconds = []
    for _ in range(repeat):
        with transaction.atomic():
            started = time.perf_counter()
            if skip:
                with history_skipped(reason="benchmark data"):
                    job()
            else:
                job()
            seconds.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    return statistics.median(seconds)


def bench(args: argparse.Namespace, database: harness.BenchDatabase) -> bool:
    agency = Agency.objects.create(name="Bench County Sheriff", state="TX", time_zone="America/Chicago")
    with history_skipped(reason="benchmark data"):
        Officer.objects.bulk_create(
            (Officer(agency=agency, badge_number=f"B-{n}", last_name=f"Person{n}") for n in range(args.rows)),
            batch_size=2000,
        )
    officers = list(Officer.objects.filter(agency=agency))
    for officer in officers:
        officer.unit = "East"

    def create():
        Officer.objects.bulk_create(
            (Officer(agency=agency, badge_number=f"N-{n}", last_name=f"New{n}") for n in range(args.rows)),
            batch_size=2000,
        )

    calls = {
        "bulk_create": create,
        "update": lambda: Officer.objects.filter(agency=agency).update(unit="North"),
        "bulk_update": lambda: Officer.objects.bulk_update(officers, ["unit"], batch_size=2000),
    }
    print(f"{args.rows:,} officers per call, median of {args.repeat}; history batches of {BATCH_SIZE:,} rows")
    for name, job in calls.items():
        without = timed(job, repeat=args.repeat, skip=True)
        with_history = timed(job, repeat=args.repeat, skip=False)
        print(
            f"  {name:12} with history {with_history:6.2f} s   without {without:6.2f} s   "
            f"ratio {with_history / without:5.1f}   ({with_history / args.rows * 1000:.3f} ms a row)"
        )
    return False


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, add_arguments, bench, skip_history=False))
