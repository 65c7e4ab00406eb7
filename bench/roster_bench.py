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
import random
import sys
import time
from datetime import date, timedelta
from functools import partial
from urllib.parse import urlencode

import harness  # first: puts the project on sys.path and sets up Django
from django.urls import reverse
from django.utils import timezone

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
            # The nomination checklist (R2.8) and ICE credential (R2.9), as a designation leaves them.
            us_citizen=True,
            lea_background_check_on=today - timedelta(days=1500),
            ice_background_check_on=today - timedelta(days=1480),
            privacy_waiver_on_file=True,
            service_commitment_signed=True,
            ice_credential_id=f"ICE-{n:05d}",
            ice_credential_issued_on=today - timedelta(days=1400),
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
    harness.analyze()  # fresh planner statistics, as autovacuum would give in production


def time_reminders(label: str) -> float:
    """Run the reminder job once, print its line; its duration in seconds."""
    from training.reminders.services import send_certification_reminders

    run = harness.measure_job(lambda: send_certification_reminders(now=timezone.now()))
    print(
        f"  reminder run ({label}): {run.seconds:.2f} s, returned {run.result!r}, "
        f"{run.emails} emails, {run.queries} queries"
    )
    return run.seconds


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sizes and --repeat; harness.run adds --keepdb and --build-only."""
    parser.add_argument("--officers", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000, help="officers at the first query count")
    parser.add_argument("--repeat", type=int, default=12, help="timed passes over the roster URLs")


def bench(args: argparse.Namespace, database: harness.BenchDatabase) -> bool:
    """Build, count, time and report (see the module docstring); True when a target is missed or a count grows."""
    rng = random.Random(287)  # noqa: S311 (invented bench data, not security)
    agency, agreement, supervisors, courses = build_fixture()
    client = harness.signed_in_client(supervisors[0])
    queries = roster_queries(supervisor_pk=supervisors[1].pk, course_public_id=str(courses["annual"][0].public_id))
    roster = harness.Page(
        "Roster page",
        reverse("training:roster"),
        [harness.Request(urlencode(params) or "(first page)", client, params) for params in queries],
        unit="officers",
        key_width=40,
        p95_label="slowest p95:",
        rows=5,
        spaced=True,
    )
    build = partial(add_officers, agency=agency, agreement=agreement, supervisors=supervisors, courses=courses)

    started = time.perf_counter()
    build(start=0, stop=args.small, rng=rng)
    print(f"built {args.small:,} officers in {time.perf_counter() - started:.1f} s")
    small = harness.measure_small(roster, size=args.small, repeat=args.repeat)

    started = time.perf_counter()
    build(start=args.small, stop=args.officers, rng=rng)
    from training.roster.models import Certification, Officer

    print(
        f"built up to {Officer.objects.count():,} officers, {Certification.objects.count():,} certifications "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if args.build_only:
        database.keep_for_inspection()
        return False
    failed = harness.measure_large(
        roster, small, size=args.officers, repeat=args.repeat, target_ms=ROSTER_P95_TARGET_MS
    )

    print(f"\nReminder run over {Certification.objects.count():,} certifications:")
    first = time_reminders("first run, every due notice")
    again = time_reminders("second run, nothing left to send")
    worst = max(first, again)
    failed |= harness.report_target(f"< {REMINDER_TARGET_S:.0f} s", worst < REMINDER_TARGET_S)
    return failed


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, add_arguments, bench))
