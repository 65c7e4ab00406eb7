"""Supervisor dashboard benchmark on PostgreSQL (issue #13 item 7): 10,000 officers, 1,000,000 detainers, 200,000 cases.

Run (PostgreSQL only; the script creates and drops its own ``test_<name>`` database)::

    DATABASE_URL=postgres://postgres@127.0.0.1:55606/postgres .venv/bin/python bench/dashboard_bench.py
    # smoke run at test size (a few minutes, most of it migrating):
    DATABASE_URL=... .venv/bin/python bench/dashboard_bench.py --officers 500 --detainers 30000 --incidents 3000 \\
        --small 5000 --open 500 --repeat 4
    # build once (--build-only keeps the database), then measure as often as needed on it:
    DATABASE_URL=... .venv/bin/python bench/dashboard_bench.py --build-only
    DATABASE_URL=... .venv/bin/python bench/dashboard_bench.py --reuse

What it does:

1. Creates a fresh test database next to ``DATABASE_URL``'s and migrates it.
2. Builds the three agencies of ``bench/detainer_bench.py`` (50 %, 30 %, 20 % of the data; a JEM agreement,
   a supervisor, 20 designated officers each), gives the largest agency's agreement the shipped training
   requirements (basic course + refresher chain, two annual courses) and ``--officers`` roster officers with
   ``bench/roster_bench.py``'s generator (five certifications each, stored training facts refreshed);
   ``--small`` detainers (``--open`` of them pending) with the detainer generator, ``--small // 5`` cases
   with ``bench/incident_bench.py``'s, 40 outreach events per agency, and findings on 2 % of the detainers
   (opened over the last two years; about a quarter still open, the rest resolved days to months later).
   Counts the page's queries as the supervisor of the largest agency, cold (the dashboard's cached part
   stale: ``compliance.dashboard.cache.dashboard_changed``) and warm.
3. Grows the detainers to ``--detainers`` (``detainer_bench.grow_detainers``: copies of the closed rows, a
   day earlier per copy), the cases to ``--incidents`` and the findings to 2 % of the detainers,
   ``VACUUM ANALYZE``, and counts the queries again (they must be equal).
4. Times the page ``/`` (Django's test client: middleware, view, template, charts) ``--repeat`` × 5 times
   cold (the cached part built inline: a first visit, a new day, figures past the hard maximum) and as many
   warm, and the **raw SQL of the same figures**: the statements ``dashboard_figures`` runs cold (captured
   with their parameters) executed again through a separate psycopg connection, fetching every row,
   ``--repeat`` × 5 times. Prints p50/p95 of each and the ratios.
5. Times the **served stream**, what supervisors get in a working jail: before each of ``--repeat`` × 5
   requests a detainer of the agency is saved (its signal bumps the dashboard's data version), so every
   request finds the cached part stale; the page serves the last built figures and queues one rebuild
   (stale-while-revalidate, ``compliance.dashboard.cache``). Celery is pointed at kombu's in-memory broker
   (eager mode off, as with a worker); between requests the queued rebuild tasks run in this process, as a
   worker runs them, untimed (their time is printed apart: it is the worker's, not the supervisor's).

Targets: the served stream's p95 < 100 ms and the warm page's p95 < 100 ms, the cold page's p50 ≤ 1.5 × the
p50 of the raw SQL of the same figures (the cold page computes every figure the raw SQL does); query counts
(cold, warm, stale) equal at both sizes. The cold page's p95 is printed, not a target: a first visit of the
day pays the build.
Exit status 1 when a target is missed or a count grows. Not a test: ``make test`` never runs it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import timedelta

import detainer_bench
import harness  # first: puts the project on sys.path and sets up Django
import roster_bench
import transparency_bench
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

P95_TARGET_MS = 100.0
RATIO_TARGET = 1.5
#: Findings per detainer (2 %), spread over the agencies like the detainers.
FINDINGS_SHARE = 0.02


def add_findings(*, target: int, now, rng: random.Random) -> int:
    """Findings on detainers until there are ``target`` of them: kinds and severities mixed; how many were added.

    Opened over the last two years; about a quarter open or acknowledged (younger ones more often), the rest
    resolved or marked false positive 1 to 120 days after opening (never in the future).
    """
    from django.contrib.contenttypes.models import ContentType

    from compliance.core.models import Finding
    from incidents.detainers.models import Detainer

    have = Finding.objects.count()
    wanted = target - have
    if wanted <= 0:
        return 0
    content_type = ContentType.objects.get_for_model(Detainer)
    used = set(Finding.objects.values_list("object_id", flat=True))
    kinds = [Finding.Kind.HOLD_DEADLINE_PASSED, Finding.Kind.NO_WARRANT, Finding.Kind.CONSULAR_NOTIFICATION_OVERDUE]
    severities = [Finding.Severity.CRITICAL, Finding.Severity.HIGH, Finding.Severity.MEDIUM, Finding.Severity.LOW]
    rows = Detainer.objects.order_by("?").values_list("pk", "agency_id")[: wanted + len(used)]
    batch, added = [], 0
    for pk, agency_id in rows:
        if pk in used:
            continue
        opened_at = now - timedelta(days=rng.uniform(0, 730))
        age_days = (now - opened_at).days
        still_open = rng.random() < (0.6 if age_days < 60 else 0.15)
        resolved_at = None
        status = rng.choice([Finding.Status.OPEN, Finding.Status.ACKNOWLEDGED])
        if not still_open:
            resolved_at = min(now - timedelta(minutes=1), opened_at + timedelta(days=rng.uniform(1, 120)))
            status = Finding.Status.RESOLVED if rng.random() < 0.9 else Finding.Status.FALSE_POSITIVE
        batch.append(
            Finding(
                agency_id=agency_id,
                kind=rng.choice(kinds),
                severity=rng.choice(severities),
                status=status,
                rule="Bench (invented)",
                summary="Invented bench finding.",
                content_type=content_type,
                object_id=pk,
                opened_at=opened_at,
                resolved_at=resolved_at,
            )
        )
        added += 1
        if len(batch) == 10_000:
            Finding.objects.bulk_create(batch)
            batch = []
        if added == wanted:
            break
    Finding.objects.bulk_create(batch)
    return added


def add_roster(slot, *, officers: int, rng: random.Random) -> None:
    """The shipped requirements on the agency's agreement and ``officers`` roster officers with certifications."""
    from training.requirements.services import requirement_defaults_apply

    requirements = requirement_defaults_apply(actor=slot["supervisor"], agreement=slot["agreement"])
    courses = {requirement.kind: [] for requirement in requirements}
    for requirement in requirements:
        courses[requirement.kind].append(requirement.course)
    roster_bench.add_officers(
        agency=slot["agency"],
        agreement=slot["agreement"],
        supervisors=[slot["supervisor"]],
        courses=courses,
        start=1000,
        stop=1000 + officers,
        rng=rng,
    )


def page_queries(client, agency, *, cold: bool) -> int:
    """Queries of one GET of the dashboard (cold: the cached part made stale first)."""
    from compliance.dashboard.cache import dashboard_changed

    if cold:
        dashboard_changed(agency.pk)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200, response.status_code
    return len(captured)


@contextmanager
def memory_broker():
    """Within the block, tasks go to kombu's in-memory broker (eager mode off), as to a worker's broker."""
    from compliance import celery_app

    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)

    def drop_pools():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    drop_pools()
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = "memory://", False
    celery_app.loader.import_default_modules()
    try:
        yield
    finally:
        drop_pools()
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous


def run_queued() -> tuple[int, float]:
    """Run every task waiting on the in-memory broker in this process, as a worker would; (how many, ms)."""
    from compliance import celery_app

    started, ran = time.perf_counter(), 0
    with celery_app.connection_for_write() as conn:
        while (message := conn.default_channel.basic_get("celery")) is not None:
            args, _kwargs, _embed = message.decode()
            celery_app.tasks[message.headers["task"]].apply(args=args).get()
            ran += 1
    return ran, (time.perf_counter() - started) * 1000


def stale_page_queries(client, agency) -> int:
    """Queries of one GET of the dashboard served stale (a detainer saved just before; the rebuild queued)."""
    save_a_detainer(agency)
    with memory_broker():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/")
        assert b"figures-pending" in response.content, "the stale request queued no rebuild"
        run_queued()
    return len(captured)


def save_a_detainer(agency) -> None:
    """Save one of the agency's detainers (a booking updated: the save signal bumps the dashboard's version)."""
    from incidents.detainers.models import Detainer

    Detainer.objects.filter(agency=agency).order_by("-pk").first().save()


def time_served_stream(client, agency, *, repeat: int) -> tuple[list[float], list[float], int]:
    """The served stream (module docstring, step 5): ms of each request, ms of each rebuild, stale requests."""
    client.get("/")
    samples, rebuilds, stale = [], [], 0
    with memory_broker():
        for _ in range(repeat):
            save_a_detainer(agency)
            started = time.perf_counter()
            response = client.get("/")
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            stale += b"figures-pending" in response.content
            ran, ms = run_queued()
            if ran:
                rebuilds.append(ms)
    return samples, rebuilds, stale


def time_page(client, agency, *, repeat: int, cold: bool) -> list[float]:
    """Milliseconds of ``repeat`` GETs of the dashboard after one untimed warm-up (cold: cache made stale first)."""
    from compliance.dashboard.cache import dashboard_changed

    client.get("/")
    samples = []
    for _ in range(repeat):
        if cold:
            dashboard_changed(agency.pk)
        started = time.perf_counter()
        response = client.get("/")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return samples


def figure_statements(agency) -> list[str]:
    """The SQL statements (parameters inlined by psycopg) ``dashboard_figures`` runs with its cached part stale."""
    from compliance.dashboard import dashboard_figures
    from compliance.dashboard.cache import dashboard_changed

    dashboard_changed(agency.pk)
    with CaptureQueriesContext(connection) as captured:
        dashboard_figures(agency=agency)
    return [query["sql"] for query in captured.captured_queries]


def time_raw_sql(statements: list[str], *, repeat: int, slowest: int = 5) -> list[float]:
    """Milliseconds of running every statement once (fetching all rows) over a separate psycopg connection.

    Also prints the ``slowest`` statements by their median time (ms) and their first 90 characters.
    """
    import psycopg

    settings = connection.settings_dict
    raw = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"],
        port=settings["PORT"] or None,
        autocommit=True,
    )
    samples = []
    with raw, raw.cursor() as cursor:
        for statement in statements:  # warm-up: plans, buffers
            cursor.execute(statement)
            cursor.fetchall()
        each: dict[int, list[float]] = {}
        for _ in range(repeat):
            started = time.perf_counter()
            for index, statement in enumerate(statements):
                before = time.perf_counter()
                cursor.execute(statement)
                cursor.fetchall()
                each.setdefault(index, []).append((time.perf_counter() - before) * 1000)
            samples.append((time.perf_counter() - started) * 1000)
    medians = sorted(((statistics.median(times), index) for index, times in each.items()), reverse=True)
    print(f"  slowest of the {len(statements)} figure statements (median ms):")
    for median, index in medians[:slowest]:
        print(f"    {median:7.1f}  {' '.join(statements[index].split())[:90]}")
    return samples


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sizes and --repeat; harness.run adds --keepdb and --build-only."""
    parser.add_argument("--officers", type=int, default=10_000, help="roster officers of the largest agency")
    parser.add_argument("--detainers", type=int, default=1_000_000)
    parser.add_argument("--incidents", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=10_000, help="detainers at the first query count")
    parser.add_argument("--open", type=int, default=3_000, help="open (pending) detainers, all in the small build")
    parser.add_argument("--repeat", type=int, default=8, help="timed requests = 5 × repeat per measure")


def bench(args: argparse.Namespace, database: harness.BenchDatabase) -> bool:
    """Build, count, time and report (see the module docstring); True when a target is missed or a count grows."""
    from compliance.core.models import Finding
    from incidents.detainers.models import Detainer
    from incidents.incident_log.models import Incident
    from training.roster.facts import training_facts_refresh_all
    from training.roster.models import Officer

    if database.reuse:
        return measure(args, *reused_fixture())
    rng = random.Random(287)  # noqa: S311 (invented bench data, not security)
    now = timezone.now()
    agencies, _auditor = detainer_bench.build_fixture()
    slot = agencies[0]
    agency = slot["agency"]

    started = time.perf_counter()
    add_roster(slot, officers=args.officers, rng=rng)
    detainer_bench.add_detainers(agencies=agencies, count=args.small, open_count=args.open, now=now, rng=rng)
    transparency_bench.enrich_detainers()
    small_cases = max(1, args.small // 5)
    transparency_bench.add_cases(agencies, count=small_cases, start=0, now=now, rng=rng)
    transparency_bench.add_community(agencies, now, rng)
    add_findings(target=int(args.small * FINDINGS_SHARE), now=now, rng=rng)
    # Every officer's stored training facts, as the deploy step and the nightly refresh leave them.
    training_facts_refresh_all()
    harness.analyze()
    officers = Officer.objects.filter(agency=agency).count()
    print(
        f"built {officers:,} officers, {args.small:,} detainers, {small_cases:,} cases in "
        f"{time.perf_counter() - started:.1f} s"
    )
    client = harness.signed_in_client(slot["supervisor"])
    client.get("/")  # session and caches warm before counting
    small_counts = {
        "cold": page_queries(client, agency, cold=True),
        "warm": page_queries(client, agency, cold=False),
        "stale": stale_page_queries(client, agency),
    }
    small_cold = time_page(client, agency, repeat=max(2, args.repeat), cold=True)
    small_warm = time_page(client, agency, repeat=max(2, args.repeat), cold=False)

    started = time.perf_counter()
    detainer_bench.grow_detainers(args.detainers)
    transparency_bench.add_cases(
        agencies, count=max(0, args.incidents - small_cases), start=small_cases, now=now, rng=rng
    )
    add_findings(target=int(args.detainers * FINDINGS_SHARE), now=now, rng=rng)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    detainers, cases, findings = Detainer.objects.count(), Incident.objects.count(), Finding.objects.count()
    print(
        f"grew to {detainers:,} detainers, {cases:,} cases, {findings:,} findings in "
        f"{time.perf_counter() - started:.1f} s"
    )
    if args.build_only:
        database.keep_for_inspection()
        return False
    return measure(args, agency, client, officers, small_counts, small_cold, small_warm)


def reused_fixture() -> tuple:
    """``--reuse``: the largest agency and its supervisor's client on the kept database (no small-size figures)."""
    from compliance.core.models import User
    from training.roster.models import Officer

    supervisor = User.objects.get(username="bench_supervisor_0")
    agency = supervisor.home_agency
    client = harness.signed_in_client(supervisor)
    client.get("/")  # session and caches warm before counting
    print("reusing the kept database: the small-size figures are those of the run that built it")
    return agency, client, Officer.objects.filter(agency=agency).count(), None, None, None


def measure(args, agency, client, officers, small_counts, small_cold, small_warm) -> bool:
    """Query counts at full size (compared with the small size's when measured in this run), then the timings."""
    from incidents.detainers.models import Detainer

    detainers = Detainer.objects.count()
    failed = False
    print(
        f"\nDashboard query count at {detainers:,} detainers (small size: {args.small:,}), "
        "supervisor of the largest agency:"
    )
    for key in ("cold", "warm", "stale"):
        if key == "stale":
            after = stale_page_queries(client, agency)
        else:
            after = page_queries(client, agency, cold=key == "cold")
        if small_counts is None:
            print(f"  {key:5} {after:3d}")
            continue
        before = small_counts[key]
        failed |= before != after
        print(f"  {key:5} {before:3d} → {after:3d}{'' if before == after else '   <-- GROWS'}")

    repeat = args.repeat * 5
    cold = time_page(client, agency, repeat=repeat, cold=True)
    warm = time_page(client, agency, repeat=repeat, cold=False)
    served, rebuilds, stale = time_served_stream(client, agency, repeat=repeat)
    statements = figure_statements(agency)
    raw = time_raw_sql(statements, repeat=repeat)
    p = harness.percentile
    print(f"\nDashboard server time, supervisor of the largest agency ({officers:,} officers):")
    if small_cold is not None:
        print(f"  {args.small:,} detainers cold: p50 {p(small_cold, 50):.1f} ms, p95 {p(small_cold, 95):.1f} ms")
        print(f"  {args.small:,} detainers warm: p50 {p(small_warm, 50):.1f} ms, p95 {p(small_warm, 95):.1f} ms")
    for name, samples in (("cold", cold), ("warm", warm)):
        print(
            f"  {detainers:,} detainers {name}: p50 {p(samples, 50):.1f} ms, p95 {p(samples, 95):.1f} ms, "
            f"max {max(samples):.1f} ms ({len(samples)} requests)"
        )
    print(
        f"  raw SQL of the same figures ({len(statements)} statements, psycopg): p50 {p(raw, 50):.1f} ms, "
        f"p95 {p(raw, 95):.1f} ms"
    )
    print(
        f"  served stream (a detainer saved before each request): p50 {p(served, 50):.1f} ms, "
        f"p95 {p(served, 95):.1f} ms, max {max(served):.1f} ms ({len(served)} requests, {stale} served stale "
        f"with a rebuild queued)"
    )
    if rebuilds:
        print(f"  rebuilds run by the worker (not in the requests' time): p50 {p(rebuilds, 50):.1f} ms")
    cold_ratio = p(cold, 50) / max(p(raw, 50), 0.001)
    print(f"  cold page / raw SQL: p50 {cold_ratio:.2f}, p95 {p(cold, 95) / max(p(raw, 95), 0.001):.2f}")
    print(f"  warm page / raw SQL: p50 {p(warm, 50) / max(p(raw, 50), 0.001):.2f}")
    failed |= harness.report_target(f"served stream p95 < {P95_TARGET_MS:.0f} ms", p(served, 95) < P95_TARGET_MS)
    failed |= harness.report_target(f"warm p95 < {P95_TARGET_MS:.0f} ms", p(warm, 95) < P95_TARGET_MS)
    failed |= harness.report_target(f"cold page p50 ≤ {RATIO_TARGET} × raw SQL p50", cold_ratio <= RATIO_TARGET)
    return failed


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, add_arguments, bench))
