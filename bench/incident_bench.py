"""Incidents and complaints benchmark on PostgreSQL (issue 11): the supervisor's queue and the case page.

Run (PostgreSQL only; the script creates and drops its own ``test_<name>`` database)::

    DATABASE_URL=postgres://postgres@127.0.0.1:55461/postgres .venv/bin/python bench/incident_bench.py

What it does:

1. Creates a fresh test database next to ``DATABASE_URL``'s and migrates it.
2. Builds three agencies (half, 30 % and 20 % of the cases), each with a supervisor, four
   staff investigators and 40 roster officers; one auditor of all three. The first agency
   has its own case settings (ICE within 24 h, close within 60 days), the others the
   defaults (48 h, 90 days).
3. Adds ``--small`` cases with ``bulk_create`` in batches of 10,000 (invented data, no
   history rows), received at random over the last three years: a mix of kinds and sources
   (40 % public complaints with a tracking number, 50 % staff, 10 % opened by a rule);
   open (received, under investigation, supervisor review: 3 : 2 : 1) are 60 % of the cases
   received in the last 120 days and 1 % of older ones (a backlog), the rest closed, so
   about 7.5 % are open (some 7,500 in the largest agency at 200,000); an investigator
   on every case past triage (one in eight the supervisor's own), half of them concerning
   immigration authority; one subject officer on 30 % of the cases, one allegation on 40 %,
   an ICE referral on 40 % of those concerning immigration authority, a corrective action on
   5 %, three timeline rows each. One case (the supervisor's, with two officers, three
   allegations, two referrals, two actions and 40 timeline rows) is the case page measured.
   Records the query count of every URL below, and times them.
4. Grows to ``--incidents`` cases (the same generator), ``VACUUM ANALYZE`` of the case tables (what
   autovacuum does on an insert-only table: statistics and the visibility map), counts again (they must
   be equal), then times every URL ``--repeat`` times through Django's test client (server
   time: middleware, view, template; no network) after one warm-up pass. Reports p50/p95 in ms.

URLs: the queue (``incidents:incident_list``) as the supervisor of the largest agency:
first page and the last page (keyset cursor "last"; closed cases' last page too); each stage
and "open"; a kind; each source; a subject officer; overdue; assigned to me; overdue + open +
complaint combined; and as the auditor of all three: first page, overdue, ``?agency=``. The case page
(``incidents:incident_detail``) of the measured case, as the supervisor and the auditor.

``--build-only`` builds the data and keeps the database for ``EXPLAIN``, measuring nothing.

Target: each page p95 < 200 ms, query counts equal at both sizes. Exit status 1 when a
target is missed or a query count grows. Not a test: ``make test`` never runs it.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta

import harness  # first: puts the project on sys.path and sets up Django
from django.db import connection
from django.urls import reverse
from django.utils import timezone

PAGE_P95_TARGET_MS = 200.0
AGENCY_SHARES = (0.5, 0.3, 0.2)
BATCH = 10_000
LAST_NAMES = [
    "Abernathy", "Bellweather", "Castellano", "Dunmore", "Everly", "Fairbanks", "Galloway", "Hollister",
    "Ingram", "Jessup", "Kettleman", "Lindqvist", "Marchetti", "Northcott", "Okafor", "Pemberton",
]  # fmt: skip
FIRST_NAMES = ["Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan", "Morgan", "Quinn"]


def build_fixture():
    """Three agencies with a supervisor, four staff and 40 officers each; one auditor of all three."""
    from compliance.core.models import Agency, Agreement, AgreementModel, User
    from compliance.core.roles import Role, role_grant
    from incidents.incident_log.models import IncidentSettings
    from training.roster.models import Officer

    agencies = []
    auditor = User.objects.create_user("bench_auditor", "auditor@bench.example", "bench-password-not-secret")
    for n, zone in enumerate(("America/Chicago", "America/Phoenix", "America/New_York")):
        agency = Agency.objects.create(
            name=f"Bench County {n} Sheriff's Office", state="TX", county=f"Bench {n}", time_zone=zone
        )
        agreement = Agreement.objects.create(agency=agency, model=AgreementModel.JEM)
        supervisor = User.objects.create_user(
            f"bench_supervisor_{n}",
            f"supervisor{n}@bench.example",
            "bench-password-not-secret",
            home_agency=agency,
            first_name="Sam",
            last_name=f"Supervisor{n}",
        )
        role_grant(user=supervisor, agency=agency, role=Role.SUPERVISOR)
        role_grant(user=auditor, agency=agency, role=Role.AUDITOR)
        staff = []
        for k in range(4):
            user = User.objects.create_user(
                f"bench_staff_{n}_{k}",
                f"staff{n}{k}@bench.example",
                "bench-password-not-secret",
                home_agency=agency,
                first_name=FIRST_NAMES[k],
                last_name=f"Investigator{k}",
            )
            role_grant(user=user, agency=agency, role=Role.STAFF)
            staff.append(user)
        officers = Officer.objects.bulk_create(
            Officer(
                agency=agency,
                agreement=agreement,
                first_name=FIRST_NAMES[k % len(FIRST_NAMES)],
                last_name=LAST_NAMES[k % len(LAST_NAMES)],
                badge_number=f"BN-{n}-{k:03d}",
                supervisor=supervisor,
                status=Officer.Status.DESIGNATED,
            )
            for k in range(40)
        )
        if n == 0:
            IncidentSettings.objects.create(agency=agency, ice_referral_hours=24, investigation_target_days=60)
        agencies.append({"agency": agency, "supervisor": supervisor, "staff": staff, "officers": officers})
    return agencies, auditor


def add_incidents(*, agencies, count: int, start: int, now, rng: random.Random) -> None:
    """``count`` cases (numbered from ``start``) spread over the agencies by ``AGENCY_SHARES``, with related rows."""
    from incidents.corrective_actions.models import CorrectiveAction
    from incidents.incident_log.models import Allegation, CaseEvent, Incident, SubjectOfficer
    from incidents.referrals.models import Referral

    kinds = [Incident.Kind.COMPLAINT] * 5 + [
        Incident.Kind.USE_OF_FORCE,
        Incident.Kind.HOLD_VIOLATION,
        Incident.Kind.SCOPE_VIOLATION,
        Incident.Kind.CITIZENSHIP_CLAIM,
        Incident.Kind.OTHER,
    ]
    for first in range(start, start + count, BATCH):
        cases, slots = [], []
        for n in range(first, min(first + BATCH, start + count)):
            slot = rng.choices(agencies, weights=AGENCY_SHARES)[0]
            received = now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
            # Open cases are mostly recent: 60 % of those received in the last 120 days, 1 % of older ones.
            roll = rng.random() / (0.6 if now - received < timedelta(days=120) else 0.01)
            status = (
                Incident.Status.RECEIVED
                if roll < 0.5
                else Incident.Status.UNDER_INVESTIGATION
                if roll < 0.83
                else Incident.Status.SUPERVISOR_REVIEW
                if roll < 1
                else Incident.Status.CLOSED
            )
            source_roll = rng.random()
            source = (
                Incident.Source.PUBLIC
                if source_roll < 0.4
                else Incident.Source.STAFF
                if source_roll < 0.9
                else Incident.Source.RULE
            )
            closed = status == Incident.Status.CLOSED
            investigator = None
            if status != Incident.Status.RECEIVED:
                investigator = slot["supervisor"] if rng.random() < 0.125 else rng.choice(slot["staff"])
            cases.append(
                Incident(
                    agency=slot["agency"],
                    kind=Incident.Kind.COMPLAINT if source == Incident.Source.PUBLIC else rng.choice(kinds),
                    severity=Incident.Severity.MEDIUM,
                    status=status,
                    source=source,
                    title=f"Bench case {n}",
                    description="Invented narrative for the benchmark.",
                    occurred_at=received - timedelta(hours=rng.randint(1, 72)),
                    received_at=received,
                    immigration_related=rng.choice([Incident.Immigration.YES, Incident.Immigration.NO]),
                    tracking_number=f"BEN-{n:09d}" if source == Incident.Source.PUBLIC else None,
                    investigator=investigator,
                    assigned_at=received + timedelta(days=1) if investigator else None,
                    closure=Incident.Closure.REVIEWED if closed else "",
                    closed_at=min(now, received + timedelta(days=rng.randint(5, 120))) if closed else None,
                    closed_by=slot["supervisor"] if closed else None,
                    reported_by=slot["supervisor"],
                )
            )
            slots.append(slot)
        cases = Incident.objects.bulk_create(cases)
        officers, allegations, referrals, actions, events = [], [], [], [], []
        for case, slot in zip(cases, slots, strict=True):
            supervisor = slot["supervisor"]
            if rng.random() < 0.3:
                officers.append(
                    SubjectOfficer(
                        incident=case,
                        officer=rng.choice(slot["officers"]),
                        added_at=case.received_at,
                        added_by=supervisor,
                    )
                )
            if rng.random() < 0.4:
                allegations.append(
                    Allegation(
                        incident=case,
                        text="Invented allegation.",
                        disposition=rng.choice(["", "sustained", "not_sustained", "unfounded"]),
                        created_at=case.received_at,
                    )
                )
            if case.immigration_related == Incident.Immigration.YES and rng.random() < 0.4:
                referrals.append(
                    Referral(
                        agency=case.agency,
                        incident=case,
                        recipient=Referral.Recipient.ICE_OPR,
                        referred_at=case.received_at + timedelta(hours=rng.randint(1, 72)),
                        recorded_by=supervisor,
                    )
                )
            if rng.random() < 0.05:
                actions.append(
                    CorrectiveAction(
                        agency=case.agency,
                        incident=case,
                        kind=CorrectiveAction.Kind.TRAINING,
                        description="Invented corrective action.",
                        owner=supervisor,
                        due_on=(case.received_at + timedelta(days=30)).date(),
                        created_by=supervisor,
                    )
                )
            for step in range(3):
                events.append(
                    CaseEvent(
                        incident=case,
                        at=case.received_at + timedelta(hours=step),
                        actor=supervisor,
                        kind=CaseEvent.Kind.NOTE,
                        text="Invented note.",
                    )
                )
        SubjectOfficer.objects.bulk_create(officers)
        Allegation.objects.bulk_create(allegations)
        Referral.objects.bulk_create(referrals)
        CorrectiveAction.objects.bulk_create(actions)
        CaseEvent.objects.bulk_create(events)


def add_measured_case(agency, now):
    """The case whose page is measured: the supervisor investigates; officers, allegations, referrals, actions."""
    from incidents.corrective_actions.models import CorrectiveAction
    from incidents.incident_log.models import Allegation, CaseEvent, Incident, SubjectOfficer
    from incidents.referrals.models import Referral

    supervisor = agency["supervisor"]
    case = Incident.objects.create(
        agency=agency["agency"],
        kind=Incident.Kind.COMPLAINT,
        severity=Incident.Severity.HIGH,
        status=Incident.Status.UNDER_INVESTIGATION,
        source=Incident.Source.PUBLIC,
        title="Measured bench case",
        description="Invented narrative.",
        occurred_at=now - timedelta(days=10),
        received_at=now - timedelta(days=9),
        immigration_related=Incident.Immigration.YES,
        tracking_number="BEN-MEASURED",
        investigator=supervisor,
        reported_by=supervisor,
    )
    for officer in agency["officers"][:2]:
        SubjectOfficer.objects.create(incident=case, officer=officer, added_at=now, added_by=supervisor)
    for n in range(3):
        Allegation.objects.create(
            incident=case, officer=agency["officers"][n % 2], text=f"Allegation {n}", created_at=now
        )
    for recipient in (Referral.Recipient.ICE_OPR, Referral.Recipient.DHS_OIG):
        Referral.objects.create(
            agency=case.agency, incident=case, recipient=recipient, referred_at=now, recorded_by=supervisor
        )
    for n in range(2):
        CorrectiveAction.objects.create(
            agency=case.agency,
            incident=case,
            kind=CorrectiveAction.Kind.COUNSELLING,
            description=f"Action {n}",
            owner=supervisor,
            due_on=date.today() + timedelta(days=10),  # noqa: DTZ011 (a due date, invented)
            created_by=supervisor,
        )
    CaseEvent.objects.bulk_create(
        CaseEvent(incident=case, at=now - timedelta(hours=n), actor=supervisor, kind=CaseEvent.Kind.NOTE, text=f"n{n}")
        for n in range(40)
    )
    return case


def queue_urls(agencies) -> list[tuple[str, dict[str, str]]]:
    """The queue's (user key, query) pairs (module docstring)."""
    from compliance.core import keyset
    from incidents.incident_log.selectors import QUEUE_CURSOR_SALT

    officer = agencies[0]["officers"][0]
    last = keyset.cursor_encode(keyset.Cursor(keyset.LAST), salt=QUEUE_CURSOR_SALT)  # keyset pages (issue 13)
    supervisor = [
        {},
        {"cursor": last},
        {"status": "closed", "cursor": last},
        {"status": "open"},
        {"status": "received"},
        {"status": "under_investigation"},
        {"status": "supervisor_review"},
        {"status": "closed"},
        {"kind": "use_of_force"},
        {"source": "public"},
        {"source": "staff"},
        {"source": "rule"},
        {"officer": str(officer.public_id)},
        {"overdue": "1"},
        {"mine": "1"},
        {"overdue": "1", "status": "open", "kind": "complaint"},
    ]
    auditor = [{}, {"overdue": "1"}, {"agency": str(agencies[2]["agency"].public_id)}]
    return [("supervisor", params) for params in supervisor] + [("auditor", params) for params in auditor]


def label(params: dict[str, str]) -> str:
    """Short name of a URL's query for the report (the officer's and agency's ids shortened)."""
    if not params:
        return "(first page)"
    return "&".join(
        f"{key}={value[:8] + '…' if key in ('officer', 'agency') else 'LAST' if key == 'cursor' else value}"
        for key, value in params.items()
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sizes and --repeat; harness.run adds --keepdb and --build-only."""
    parser.add_argument("--incidents", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=1_000, help="cases at the first query count")
    parser.add_argument("--repeat", type=int, default=6, help="timed passes over each page's URLs")


def bench(args: argparse.Namespace, database: harness.BenchDatabase) -> bool:
    """Build, count, time and report (see the module docstring); True when a target is missed or a count grows."""
    from incidents.incident_log.models import Incident

    rng = random.Random(287)  # noqa: S311 (invented bench data, not security)
    now = timezone.now()
    agencies, auditor = build_fixture()
    clients = {
        "supervisor": harness.signed_in_client(agencies[0]["supervisor"]),
        "auditor": harness.signed_in_client(auditor),
    }

    started = time.perf_counter()
    add_incidents(agencies=agencies, count=args.small, start=0, now=now, rng=rng)
    case = add_measured_case(agencies[0], now)
    harness.analyze()
    print(f"built {args.small:,} cases in {time.perf_counter() - started:.1f} s")

    queue = harness.Page(
        "Queue",
        reverse("incidents:incident_list"),
        [harness.Request(f"{who} {label(params)}", clients[who], params) for who, params in queue_urls(agencies)],
        unit="cases",
        key_width=52,
        p95_label="p95",
    )
    case_page = harness.Page(
        "Case page",
        reverse("incidents:incident_detail", args=[case.public_id]),
        [harness.Request(who, clients[who], {}) for who in ("supervisor", "auditor")],
        unit="cases",
        key_width=12,
        p95_label="p95",
        spaced=True,
    )
    pages = (queue, case_page)
    small = {}
    if not args.build_only:
        small = {page.name: harness.measure_small(page, size=args.small, repeat=args.repeat) for page in pages}

    started = time.perf_counter()
    add_incidents(agencies=agencies, count=args.incidents - args.small - 1, start=args.small, now=now, rng=rng)
    with connection.cursor() as cursor:
        for table in ("incidents_incident", "incidents_referral", "incidents_subjectofficer", "incidents_caseevent"):
            cursor.execute(f"VACUUM ANALYZE {table}")  # noqa: S608 (fixed names)
    total = Incident.objects.count()
    print(f"grew to {total:,} cases in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT agency_id, count(*) FROM incidents_incident GROUP BY agency_id ORDER BY 1")
        print("  cases per agency:", ", ".join(f"{count:,}" for _, count in cursor.fetchall()))
    if args.build_only:
        database.keep_for_inspection()
        return False

    failed = False
    for page in pages:
        failed |= harness.measure_large(
            page, small[page.name], size=total, repeat=args.repeat, target_ms=PAGE_P95_TARGET_MS
        )
    return failed


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, add_arguments, bench))
