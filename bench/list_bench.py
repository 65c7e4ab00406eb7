"""Long lists benchmark on PostgreSQL (issue 13 item 8): access log, findings, incidents, outreach events, commitments.

Run (PostgreSQL only; the script creates and drops its own ``test_<name>`` database)::

    DATABASE_URL=postgres://postgres@127.0.0.1:55607/postgres .venv/bin/python bench/list_bench.py

What it does:

1. Creates a fresh test database next to ``DATABASE_URL``'s and migrates it.
2. Builds three agencies (``incident_bench.build_fixture``: a supervisor each, an auditor of all
   three) and the small lists (``--small-*``), invented data with ``bulk_create``, spread over the
   agencies half, 30 % and 20 %: access-log rows over the last 25 days, on whole minutes (so many
   rows share an instant: the tie-breaker is exercised), a mix of actions; findings opened on whole
   hours over three years, 5 % open or acknowledged (the default filter), the rest resolved or false
   positives; cases (``incident_bench.add_incidents``: kinds, sources, stages, related rows);
   outreach events over ten years with two organisations taking part in each and one commitment in
   two; commitments (open, done, dropped) due over the same years. Records the query count of every
   URL below, and times them.
3. Grows the lists in SQL (``INSERT ... SELECT`` copies of the rows with a new ``public_id`` and
   shifted dates) to ``--access-log`` (1,000,000), ``--findings`` (200,000), ``--incidents``
   (200,000), ``--events`` (20,000: some 7,000 in the largest agency, far more than any agency
   holds) and ``--commitments`` (20,000) rows, then ``VACUUM ANALYZE`` (what autovacuum does on an
   insert-only table). Counts the queries again (they must be equal), then times every URL
   ``--repeat`` times through Django's test client (server time: middleware, view, template; no
   network) after one warm-up pass. Reports p50/p95 in ms.

URLs of each list, as the supervisor of the largest agency and as the auditor of all three: the first
page, a middle page (a "next" cursor at the middle row of the list, built in the script) and the LAST
page (``keyset.LAST``: the list read backwards); plus a filtered first, middle and last page (access log: one
action; findings: any status; incidents: open cases; commitments: all). The access log's URLs end two days
ago (``end=``), so the rows the page writes about its own reads stay out of the pages measured.

Query counts: a page writes one access-log row per agency whose rows it shows (SECURITY.md D1, D3: the
access log and the incident queue), so the auditor's count can differ by one or two between two sizes when
a page happens to hold fewer agencies' rows (e.g. the last page of open cases, all of one agency's backlog):
that is the data, not growth.

Target: each list's p95 < 200 ms, the last page included; query counts equal at both sizes. Exit
status 1 when a target is missed or a query count grows. ``--build-only`` builds the data and keeps the
database for ``EXPLAIN``, measuring nothing. Not a test: ``make test`` never runs it.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import harness  # first: puts the project on sys.path and sets up Django
import incident_bench
from django.db import connection
from django.urls import reverse
from django.utils import timezone

PAGE_P95_TARGET_MS = 200.0
OPEN_STAGES = ["received", "under_investigation", "supervisor_review"]
AGENCY_SHARES = (0.5, 0.3, 0.2)
BATCH = 10_000


def share(n: int, rng: random.Random) -> int:
    """The index of the agency row ``n`` belongs to (by ``AGENCY_SHARES``)."""
    roll = rng.random()
    return 0 if roll < AGENCY_SHARES[0] else 1 if roll < AGENCY_SHARES[0] + AGENCY_SHARES[1] else 2


def add_access_log(agencies, count: int, now, rng: random.Random) -> None:
    """``count`` access-log rows over the last 25 days, on whole minutes (ties), by the agencies' supervisors."""
    from django.contrib.contenttypes.models import ContentType

    from compliance.core.models import AccessLog
    from incidents.incident_log.models import Incident

    incident_type = ContentType.objects.get_for_model(Incident)
    actions = [AccessLog.Action.VIEW] * 6 + [AccessLog.Action.LIST] * 3 + [AccessLog.Action.SIGN_IN]
    rows = []
    for n in range(count):
        agency = agencies[share(n, rng)]
        action = rng.choice(actions)
        rows.append(
            AccessLog(
                user=agency["supervisor"],
                agency=agency["agency"],
                action=action,
                content_type=incident_type if action == AccessLog.Action.VIEW else None,
                object_id=rng.randint(1, 100_000) if action == AccessLog.Action.VIEW else None,
                path="/incidents/",
                view_name="incidents:incident_list",
                ip_address="192.0.2.10",
            )
        )
    AccessLog.objects.bulk_create(rows, batch_size=BATCH)
    minute = int(now.timestamp()) // 60 * 60
    with connection.cursor() as cursor:  # ``at`` is auto_now_add: set it after the insert
        cursor.execute(
            "UPDATE compliance_accesslog SET at = to_timestamp(%s) - (((id * 7919) %% 36000) * interval '1 minute')",
            [minute],
        )


def add_findings(agencies, count: int, now, rng: random.Random) -> None:
    """``count`` findings on whole hours over three years; 5 % open or acknowledged."""
    from django.contrib.contenttypes.models import ContentType

    from compliance.core.models import Finding, Severity
    from incidents.incident_log.models import Incident

    incident_type = ContentType.objects.get_for_model(Incident)
    hour = now.replace(minute=0, second=0, microsecond=0)
    rows = []
    for n in range(count):
        agency = agencies[share(n, rng)]
        roll = rng.random()
        status = (
            Finding.Status.OPEN
            if roll < 0.03
            else Finding.Status.ACKNOWLEDGED
            if roll < 0.05
            else Finding.Status.FALSE_POSITIVE
            if roll < 0.15
            else Finding.Status.RESOLVED
        )
        opened = hour - timedelta(hours=rng.randint(0, 3 * 365 * 24))
        rows.append(
            Finding(
                agency=agency["agency"],
                kind=rng.choice(Finding.Kind.values),
                severity=rng.choice(Severity.values),
                status=status,
                rule="R4.7 I-247A guidance (bench)",
                summary="Invented finding for the benchmark.",
                content_type=incident_type,
                object_id=n + 1,
                opened_at=opened,
                resolved_at=None if status in ("open", "acknowledged") else opened + timedelta(days=3),
                resolved_by=None if status in ("open", "acknowledged") else agency["supervisor"],
            )
        )
    Finding.objects.bulk_create(rows, batch_size=BATCH)


def add_outreach(agencies, events: int, commitments: int, now, rng: random.Random) -> None:
    """``events`` outreach events over ten years (two organisations each), ``commitments`` commitments."""
    from community.commitments.models import Commitment
    from community.organisations.models import Organisation
    from community.outreach.models import EventParticipant, OutreachEvent

    organisations = {
        index: Organisation.objects.bulk_create(
            Organisation(agency=agency["agency"], name=f"Bench organisation {index}-{k}", kind="other")
            for k in range(20)
        )
        for index, agency in enumerate(agencies)
    }
    today = now.date()
    made = []
    for n in range(events):
        index = share(n, rng)
        made.append(
            (
                index,
                OutreachEvent(
                    agency=agencies[index]["agency"],
                    kind=rng.choice(OutreachEvent.Kind.values),
                    title=f"Bench event {n}",
                    held_on=today - timedelta(days=rng.randint(0, 3650)),
                ),
            )
        )
    OutreachEvent.objects.bulk_create([event for _, event in made], batch_size=BATCH)
    participants = []
    for index, event in made:
        for organisation in rng.sample(organisations[index], 2):
            participants.append(
                EventParticipant(
                    event=event, organisation=organisation, added_at=now, added_by=agencies[index]["supervisor"]
                )
            )
    EventParticipant.objects.bulk_create(participants, batch_size=BATCH)
    rows = []
    for n in range(commitments):
        index, event = made[rng.randrange(len(made))] if n % 2 == 0 else (share(n, rng), None)
        roll = rng.random()
        status = "open" if roll < 0.4 else "done" if roll < 0.9 else "dropped"
        rows.append(
            Commitment(
                agency=agencies[index]["agency"],
                event=event,
                description=f"Bench commitment {n}",
                owner=agencies[index]["supervisor"],
                due_on=today + timedelta(days=rng.randint(-3000, 365)),
                status=status,
                completed_on=today if status == "done" else None,
                evidence="Done (bench)." if status == "done" else "",
                drop_reason="Dropped (bench)." if status == "dropped" else "",
                closed_at=None if status == "open" else now - timedelta(hours=rng.randint(0, 3 * 365 * 24)),
                closed_by=None if status == "open" else agencies[index]["supervisor"],
            )
        )
    Commitment.objects.bulk_create(rows, batch_size=BATCH)


def grow(model, target: int, *, shift: dict[str, str], unique: dict[str, str] | None = None) -> int:
    """Copy ``model``'s rows in SQL until its table holds ``target`` rows; its row count after.

    ``shift``: column → interval per copy (``"1 minute"``), subtracted ``g`` times in copy ``g``;
    ``unique``: column → SQL expression of the copy's value (``g`` the copy, ``d`` the row copied).
    ``public_id`` is always new (``gen_random_uuid()``).
    """
    table = model._meta.db_table
    unique = {"public_id": "gen_random_uuid()", **(unique or {})}
    columns, values = [], []
    for model_field in model._meta.concrete_fields:
        column = model_field.column
        if column == "id":
            continue
        columns.append(f'"{column}"')
        if column in unique:
            values.append(unique[column])
        elif column in shift:
            values.append(f"d.\"{column}\" - g * interval '{shift[column]}'")
        else:
            values.append(f'd."{column}"')
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), max(id) FROM {table}")  # noqa: S608 (names from the model)
        current, original_max = cursor.fetchone()
        base = current
        copy = 1
        while current < target:
            copies = max(1, min(50, (target - current) // base))
            limit = min(target - current, copies * base)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 (names from the model)
                f"SELECT {', '.join(values)} FROM {table} d CROSS JOIN generate_series(%s, %s) g "
                f"WHERE d.id <= %s LIMIT %s",
                [copy, copy + copies - 1, original_max, limit],
            )
            current += cursor.rowcount
            copy += copies
        cursor.execute(f"VACUUM ANALYZE {table}")  # noqa: S608
    return current


@dataclass(frozen=True)
class ListSpec:
    """One list page: its URL name, its keyset order and cursor salt, and its URLs as (who, query, rows) triples,
    ``rows(who)`` the queryset of the list for that user and query (to find the middle row; untimed)."""

    name: str
    title: str
    unit: str
    keys: tuple
    salt: str
    urls: list[tuple[str, dict[str, str], Callable]]


def middle_cursor(spec: ListSpec, rows) -> str:
    """A "next" cursor at the middle row of ``rows`` in the list's order (read with OFFSET, once, untimed)."""
    from compliance.core import keyset

    ordered = rows.order_by(*(key.order() for key in spec.keys))
    total = ordered.count()
    row = ordered[total // 2]
    return keyset.cursor_encode(keyset.Cursor(keyset.NEXT, keyset.position_of(row, 0, spec.keys)), salt=spec.salt)


def requests_of(spec: ListSpec, clients) -> list[harness.Request]:
    """Each URL of ``spec`` as first, middle and last page (the cursors built now, for the data as it is)."""
    from compliance.core import keyset

    last = {}
    requests = []
    for who, params, rows in spec.urls:
        label = "&".join(f"{key}={value[:8]}" for key, value in params.items()) or "(default)"
        if spec.salt not in last:
            last[spec.salt] = keyset.cursor_encode(keyset.Cursor(keyset.LAST), salt=spec.salt)
        requests += [
            harness.Request(f"{who} {label} first", clients[who], params),
            harness.Request(f"{who} {label} middle", clients[who], {**params, "cursor": middle_cursor(spec, rows())}),
            harness.Request(f"{who} {label} LAST", clients[who], {**params, "cursor": last[spec.salt]}),
        ]
    return requests


def list_specs(agencies, auditor) -> list[ListSpec]:
    """The five lists, their URLs and the querysets the middle rows are read from."""
    from community.commitments import selectors as commitment_selectors
    from community.commitments.models import Commitment
    from community.outreach import selectors as outreach_selectors
    from community.outreach.models import OutreachEvent
    from compliance.core.models import AccessLog, Finding
    from compliance.views import access_log, findings
    from incidents.incident_log import selectors as incident_selectors
    from incidents.incident_log.models import Incident

    own = [agencies[0]["agency"]]
    every = [agency["agency"] for agency in agencies]
    scope = {"supervisor": own, "auditor": every}
    active = ["open", "acknowledged"]
    first_agency = {"agency": str(agencies[0]["agency"].public_id)}
    # The access log up to two days ago: the rows the page writes about its own reads (SECURITY.md D1) stay out of
    # the pages measured, so both sizes show the same mix of rows (and the same queries for their record types).
    until = (timezone.now() - timedelta(days=2)).date().isoformat()
    before = timezone.now() - timedelta(days=3)

    def of(model, who, **lookups):
        return lambda: model.objects.filter(agency__in=scope[who], **lookups)

    return [
        ListSpec(
            "access_log",
            "Access log",
            "access-log rows",
            access_log.ORDER,
            access_log.CURSOR_SALT,
            [
                (who, {"end": until, **params}, of(AccessLog, who, at__lt=before, **lookups))
                for who in ("supervisor", "auditor")
                for params, lookups in (({}, {}), ({"action": "list"}, {"action": "list"}))
            ],
        ),
        ListSpec(
            "findings:list",
            "Findings",
            "findings",
            findings.ORDER,
            findings.CURSOR_SALT,
            [
                (who, params, of(Finding, who, **lookups))
                for who in ("supervisor", "auditor")
                for params, lookups in (({}, {"status__in": active}), ({"status": ""}, {}))
            ],
        ),
        ListSpec(
            "incidents:incident_list",
            "Incident queue",
            "cases",
            incident_selectors.QUEUE_ORDER,
            incident_selectors.QUEUE_CURSOR_SALT,
            [
                (who, params, of(Incident, who, **lookups))
                for who in ("supervisor", "auditor")
                for params, lookups in (({}, {}), ({"status": "open"}, {"status__in": OPEN_STAGES}))
            ],
        ),
        ListSpec(
            "community:outreach_list",
            "Outreach events",
            "events",
            outreach_selectors.EVENT_ORDER,
            outreach_selectors.EVENT_CURSOR_SALT,
            [(who, {}, of(OutreachEvent, who)) for who in ("supervisor", "auditor")],
        ),
        ListSpec(
            "community:commitment_list",
            "Commitments",
            "commitments",
            commitment_selectors.commitment_order("open"),
            commitment_selectors.COMMITMENT_CURSOR_SALT,
            [
                (who, {**first_agency, "show": show}, of(Commitment, "supervisor", **lookups))
                for who in ("supervisor", "auditor")
                for show, lookups in (("open", {"status": "open"}), ("all", {}))
            ],
        ),
    ]


def sql_times(page: harness.Page, repeat: int) -> dict[str, float]:
    """p95 over ``repeat`` passes of the summed SQL time (ms, as the database driver saw it) of each URL of ``page``.

    The figure that does not depend on how busy the machine's CPUs are with other work: the page's queries
    only (index scans that stop after a page), not the template and middleware around them.
    """
    from django.test.utils import CaptureQueriesContext

    per_key: dict[str, list[float]] = {}
    for _ in range(max(2, repeat)):
        for request in page.requests:
            with CaptureQueriesContext(connection) as captured:
                request.client.get(page.url, request.params)
            total = sum(float(query["time"]) for query in captured.captured_queries) * 1000
            per_key.setdefault(request.key, []).append(total)
    return {key: harness.percentile(values, 95) for key, values in per_key.items()}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sizes and --repeat; harness.run adds --keepdb and --build-only."""
    parser.add_argument("--access-log", type=int, default=1_000_000)
    parser.add_argument("--findings", type=int, default=200_000)
    parser.add_argument("--incidents", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--commitments", type=int, default=20_000)
    parser.add_argument(
        "--small", type=int, default=2_000, help="rows of each list at the first size (the sizes: multiples of it)"
    )
    parser.add_argument("--repeat", type=int, default=8, help="timed passes over each page's URLs")


def bench(args: argparse.Namespace, database: harness.BenchDatabase) -> bool:
    """Build, count, time and report (see the module docstring); True when a target is missed or a count grows."""
    from community.commitments.models import Commitment
    from community.outreach.models import OutreachEvent
    from compliance.core.models import AccessLog, Finding
    from incidents.incident_log.models import Incident

    rng = random.Random(287)  # noqa: S311 (invented bench data, not security)
    now = timezone.now()
    agencies, auditor = incident_bench.build_fixture()
    clients = {
        "supervisor": harness.signed_in_client(agencies[0]["supervisor"]),
        "auditor": harness.signed_in_client(auditor),
    }
    started = time.perf_counter()
    add_access_log(agencies, args.small, now, rng)
    add_findings(agencies, args.small, now, rng)
    incident_bench.add_incidents(agencies=agencies, count=args.small, start=0, now=now, rng=rng)
    add_outreach(agencies, args.small, args.small, now, rng)
    harness.analyze()
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"built {args.small:,} rows of each list in {time.perf_counter() - started:.1f} s")

    specs = list_specs(agencies, auditor)
    small = {}
    if not args.build_only:
        for spec in specs:
            page = harness.Page(spec.title, reverse(spec.name), requests_of(spec, clients), spec.unit, 44, "p95")
            small[spec.name] = harness.measure_small(page, size=args.small, repeat=args.repeat)

    started = time.perf_counter()
    sizes = {
        "access_log": grow(AccessLog, args.access_log, shift={"at": "1 minute"}),
        "findings:list": grow(
            Finding,
            args.findings,
            shift={"opened_at": "1 day", "resolved_at": "1 day", "created_at": "1 day", "updated_at": "1 day"},
            unique={"object_id": "d.object_id + g * 10000000"},
        ),
        "incidents:incident_list": grow(
            Incident,
            args.incidents,
            shift={"received_at": "1 day", "occurred_at": "1 day", "created_at": "1 day", "updated_at": "1 day"},
            unique={"tracking_number": "NULL"},
        ),
        "community:outreach_list": grow(OutreachEvent, args.events, shift={"held_on": "1 day"}),
        "community:commitment_list": grow(Commitment, args.commitments, shift={"due_on": "1 day"}),
    }
    print(f"grew the lists in {time.perf_counter() - started:.1f} s: " + ", ".join(f"{v:,}" for v in sizes.values()))
    if args.build_only:
        database.keep_for_inspection()
        return False

    failed = False
    for spec in specs:
        page = harness.Page(spec.title, reverse(spec.name), requests_of(spec, clients), spec.unit, 44, "p95")
        failed |= harness.measure_large(
            page, small[spec.name], size=sizes[spec.name], repeat=args.repeat, target_ms=PAGE_P95_TARGET_MS
        )
        sql = sql_times(page, args.repeat)
        worst = max(sql, key=sql.get)
        print(f"  SQL time of a page (sum of its queries), p95: worst {sql[worst]:.1f} ms ({worst})")
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return failed


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, add_arguments, bench))
