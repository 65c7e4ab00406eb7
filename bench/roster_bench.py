"""Roster page and expiry-reminder benchmark on PostgreSQL (issue 3; DESIGN.md "Performance budgets").

Run (PostgreSQL only; the script creates and drops its own ``test_<name>`` database)::

    DATABASE_URL=postgres://postgres@127.0.0.1:55204/postgres .venv/bin/python bench/roster_bench.py

What it does:

1. Creates a fresh test database next to ``DATABASE_URL``'s and migrates it.
2. Builds one agency with 1,000 officers and 5,000 certifications (bulk_create:
   invented data, no history rows), and records the roster page's query count
   for every URL below.
3. Grows the same agency to 10,000 officers and 50,000 certifications, records
   the query counts again (they must be equal: the count may not grow with the
   data), then times the roster page: each URL ``--repeat`` times with a
   logged-in supervisor through Django's test client (server time: middleware,
   view, template; no network). Reports p50/p95 in ms.
4. Times ``training.reminders.services.send_certification_reminders`` over the 50,000
   certifications (locmem mail backend), once with every due notice to send
   (the first run after go-live, the worst case) and once more with nothing
   left to send (the daily steady state).

Targets: roster page p95 < 200 ms; reminder run < 10 s. Exit status 1 when a
target is missed or a query count grows. Not a test: ``make test`` never runs it.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
# TESTING gives the fast password hasher and the locmem mail backend, and lets the
# settings start without SECRET_KEY. DEBUG stays off: Django would keep every query.
os.environ.setdefault("TESTING", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

ROSTER_P95_TARGET_MS = 200.0
REMINDER_TARGET_S = 10.0
CERTIFICATIONS_PER_OFFICER = 5

LAST_NAMES = [
    "Abernathy", "Bellweather", "Castellano", "Dunmore", "Everly", "Fairbanks", "Galloway", "Hollister",
    "Ingram", "Jessup", "Kettleman", "Lindqvist", "Marchetti", "Northcott", "Okafor", "Pemberton",
    "Quarles", "Rosenthal", "Sorensen", "Thibodeaux", "Umberger", "Valdivia", "Whitcombe", "Yarborough",
]  # fmt: skip
FIRST_NAMES = ["Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan", "Morgan", "Quinn"]


def roster_queries(*, supervisor_pk: int, course_public_id: str) -> list[dict[str, str]]:
    """The roster URLs timed: first, middle and last pages, each filter, search and sort.

    Filter names are those of ``training.roster.forms.RosterFilterForm``; a name
    the form does not know is ignored by the page.
    """
    return [
        {},
        {"page": "2"},
        {"page": "100"},
        {"page": "99999"},  # past the end: Paginator.get_page serves the last page
        {"status": "expired"},
        {"status": "expiring"},
        {"status": "current"},
        {"status": "missing"},
        {"officer_status": "all"},
        {"officer_status": "suspended"},
        {"model": "JEM"},
        {"supervisor": str(supervisor_pk)},
        {"course": course_public_id},
        {"q": "kettle"},
        {"q": "BN-004"},
        {"q": "avery kettle"},
        {"sort": "status"},
        {"sort": "-expiry", "page": "50"},
        {"sort": "badge", "page": "20"},
        {"status": "expiring", "q": "mar", "sort": "expiry"},
    ]


def build_fixture():
    """The agency, its JEM agreement with the shipped training requirements, supervisors, courses.

    Requirements come from ``training.requirements.services.requirement_defaults_apply``
    (basic course IADP + refresher chain, two annual online courses), so the
    roster evaluates officers under the agreement rule, as after go-live.
    """
    from compliance.core.models import Agency, Agreement, AgreementModel, User
    from compliance.core.roles import Role, role_grant
    from training.requirements.services import requirement_defaults_apply

    agency = Agency.objects.create(
        name="Bench County Sheriff's Office", state="TX", county="Bench County", time_zone="America/Chicago"
    )
    agreement = Agreement.objects.create(agency=agency, model=AgreementModel.JEM)
    supervisors = []
    for n in range(20):
        user = User.objects.create_user(
            f"bench_supervisor_{n}", f"supervisor{n}@bench.example", "bench-password-not-secret", home_agency=agency
        )
        role_grant(user=user, agency=agency, role=Role.SUPERVISOR)
        supervisors.append(user)
    requirements = requirement_defaults_apply(actor=supervisors[0], agreement=agreement)
    courses = {requirement.kind: [] for requirement in requirements}
    for requirement in requirements:
        courses[requirement.kind].append(requirement.course)
    return agency, agreement, supervisors, courses


def add_officers(*, agency, agreement, supervisors, courses, start: int, stop: int, rng: random.Random) -> None:
    """Officers ``start``..``stop - 1`` with five certifications each (one renewal among them).

    Basic course, refresher twice (the older one renewed), two annual online
    courses. Latest expiries spread from 120 days ago to 700 days ahead: about
    one in six falls in the reminder window, as on a real roster.
    """
    from training.roster import rules
    from training.roster.facts import training_facts_refresh_all
    from training.roster.models import Certification, Officer

    today = rules.agency_today(agency)
    statuses = (
        [Officer.Status.DESIGNATED] * 85
        + [Officer.Status.IN_TRAINING] * 5
        + [Officer.Status.SUSPENDED] * 3
        + [Officer.Status.SEPARATED] * 5
        + [Officer.Status.NOMINATED] * 2
    )
    officers = [
        Officer(
            agency=agency,
            agreement=agreement,
            first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
            last_name=f"{LAST_NAMES[n % len(LAST_NAMES)]}{n // len(LAST_NAMES)}",
            badge_number=f"BN-{n:05d}",
            email=f"officer{n}@bench.example",
            status=rng.choice(statuses),
            supervisor=supervisors[n % len(supervisors)],
        )
        for n in range(start, stop)
    ]
    Officer.objects.bulk_create(officers, batch_size=2000)
    officers = list(Officer.objects.filter(agency=agency, badge_number__gte=f"BN-{start:05d}").order_by("pk"))
    (basic,) = courses["basic"]
    (refresher,) = courses["refresher"]
    annual = courses["annual"]
    certifications = []

    def add(officer, course, completed_on: date, expires_on: date) -> None:
        certifications.append(
            Certification(
                agency=agency,
                officer=officer,
                course=course,
                completed_on=completed_on,
                expires_on=expires_on,
                certificate_number=f"C-{officer.pk}-{course.code}-{completed_on:%Y%m%d}",
            )
        )

    for officer in officers:
        refresher_expires = today + timedelta(days=rng.randint(-120, 700))
        refresher_done = refresher_expires - timedelta(days=730)
        basic_done = refresher_done - timedelta(days=rng.randint(800, 2000))
        add(officer, basic, basic_done, rules.certification_expires_on(basic_done, 24))
        old_refresher_done = basic_done + timedelta(days=700)
        add(officer, refresher, old_refresher_done, rules.certification_expires_on(old_refresher_done, 24))
        add(officer, refresher, refresher_done, refresher_expires)
        missing = rng.random() < 0.03  # a few never did the second annual course: "missing training"
        for course in annual[:1] if missing else annual:
            done = today - timedelta(days=rng.randint(0, 450))
            add(officer, course, done, rules.fiscal_year_expires_on(done))
        if missing:  # keep five certifications per officer: one more renewed refresher
            add(officer, refresher, old_refresher_done - timedelta(days=700), old_refresher_done)
    Certification.objects.bulk_create(certifications, batch_size=5000)
    # bulk_create bypasses the services, so store the officers' training facts as
    # the deploy step / nightly ``refresh_training_facts`` would (training.roster.facts).
    started = time.perf_counter()
    refreshed = training_facts_refresh_all(agency_ids=[agency.pk])
    print(f"  stored training facts of {refreshed:,} officers in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum would give in production


def count_queries(client: Client, queries: list[dict[str, str]]) -> dict[str, int]:
    url = reverse("training:roster")
    counts = {}
    for params in queries:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        assert response.status_code == 200, (params, response.status_code)
        counts[urlencode(params) or "(first page)"] = len(captured)
    return counts


def time_roster(client: Client, queries: list[dict[str, str]], repeat: int) -> tuple[list[float], dict[str, float]]:
    url = reverse("training:roster")
    for params in queries:  # warm-up: plans, template cache, connection
        client.get(url, params)
    samples: list[float] = []
    per_url: dict[str, list[float]] = {}
    for _ in range(repeat):
        for params in queries:
            started = time.perf_counter()
            response = client.get(url, params)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200
            samples.append(elapsed)
            per_url.setdefault(urlencode(params) or "(first page)", []).append(elapsed)
    return samples, {key: percentile(values, 95) for key, values in per_url.items()}


def percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def time_reminders(label: str) -> tuple[float, int, int]:
    from training.reminders.services import send_certification_reminders

    mail.outbox = []
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = send_certification_reminders(now=timezone.now())
        elapsed = time.perf_counter() - started
    print(
        f"  reminder run ({label}): {elapsed:.2f} s, returned {result!r}, "
        f"{len(mail.outbox)} emails, {len(captured)} queries"
    )
    return elapsed, len(mail.outbox), len(captured)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--officers", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000, help="officers at the first query count")
    parser.add_argument("--repeat", type=int, default=12, help="timed passes over the roster URLs")
    parser.add_argument("--keepdb", action="store_true", help="keep the test database afterwards")
    parser.add_argument(
        "--build-only", action="store_true", help="build the data, keep the database for EXPLAIN, measure nothing"
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
    started = time.perf_counter()
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=False, serialized_aliases=set())
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        print(f"PostgreSQL {cursor.fetchone()[0]} · database {connection.settings_dict['NAME']}")
    print(f"migrated in {time.perf_counter() - started:.1f} s")
    failed = False
    try:
        rng = random.Random(287)  # noqa: S311 (invented bench data, not security)
        agency, agreement, supervisors, courses = build_fixture()
        client = Client()
        client.force_login(supervisors[0])
        queries = roster_queries(supervisor_pk=supervisors[1].pk, course_public_id=str(courses["annual"][0].public_id))

        started = time.perf_counter()
        add_officers(
            agency=agency,
            agreement=agreement,
            supervisors=supervisors,
            courses=courses,
            start=0,
            stop=args.small,
            rng=rng,
        )
        print(f"built {args.small:,} officers in {time.perf_counter() - started:.1f} s")
        client.get(reverse("training:roster"))  # session and caches warm before counting
        small_counts = count_queries(client, queries)
        small_samples, _ = time_roster(client, queries, max(2, args.repeat // 4))

        started = time.perf_counter()
        add_officers(
            agency=agency,
            agreement=agreement,
            supervisors=supervisors,
            courses=courses,
            start=args.small,
            stop=args.officers,
            rng=rng,
        )
        from training.roster.models import Certification, Officer

        print(
            f"built up to {Officer.objects.count():,} officers, {Certification.objects.count():,} certifications "
            f"in {time.perf_counter() - started:.1f} s"
        )
        if args.build_only:
            args.keepdb = True
            print(f"kept database {connection.settings_dict['NAME']} for inspection")
            return 0
        large_counts = count_queries(client, queries)
        print(f"\nRoster page query count ({args.small:,} → {args.officers:,} officers):")
        for key, small in small_counts.items():
            large = large_counts[key]
            flag = "" if small == large else "   <-- GROWS"
            failed |= small != large
            print(f"  {key:40} {small:3d} → {large:3d}{flag}")

        samples, per_url = time_roster(client, queries, args.repeat)
        p50, p95 = percentile(samples, 50), percentile(samples, 95)
        print(f"\nRoster page server time, {len(samples)} requests over {len(queries)} URLs:")
        print(
            f"  {args.small:,} officers: p50 {percentile(small_samples, 50):.1f} ms, "
            f"p95 {percentile(small_samples, 95):.1f} ms ({len(small_samples)} requests)"
        )
        print(f"  {args.officers:,} officers: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(samples):.1f} ms")
        for key, value in sorted(per_url.items(), key=lambda item: -item[1])[:5]:
            print(f"    slowest p95: {key:40} {value:.1f} ms")
        failed |= p95 >= ROSTER_P95_TARGET_MS
        print(f"  target p95 < {ROSTER_P95_TARGET_MS:.0f} ms: {'met' if p95 < ROSTER_P95_TARGET_MS else 'MISSED'}")

        print(f"\nReminder run over {Certification.objects.count():,} certifications:")
        first, _, _ = time_reminders("first run, every due notice")
        again, _, _ = time_reminders("second run, nothing left to send")
        worst = max(first, again)
        failed |= worst >= REMINDER_TARGET_S
        print(f"  target < {REMINDER_TARGET_S:.0f} s: {'met' if worst < REMINDER_TARGET_S else 'MISSED'}")
    finally:
        if not args.keepdb:
            teardown_databases(old_config, verbosity=0)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
