"""Custody board, detainer list and hold-deadline sweep benchmark on PostgreSQL (issue 4).

Run (PostgreSQL only; the script creates and drops its own ``test_<name>`` database)::

    DATABASE_URL=postgres://postgres@127.0.0.1:55207/postgres .venv/bin/python bench/detainer_bench.py

What it does:

1. Creates a fresh test database next to ``DATABASE_URL``'s and migrates it.
2. Builds three agencies (half, 30 % and 20 % of the log), each with an active
   JEM agreement, a supervisor and 20 handling officers, and ``--small``
   detainers with ``bulk_create`` in batches of 10,000 (invented data, no
   history rows): ``--open`` of them pending (one in ten with no release time
   yet, so no hold deadline; the others with deadlines from 7 h to about 4 days
   ahead), the rest closed (transferred, released or lifted). Records the
   query count of every URL below.
3. Grows the log to ``--detainers`` rows by copying the closed rows with
   ``INSERT ... SELECT ... generate_series`` (new ``public_id`` and booking
   number, dates shifted back a day per copy), then ``ANALYZE``. The open
   detainers stay the same few thousand, as in a real jail. Records the query
   counts again (they must be equal), then times each URL ``--repeat`` times
   through Django's test client (server time: middleware, view, template; no
   network) as a logged-in supervisor of the largest agency and as an auditor
   of all three. Reports p50/p95 in ms.
4. Times ``incidents.detainers.sweep.sweep_hold_deadlines`` (locmem mail backend) at the
   build instant (nothing due: the nearest deadline is 7 h away, past the 6 h
   lead time) and 8 h later (50 due: 10 deadlines passed → finding, incident,
   email each; 40 inside the 6 h lead time → warning each).

URLs: the custody board's first, second, 40th and last page (``?page=``) and one
``?agency=``; the detainer log's keyset pages (``log_urls``): first page, "Older"
followed once and 39 times, "Oldest", "Newer" than the oldest and one filtered URL, each
as the supervisor and as the auditor, and the auditor's ``?agency=``. The cursor URLs are
followed on the small build, outside any timing; after the growth the same signed cursors
point deep into the closed segment.

``--vacuum`` runs ``VACUUM ANALYZE`` after the growth (as autovacuum would on an
insert-only table); ``--build-only`` builds the data and keeps the database for
``EXPLAIN``, measuring nothing.

Targets: each page p95 < 200 ms; sweep < 2 s. Exit status 1 when a target is
missed or a query count grows. Not a test: ``make test`` never runs it.
"""

from __future__ import annotations

import argparse
import html
import random
import re
import sys
import time
from datetime import date, timedelta
from urllib.parse import parse_qs, urlencode, urlparse

import harness  # first: puts the project on sys.path and sets up Django
from django.db import connection
from django.urls import reverse
from django.utils import timezone

PAGE_P95_TARGET_MS = 200.0
SWEEP_TARGET_S = 2.0
AGENCY_SHARES = (0.5, 0.3, 0.2)
#: Open detainers due at the second sweep (8 h after the build): passed, and inside the 6 h lead time.
DUE_PASSED = 10
DUE_WARNED = 40

LAST_NAMES = [
    "Abernathy", "Bellweather", "Castellano", "Dunmore", "Everly", "Fairbanks", "Galloway", "Hollister",
    "Ingram", "Jessup", "Kettleman", "Lindqvist", "Marchetti", "Northcott", "Okafor", "Pemberton",
]  # fmt: skip
FIRST_NAMES = ["Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan", "Morgan", "Quinn"]
CHARGES = ["Driving while intoxicated", "Burglary of a habitation", "Assault causing bodily injury", "Theft"]


def build_fixture():
    """Three agencies with an agreement, a supervisor, 20 handling officers each; one auditor of all three."""
    from compliance.core.models import Agency, Agreement, AgreementModel, User
    from compliance.core.roles import Role, role_grant

    agencies = []
    auditor = User.objects.create_user("bench_auditor", "auditor@bench.example", "bench-password-not-secret")
    for n, zone in enumerate(("America/Chicago", "America/Phoenix", "America/New_York")):
        agency = Agency.objects.create(
            name=f"Bench County {n} Sheriff's Office", state="TX", county=f"Bench {n}", time_zone=zone
        )
        agreement = Agreement.objects.create(agency=agency, model=AgreementModel.JEM)
        supervisor = User.objects.create_user(
            f"bench_supervisor_{n}", f"supervisor{n}@bench.example", "bench-password-not-secret", home_agency=agency
        )
        role_grant(user=supervisor, agency=agency, role=Role.SUPERVISOR)
        role_grant(user=auditor, agency=agency, role=Role.AUDITOR)
        officers = designated_officers(
            agency=agency, agreement=agreement, supervisor=supervisor, badge_prefix=f"BN-{n}-"
        )
        agencies.append({"agency": agency, "agreement": agreement, "supervisor": supervisor, "officers": officers})
    return agencies, auditor


def open_deadlines(count: int, now):
    """Hold deadlines of the open detainers: 10 at now+7 h…, 40 at now+9 h…, the rest from now+15 h on.

    At ``now`` nothing is due (6 h lead time); at ``now + 8 h`` exactly the first
    ``DUE_PASSED`` have passed and the next ``DUE_WARNED`` are inside the lead time.
    """
    deadlines = [now + timedelta(hours=7, minutes=5 * k) for k in range(DUE_PASSED)]
    deadlines += [now + timedelta(hours=9, minutes=6 * k) for k in range(DUE_WARNED)]
    rest = count - len(deadlines)
    deadlines += [now + timedelta(hours=15) + timedelta(minutes=85 * 60 * k / max(rest, 1)) for k in range(rest)]
    return deadlines


def designated_officers(*, agency, agreement, supervisor, badge_prefix: str, count: int = 20) -> list:
    """``count`` designated officers of ``agency`` (badges ``<badge_prefix>000``…), qualified to act.

    Each carries what a designation leaves on the record (``training.roster.authorization``): the nomination
    checklist (R2.8) and the ICE credential (R2.9). Invented names; one ``bulk_create``.
    """
    from training.roster.models import Officer

    return Officer.objects.bulk_create(
        Officer(
            agency=agency,
            agreement=agreement,
            first_name=FIRST_NAMES[k % len(FIRST_NAMES)],
            last_name=LAST_NAMES[k % len(LAST_NAMES)],
            badge_number=f"{badge_prefix}{k:03d}",
            supervisor=supervisor,
            status=Officer.Status.DESIGNATED,
            us_citizen=True,
            lea_background_check_on=date(2020, 1, 10),
            ice_background_check_on=date(2020, 2, 10),
            privacy_waiver_on_file=True,
            service_commitment_signed=True,
            ice_credential_id="ICE-BENCH",
            ice_credential_issued_on=date(2020, 3, 1),
        )
        for k in range(count)
    )


def add_detainers(*, agencies, count: int, open_count: int, now, rng: random.Random) -> None:
    """``count`` detainers spread over the agencies by ``AGENCY_SHARES`` (the first shares for fewer agencies);
    ``open_count`` of them pending. ``agencies``: dicts with ``agency``, ``agreement`` and ``officers``."""
    from incidents.detainers.models import Detainer
    from incidents.detainers.rules import HOLD_LIMIT

    outcomes = [Detainer.Outcome.TRANSFERRED] * 5 + [Detainer.Outcome.RELEASED] * 4 + [Detainer.Outcome.LIFTED]
    with_deadline = open_count - open_count // 10
    deadlines = open_deadlines(with_deadline, now)
    weights = list(AGENCY_SHARES[: len(agencies)])
    batch = []
    for n in range(count):
        slot = rng.choices(agencies, weights=weights)[0]
        if n < with_deadline:
            deadline = deadlines[n]
            released_at = deadline - HOLD_LIMIT
            outcome, outcome_at = Detainer.Outcome.PENDING, None
        elif n < open_count:  # open, release time not known yet
            deadline = released_at = None
            outcome, outcome_at = Detainer.Outcome.PENDING, None
        else:
            released_at = now - timedelta(days=rng.randint(3, 700), minutes=rng.randint(0, 1439))
            deadline = released_at + HOLD_LIMIT
            outcome = rng.choice(outcomes)
            outcome_at = released_at + timedelta(hours=rng.randint(0, 40))
        received_at = (released_at or now) - timedelta(days=rng.randint(1, 30))
        batch.append(
            Detainer(
                agency=slot["agency"],
                agreement=slot["agreement"],
                handling_officer=rng.choice(slot["officers"]),
                subject_last_name=f"{LAST_NAMES[n % len(LAST_NAMES)]}{n}",
                subject_first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                booking_number=f"BK-{n:07d}",
                booked_at=received_at - timedelta(hours=6),
                underlying_charge=CHARGES[n % len(CHARGES)],
                form=Detainer.Form.I247A,
                issued_at=received_at - timedelta(hours=2),
                received_at=received_at,
                warrant_type=Detainer.Warrant.I200,
                warrant_signed=True,
                would_be_released_at=released_at,
                hold_deadline=deadline,
                outcome=outcome,
                outcome_at=outcome_at,
            )
        )
        if len(batch) == 10_000:
            Detainer.objects.bulk_create(batch)
            batch = []
    Detainer.objects.bulk_create(batch)


def grow_detainers(target: int, *, vacuum: bool = False) -> None:
    """Copy closed detainers in SQL until the log holds ``target`` rows; dates shift back a day per copy."""
    from incidents.detainers.models import Detainer

    table = Detainer._meta.db_table
    shifted = {
        "booked_at",
        "issued_at",
        "received_at",
        "would_be_released_at",
        "hold_deadline",
        "outcome_at",
        "created_at",
        "updated_at",
    }
    columns, values = [], []
    for field in Detainer._meta.concrete_fields:
        column = field.column
        if column == "id":
            continue
        columns.append(f'"{column}"')
        if column == "public_id":
            values.append("gen_random_uuid()")
        elif column == "booking_number":
            values.append("'BK-' || g || '-' || d.id")
        elif column in shifted:
            values.append(f"d.\"{column}\" - g * interval '1 day'")
        else:
            values.append(f'd."{column}"')
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (names from the model)
        current = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM {table} WHERE outcome <> 'pending'")  # noqa: S608
        closed = cursor.fetchone()[0]
        copy = 1
        while current < target:
            copies = max(1, min(20, (target - current) // closed))
            limit = min(target - current, copies * closed)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 (names from the model)
                f"SELECT {', '.join(values)} FROM {table} d "
                f"CROSS JOIN generate_series(%s, %s) g "
                f"WHERE d.outcome <> 'pending' AND d.booking_number NOT LIKE 'BK-%%-%%' LIMIT %s",
                [copy, copy + copies - 1, limit],
            )
            current += cursor.rowcount
            copy += copies
            print(f"  {current:,} detainers", flush=True)
        # ANALYZE: fresh planner statistics. VACUUM also sets the visibility map, as
        # autovacuum does on an insert-only table (PostgreSQL 13+), so counts can use
        # index-only scans.
        cursor.execute(f"VACUUM ANALYZE {table}" if vacuum else "ANALYZE")


def page_urls(agencies) -> list[tuple[str, dict[str, str]]]:
    """Custody board: (user key, query) pairs: first, second, a middle and the last page; one ``?agency=``."""
    base = [{}, {"page": "2"}, {"page": "40"}, {"page": "99999"}]  # past the end: the last page
    return [("supervisor", params) for params in base] + [
        ("auditor", params) for params in [*base, {"agency": str(agencies[2]["agency"].public_id)}]
    ]


def link_query(response, link: str) -> dict[str, str]:
    """The query of the detainer log's ``link`` ("newest", "newer", "older", "oldest") in a page's HTML."""
    found = re.search(rf'<a href="([^"]*)"[^>]*data-testid="page-{link}"', response.content.decode())
    assert found, f"no {link} link"
    return {key: values[0] for key, values in parse_qs(urlparse(html.unescape(found.group(1))).query).items()}


def follow(client, url: str, params: dict[str, str], link: str, times: int) -> dict[str, str]:
    """The query of the page reached by following the detainer log's ``link`` ``times`` times (untimed)."""
    for _ in range(times):
        params = link_query(client.get(url, params), link)
    return params


def log_urls(clients, agencies) -> list[tuple[str, dict[str, str]]]:
    """Detainer log (keyset pages): first page, "Older" followed 1 and 39 times, "Oldest", the page
    "Newer" than the oldest, and one filtered URL, for the supervisor and the auditor; the auditor's
    ``?agency=``. Cursor URLs are computed here, before any timing, on the small build: after the
    growth the same cursors point deep into the closed segment (the copies are older).
    """
    url = reverse("incidents:detainer_list")
    urls = []
    for who in ("supervisor", "auditor"):
        oldest = link_query(clients[who].get(url), "oldest")
        urls += [
            (who, {}),
            (who, follow(clients[who], url, {}, "older", 1)),
            (who, follow(clients[who], url, {}, "older", 39)),
            (who, oldest),
            (who, follow(clients[who], url, oldest, "newer", 1)),
            (who, {"outcome": "released", "received_from": (timezone.now() - timedelta(days=400)).date().isoformat()}),
        ]
    urls.append(("auditor", {"agency": str(agencies[2]["agency"].public_id)}))
    return urls


def label(params: dict[str, str]) -> str:
    """Short name of a URL's query for the report (cursors are long and opaque)."""
    if not params:
        return "(first page)"
    shown = {key: value for key, value in params.items() if key != "cursor"}
    if "cursor" in params:
        from incidents.detainer_log.paging import cursor_decode

        cursor = cursor_decode(params["cursor"])
        segment = "" if cursor.position is None else ("/open" if cursor.position.segment == 0 else "/closed")
        shown["cursor"] = f"{cursor.direction}{segment}@{params['cursor'][-6:]}"
    return urlencode(shown)


def detainer_page(name: str, clients, urls) -> harness.Page:
    """The page ``name`` with its (user key, query) pairs, each reported as who asks and the query's ``label``."""
    requests = [harness.Request(f"{who} {label(params)}", clients[who], params) for who, params in urls]
    return harness.Page(name, reverse(name), requests, unit="detainers", key_width=50, p95_label="p95")


def time_sweep(label: str, now) -> float:
    """Run the hold-deadline sweep once as of ``now``, print its line; its duration in seconds."""
    from incidents.detainers.sweep import sweep_hold_deadlines

    run = harness.measure_job(lambda: sweep_hold_deadlines(now=now))
    print(f"  sweep ({label}): {run.seconds:.3f} s, {run.result!r}, {run.emails} emails, {run.queries} queries")
    return run.seconds


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sizes and --repeat; harness.run adds --keepdb and --build-only."""
    parser.add_argument("--detainers", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000, help="detainers at the first query count")
    parser.add_argument("--open", type=int, default=3_000, help="open (pending) detainers, all in the small build")
    parser.add_argument("--repeat", type=int, default=8, help="timed passes over each page's URLs")
    parser.add_argument("--vacuum", action="store_true", help="VACUUM ANALYZE after the growth (not only ANALYZE)")


def bench(args: argparse.Namespace, database: harness.BenchDatabase) -> bool:
    """Build, count, time and report (see the module docstring); True when a target is missed or a count grows."""
    from incidents.detainers.models import Detainer

    rng = random.Random(287)  # noqa: S311 (invented bench data, not security)
    now = timezone.now()
    agencies, auditor = build_fixture()
    clients = {
        "supervisor": harness.signed_in_client(agencies[0]["supervisor"]),
        "auditor": harness.signed_in_client(auditor),
    }
    pages = ("incidents:custody_board", "incidents:detainer_list")

    started = time.perf_counter()
    add_detainers(agencies=agencies, count=args.small, open_count=args.open, now=now, rng=rng)
    harness.analyze()
    print(f"built {args.small:,} detainers ({args.open:,} open) in {time.perf_counter() - started:.1f} s")
    urls_of = {"incidents:custody_board": page_urls(agencies), "incidents:detainer_list": []}
    if not args.build_only:
        urls_of["incidents:detainer_list"] = log_urls(clients, agencies)
    page_of = {name: detainer_page(name, clients, urls) for name, urls in urls_of.items()}
    small = {}
    for name in () if args.build_only else pages:
        small[name] = harness.measure_small(page_of[name], size=args.small, repeat=args.repeat)

    started = time.perf_counter()
    grow_detainers(args.detainers, vacuum=args.vacuum)
    total = Detainer.objects.count()
    print(f"grew to {total:,} detainers in {time.perf_counter() - started:.1f} s")
    if args.build_only:
        database.keep_for_inspection()
        return False

    failed = False
    for name in pages:
        failed |= harness.measure_large(
            page_of[name], small[name], size=total, repeat=args.repeat, target_ms=PAGE_P95_TARGET_MS
        )

    print(f"\nDeadline sweep over {total:,} detainers ({Detainer.objects.open().count():,} open):")
    idle = time_sweep("nothing due", now)
    busy = time_sweep(f"{DUE_PASSED} passed + {DUE_WARNED} warned", now + timedelta(hours=8))
    worst = max(idle, busy)
    failed |= harness.report_target(f"< {SWEEP_TARGET_S:.0f} s", worst < SWEEP_TARGET_S)
    return failed


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, add_arguments, bench))
