"""Public transparency figures benchmark on PostgreSQL (issue #12 item 5): cold and warm, 1,000,000 detainers.

Run (PostgreSQL only; the script creates and drops its own ``test_<name>`` database)::

    DATABASE_URL=postgres://postgres@127.0.0.1:55613/postgres .venv/bin/python bench/transparency_bench.py
    # smoke run at test size:
    DATABASE_URL=... .venv/bin/python bench/transparency_bench.py --detainers 20000 --incidents 4000 --small 2000

What it does:

1. Creates a fresh test database next to ``DATABASE_URL``'s and migrates it.
2. Builds the three agencies of ``bench/detainer_bench.py`` (half, 30 % and 20 % of the data; a JEM
   agreement, a supervisor and 20 designated officers each) and ``--small`` detainers with its
   generator, then gives them offense levels (1–3, a fifth not recorded), consular duties (a third
   owed; notified on time, late or not yet), citizenship claims (1 %); ``--small // 5`` cases with
   ``bench/incident_bench.py``'s generator (40 % public complaints, referrals, allegations); 40 outreach
   events and 12 committee meetings per agency. Counts the figures' queries.
3. Grows the detainers to ``--detainers`` (``detainer_bench.grow_detainers``: copies of the closed
   rows, a day earlier per copy) and the cases to ``--incidents``, ``VACUUM ANALYZE``, counts the queries
   again (they must be equal).
4. Times, for the largest agency and four periods (the current and the last full quarter, the current
   and the last year): **cold** — the cache cleared before each read, so the figures are built from the
   database (``community.transparency.figures.transparency_sections`` + suppression); **warm** — the
   same reads from the cache (``community.transparency.cache.published_figures``; local-memory cache
   here, Redis in production). ``--repeat`` passes each. Also times a hand-written SQL reference of the
   two largest aggregates (detainers by level and outcome, complaints) and prints the ratio.

5. Times the public page itself (``/transparency/<agency>/?period=…``, anonymous, through Django's test
   client: middleware, view, template, the SVG charts) for the same periods, cold (cache cleared) and warm,
   and a trivial page (``/healthz``-like: the sign-in page) as the reference; each request from its own
   invented address, so the page's per-address limit does not answer 429.

Targets: warm p95 < 50 ms, cold p95 < 1 s at 1,000,000 detainers and 200,000 cases; query counts equal
at both sizes. Exit status 1 when a target is missed or a count grows. Not a test: ``make test`` never
runs it.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta

import detainer_bench
import harness  # first: puts the project on sys.path and sets up Django
import incident_bench
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

WARM_P95_TARGET_MS = 50.0
COLD_P95_TARGET_MS = 1000.0
THRESHOLD = 10


def add_community(agencies, now, rng: random.Random) -> None:
    """40 outreach events (last two years) and 12 committee meetings (quarterly, 2 ahead) per agency."""
    from community.outreach.models import OutreachEvent
    from community.steering_committee.models import CommitteeMeeting

    kinds = [kind for kind, _label in OutreachEvent.Kind.choices]
    for slot in agencies:
        agency = slot["agency"]
        OutreachEvent.objects.bulk_create(
            OutreachEvent(
                agency=agency,
                kind=rng.choice(kinds),
                title=f"Bench event {k} (invented)",
                held_on=(now - timedelta(days=rng.randint(0, 730))).date(),
            )
            for k in range(40)
        )
        CommitteeMeeting.objects.bulk_create(
            CommitteeMeeting(
                agency=agency,
                starts_at=now + timedelta(days=91 * (k - 9)),
                status=CommitteeMeeting.Status.HELD if k < 10 else CommitteeMeeting.Status.SCHEDULED,
            )
            for k in range(12)
        )


def enrich_detainers() -> None:
    """Offense levels, consular duties and citizenship claims on the detainers built so far (one UPDATE)."""
    from incidents.detainers.models import Detainer

    table = Detainer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET "  # noqa: S608 (names from the model)
            "offense_level = CASE WHEN id % 5 = 0 THEN NULL ELSE id % 3 + 1 END, "
            "consular_mandatory = CASE WHEN id % 3 = 0 THEN TRUE WHEN id % 3 = 1 THEN FALSE ELSE NULL END, "
            "consular_requested = CASE WHEN id % 3 = 1 THEN (id % 2 = 0) ELSE NULL END, "
            "consular_notified_at = CASE WHEN id % 7 = 0 THEN NULL "
            "  ELSE COALESCE(booked_at, received_at) + (id % 96) * interval '1 hour' END, "
            "uscitizenship_claimed = (id % 100 = 0), minor_offense_only = (id % 11 = 0)"
        )


def add_cases(agencies, *, count: int, start: int, now, rng: random.Random) -> None:
    """``count`` cases with ``incident_bench``'s generator (the detainer fixture's supervisor as the staff)."""
    slots = [dict(slot, staff=[slot["supervisor"]]) for slot in agencies]
    incident_bench.add_incidents(agencies=slots, count=count, start=start, now=now, rng=rng)


def periods(today: date):
    from community.transparency.periods import QUARTER, YEAR, Period, period_containing

    current = period_containing(today)
    last = (
        Period(QUARTER, current.year, current.quarter - 1)
        if current.quarter > 1
        else Period(QUARTER, current.year - 1, 4)
    )
    return [current, last, period_containing(today, YEAR), Period(YEAR, today.year - 1)]


def figures_queries(agency, period, now) -> int:
    from community.transparency.figures import transparency_sections

    with CaptureQueriesContext(connection) as captured:
        transparency_sections(agency=agency, period=period, now=now, threshold=THRESHOLD)
    return len(captured)


def time_reads(agency, chosen, now, *, repeat: int, cold: bool) -> list[float]:
    """Milliseconds of each ``published_figures`` read, ``repeat`` passes over ``chosen`` periods."""
    from community.transparency.cache import published_figures

    for period in chosen:  # warm-up: plans, connection, and (for the warm reads) the cache
        published_figures(agency=agency, period=period, threshold=THRESHOLD, now=now)
    samples = []
    for _ in range(repeat):
        for period in chosen:
            if cold:
                cache.clear()
            started = time.perf_counter()
            published_figures(agency=agency, period=period, threshold=THRESHOLD, now=now)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def time_pages(agency, chosen, *, repeat: int, cold: bool, path_of=None) -> list[float]:
    """Milliseconds of each anonymous GET of the public page (or of ``path_of(period)``), ``repeat`` passes."""
    from django.test import Client
    from django.urls import reverse

    client = Client()
    base = reverse("transparency:agency", args=[agency.public_id])
    path_of = path_of or (lambda period: f"{base}?period={period.key}")
    counter = iter(range(1, 10**9))

    def get(period) -> float:
        number = next(counter)
        address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
        started = time.perf_counter()
        response = client.get(path_of(period), REMOTE_ADDR=address)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{path_of(period)} answered {response.status_code}")
        return elapsed

    for period in chosen:
        get(period)
    samples = []
    for _ in range(repeat):
        for period in chosen:
            if cold:
                cache.clear()
            samples.append(get(period))
    return samples


def publish(agency) -> None:
    """Publish every section of ``agency``'s page (as its administrator would), so the public page answers."""
    from community.transparency.models import TransparencySettings
    from community.transparency.sections import SECTION_KEYS

    TransparencySettings.objects.update_or_create(
        agency=agency,
        defaults={"sections": list(SECTION_KEYS), "published": True, "published_at": timezone.now()},
    )


def raw_sql_ms(agency, period, *, repeat: int) -> float:
    """p50 in ms of a hand-written SQL of the two largest aggregates (the floor the ORM's figures stand on)."""
    from community.transparency.periods import period_bounds
    from incidents.detainers.models import Detainer
    from incidents.incident_log.models import Incident

    start, end = period_bounds(period, agency.zone)
    detainers, incidents = Detainer._meta.db_table, Incident._meta.db_table
    samples = []
    with connection.cursor() as cursor:
        for _ in range(repeat + 1):
            started = time.perf_counter()
            cursor.execute(
                f"SELECT offense_level, outcome, count(*) FROM {detainers} "  # noqa: S608
                "WHERE agency_id = %s AND received_at >= %s AND received_at < %s GROUP BY 1, 2",
                [agency.pk, start, end],
            )
            cursor.fetchall()
            cursor.execute(
                f"SELECT count(*) FROM {incidents} "  # noqa: S608
                "WHERE agency_id = %s AND source = 'public' AND received_at >= %s AND received_at < %s",
                [agency.pk, start, end],
            )
            cursor.fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    return harness.percentile(samples[1:], 50) if repeat > 1 else samples[-1]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sizes and --repeat; harness.run adds --keepdb and --build-only."""
    parser.add_argument("--detainers", type=int, default=1_000_000)
    parser.add_argument("--incidents", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=10_000, help="detainers at the first query count")
    parser.add_argument("--open", type=int, default=3_000, help="open (pending) detainers, all in the small build")
    parser.add_argument("--repeat", type=int, default=10, help="timed passes over the periods")


def bench(args: argparse.Namespace, database: harness.BenchDatabase) -> bool:
    """Build, count, time and report (see the module docstring); True when a target is missed or a count grows."""
    from incidents.detainers.models import Detainer
    from incidents.incident_log.models import Incident
    from training.roster.facts import training_facts_refresh_all

    rng = random.Random(287)  # noqa: S311 (invented bench data, not security)
    now = timezone.now()
    agencies, _auditor = detainer_bench.build_fixture()
    agency = agencies[0]["agency"]
    chosen = periods(timezone.localdate(now, timezone=agency.zone))

    started = time.perf_counter()
    detainer_bench.add_detainers(agencies=agencies, count=args.small, open_count=args.open, now=now, rng=rng)
    enrich_detainers()
    small_cases = max(1, args.small // 5)
    add_cases(agencies, count=small_cases, start=0, now=now, rng=rng)
    add_community(agencies, now, rng)
    # The officers' stored training facts, as the deploy step and the nightly refresh leave them (bulk_create skips
    # the services that keep them): the officers' figures read them.
    training_facts_refresh_all()
    harness.analyze()
    print(f"built {args.small:,} detainers, {small_cases:,} cases in {time.perf_counter() - started:.1f} s")
    small_counts = {period.key: figures_queries(agency, period, now) for period in chosen}
    small_cold = time_reads(agency, chosen, now, repeat=max(2, args.repeat // 4), cold=True)

    started = time.perf_counter()
    detainer_bench.grow_detainers(args.detainers)
    add_cases(agencies, count=max(0, args.incidents - small_cases), start=small_cases, now=now, rng=rng)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    detainers, cases = Detainer.objects.count(), Incident.objects.count()
    print(f"grew to {detainers:,} detainers and {cases:,} cases in {time.perf_counter() - started:.1f} s")
    if args.build_only:
        database.keep_for_inspection()
        return False

    failed = False
    print(f"\nFigures query count ({args.small:,} → {detainers:,} detainers), largest agency:")
    for period in chosen:
        before, after = small_counts[period.key], figures_queries(agency, period, now)
        failed |= before != after
        print(f"  {period.key:8} {before:3d} → {after:3d}{'' if before == after else '   <-- GROWS'}")

    cold = time_reads(agency, chosen, now, repeat=args.repeat, cold=True)
    warm = time_reads(agency, chosen, now, repeat=args.repeat * 10, cold=False)
    p = harness.percentile
    print(f"\nFigures of the largest agency ({len(chosen)} periods; {len(cold)} cold, {len(warm)} warm reads):")
    print(f"  cold at {args.small:,} detainers: p50 {p(small_cold, 50):.1f} ms, p95 {p(small_cold, 95):.1f} ms")
    print(f"  cold at {detainers:,}: p50 {p(cold, 50):.1f} ms, p95 {p(cold, 95):.1f} ms, max {max(cold):.1f} ms")
    print(f"  warm at {detainers:,}: p50 {p(warm, 50):.3f} ms, p95 {p(warm, 95):.3f} ms, max {max(warm):.3f} ms")
    for period in chosen:
        one = time_reads(agency, [period], now, repeat=max(2, args.repeat // 2), cold=True)
        reference = raw_sql_ms(agency, period, repeat=max(2, args.repeat // 2))
        print(
            f"    cold {period.key:8} p50 {p(one, 50):7.1f} ms; raw SQL of the two largest aggregates "
            f"{reference:6.1f} ms (ratio {p(one, 50) / max(reference, 0.001):.1f})"
        )
    failed |= harness.report_target(f"warm p95 < {WARM_P95_TARGET_MS:.0f} ms", p(warm, 95) < WARM_P95_TARGET_MS)
    failed |= harness.report_target(f"cold p95 < {COLD_P95_TARGET_MS:.0f} ms", p(cold, 95) < COLD_P95_TARGET_MS)

    publish(agency)
    page_cold = time_pages(agency, chosen, repeat=args.repeat, cold=True)
    page_warm = time_pages(agency, chosen, repeat=args.repeat * 5, cold=False)
    trivial = time_pages(agency, chosen, repeat=args.repeat * 5, cold=False, path_of=lambda period: "/accounts/login/")
    print(f"\nThe public page of the largest agency ({len(page_cold)} cold, {len(page_warm)} warm requests):")
    print(f"  cold: p50 {p(page_cold, 50):.1f} ms, p95 {p(page_cold, 95):.1f} ms, max {max(page_cold):.1f} ms")
    print(f"  warm: p50 {p(page_warm, 50):.1f} ms, p95 {p(page_warm, 95):.1f} ms, max {max(page_warm):.1f} ms")
    print(
        f"  sign-in page (reference): p50 {p(trivial, 50):.1f} ms; warm page / reference "
        f"{p(page_warm, 50) / max(p(trivial, 50), 0.001):.1f}"
    )
    failed |= harness.report_target(
        f"page warm p95 < {WARM_P95_TARGET_MS:.0f} ms", p(page_warm, 95) < WARM_P95_TARGET_MS
    )
    failed |= harness.report_target(
        f"page cold p95 < {COLD_P95_TARGET_MS:.0f} ms", p(page_cold, 95) < COLD_P95_TARGET_MS
    )
    return failed


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, add_arguments, bench))
