"""REST API (/api/v1/) benchmark on PostgreSQL: reads, look-up, authorization, event feed, create vs the form (#15).

Run (PostgreSQL only; the script creates and drops its own ``test_<name>`` database)::

    DATABASE_URL=postgres://postgres@127.0.0.1:55450/postgres .venv/bin/python bench/api_bench.py
    # smoke run (about 2 minutes, most of it migrating): --small 500 --detainers 3000 --repeat 4

What it does:

1. Creates a fresh test database next to ``DATABASE_URL``'s and migrates it.
2. Builds one agency (America/Chicago) with an active JEM agreement, an administrator, a staff member, a
   supervisor and 20 designated officers; an integration (``integration_create``: its account and bearer token);
   ``--small`` detainers (``detainer_bench.add_detainers``: invented names, no history rows; ``--open`` of them
   pending, the rest closed), one feed event per ten detainers (``bulk_create``), the shipped MOA requirements
   applied to the agreement (``requirements_apply``) and checked (``requirements_check``); then ``ANALYZE``.
3. Measures every call below (a pass): one warm-up of each, one query count of each, then ``--repeat`` timed
   rounds over all of them in turn (so a busy moment hits every call alike), through Django's test client
   (server time: middleware, view, serializer or template; no network). p50/p95 in ms, and each as a ratio
   to the reference's p50/p95 of the same pass.
4. Grows the log to ``--detainers`` rows by copying the closed rows in SQL (``detainer_bench.grow_detainers``)
   and the feed to one event per ten detainers, ``ANALYZE``, and measures a second pass.

Calls (API calls as the integration: ``Authorization: Bearer <token>``, JSON bodies):

- ``GET /api/v1/detainers/<id>/``: one open detainer of the small build;
- ``POST /api/v1/detainers/lookup/``: one booking number of the small build (one match at both sizes);
- ``GET /api/v1/officers/<badge>/authorization/?at=<now>``;
- ``GET /api/v1/events/?limit=100``: the feed's first page, and the page after a cursor 50 events before its end;
- ``POST /api/v1/detainers/``: a new detainer, a fresh booking number, subject and ``Idempotency-Key`` each time;
- the same detainer through the staff form (``incidents:detainer_create``, signed in as staff with both factors;
  answered with a redirect);
- the MOA checklist page (``moa:checklist``) of the agreement, signed in as its administrator;
- the reference: the cheapest signed-in page (one's notifications, ``training:notification_list``, none for the
  staff member), as in ``load_bench.py``: layout, session, authentication, second factor, one small query.

The API's rate limit (``API_RATE_LIMIT``, 300 a minute by default) is raised for the run, in this process only:
the throttle still counts every call (locmem cache, as in the other benchmarks), it never answers 429.

Targets: the API create's p95 ≤ 1.5 × the form create's p95 (at both sizes); no call's query count grows from the
small to the large size. Exit status 1 when a target is missed or a count grows. Not a test: ``make test`` never
runs it.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import harness  # first: puts the project on sys.path and sets up Django
from detainer_bench import add_detainers, designated_officers, grow_detainers
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

#: API create p95 ≤ this × the form create p95.
CREATE_RATIO_TARGET = 1.5
#: One feed event per this many detainers.
DETAINERS_PER_EVENT = 10
ZONE = "America/Chicago"


@dataclass(frozen=True)
class Fixture:
    """What the benchmark built once: the agency, its agreement, the people, the officers and the API token."""

    agency: object
    agreement: object
    admin: object
    staff: object
    officers: list
    token: str


@dataclass(frozen=True)
class Call:
    """One call to measure: its name in the report, how to send it (a fresh request each time), its status."""

    key: str
    send: Callable[[], object]
    status: int


@dataclass(frozen=True)
class Pass:
    """One size measured: the size (detainers, events), query counts and timed samples (ms) by ``Call.key``."""

    detainers: int
    events: int
    counts: dict[str, int]
    samples: dict[str, list[float]]


def build_fixture() -> Fixture:
    """One agency with an agreement, an administrator, staff, a supervisor, 20 designated officers, an integration."""
    from compliance.core.models import Agency, Agreement, AgreementModel
    from compliance.core.roles import Role
    from compliance.integrations.services import integration_create
    from tests.base import make_user

    agency = Agency.objects.create(name="Bench County Sheriff's Office", state="TX", county="Bench", time_zone=ZONE)
    agreement = Agreement.objects.create(agency=agency, model=AgreementModel.JEM)
    admin = make_user("bench_admin", agency=agency, role=Role.ADMINISTRATOR)
    staff = make_user("bench_staff", agency=agency, role=Role.STAFF)
    supervisor = make_user("bench_supervisor", agency=agency, role=Role.SUPERVISOR)
    officers = designated_officers(agency=agency, agreement=agreement, supervisor=supervisor, badge_prefix="BN-")
    created = integration_create(agency=agency, actor=admin, name="Jail management system (invented)")
    return Fixture(agency, agreement, admin, staff, officers, created.token)


def add_events(fixture: Fixture, *, target: int, now) -> int:
    """Feed events (``finding.opened``, invented facts) of the agency until it has ``target``; how many it has."""
    from compliance.core.models import FeedEvent
    from incidents.detainers.models import Detainer

    have = FeedEvent.objects.filter(agency=fixture.agency).count()
    ids = list(Detainer.objects.filter(agency=fixture.agency).values_list("public_id", flat=True)[: target - have])
    events = [
        FeedEvent(
            agency=fixture.agency,
            kind=FeedEvent.Kind.FINDING_OPENED,
            occurred_at=now - timedelta(minutes=target - n),
            record_type="incidents.Detainer",
            record_id=ids[(n - have) % len(ids)],
            data={"rule": "R4.7", "severity": "high", "kind": "hold_exceeded"},
            dedup_key=f"bench:{n}",
        )
        for n in range(have, target)
    ]
    FeedEvent.objects.bulk_create(events, batch_size=5_000)
    return FeedEvent.objects.filter(agency=fixture.agency).count()


def apply_requirements(fixture: Fixture) -> int:
    """The shipped MOA requirements on the agreement, checked once (as the nightly job); how many it has."""
    from compliance.moa.services import requirements_apply
    from compliance.moa.status import requirements_check

    created = requirements_apply(agreement=fixture.agreement, actor=fixture.admin)
    requirements_check(agency=fixture.agency)
    return len(created)


def local_post(name: str, instant) -> dict[str, str]:
    """POST data of the form's agency-local date and time field ``name`` for ``instant`` (date, time, companion)."""
    local = instant.astimezone(ZoneInfo(ZONE))
    return {f"{name}_0": local.date().isoformat(), f"{name}_1": local.strftime("%H:%M"), f"{name}_which": ""}


def iso(instant) -> str:
    """``instant`` as ISO 8601 UTC with a ``Z``, whole seconds (what a JMS sends)."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_detainer_times(now) -> dict[str, object]:
    """The times of a detainer logged now: booked 8 h ago, issued and received 2 h ago, due for release in 6 h."""
    return {
        "booked_at": now - timedelta(hours=8),
        "issued_at": now - timedelta(hours=2, minutes=30),
        "received_at": now - timedelta(hours=2),
        "would_be_released_at": now + timedelta(hours=6),
    }


def api_body(number: int, now) -> dict:
    """A JMS's detainer body (as ``tests/api/helpers.detainer_body``) with a fresh booking number and subject."""
    times = new_detainer_times(now)
    return {
        "subject_last_name": f"Apiperson{number}",
        "subject_first_name": "Robin",
        "subject_date_of_birth": "1988-07-14",
        "booking_number": f"API-{number:07d}",
        "booked_at": iso(times["booked_at"]),
        "underlying_charge": "Theft (invented)",
        "form": "I-247A",
        "issued_at": iso(times["issued_at"]),
        "received_at": iso(times["received_at"]),
        "warrant_type": "I-205",
        "warrant_signed": True,
        "would_be_released_at": iso(times["would_be_released_at"]),
    }


def form_post(number: int, now) -> dict[str, str]:
    """The staff form's POST data (as ``tests/incidents`` ``detainer_post``) of the same detainer as ``api_body``."""
    data = {
        "subject_last_name": f"Formperson{number}",
        "subject_first_name": "Robin",
        "subject_date_of_birth": "1988-07-14",
        "booking_number": f"FORM-{number:07d}",
        "underlying_charge": "Theft (invented)",
        "form": "I-247A",
        "warrant_type": "I-205",
        "warrant_signed": "on",
        "handling_officer": "",
    }
    for name, instant in new_detainer_times(now).items():
        data.update(local_post(name, instant))
    return data


def feed_cursor(fixture: Fixture) -> str:
    """The feed's cursor 50 events before the agency's last one (the first event's when it has fewer)."""
    from compliance.api.feed import cursor_encode
    from compliance.core.models import FeedEvent

    ids = list(FeedEvent.objects.filter(agency=fixture.agency).order_by("-id").values_list("id", flat=True)[:51])
    return cursor_encode(agency_id=fixture.agency.pk, last_id=ids[-1] if ids else 0)


def build_calls(fixture: Fixture, *, detainer_id, booking_number: str, feed: dict[str, str]) -> list[Call]:
    """The calls of a pass (see the module docstring); the reference first.

    ``feed["after"]`` is the cursor of the second feed call, set before each pass (``feed_cursor``), never read
    from the database inside a timed call.
    """
    api = Client(HTTP_AUTHORIZATION=f"Bearer {fixture.token}")
    staff = harness.signed_in_client(fixture.staff)
    admin = harness.signed_in_client(fixture.admin)
    numbers = itertools.count(1)
    badge = fixture.officers[0].badge_number
    json = "application/json"

    def api_create():
        body = api_body(next(numbers), timezone.now())
        return api.post("/api/v1/detainers/", body, content_type=json, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))

    def form_create():
        return staff.post(reverse("incidents:detainer_create"), form_post(next(numbers), timezone.now()))

    reference = reverse("training:notification_list")
    checklist = reverse("moa:checklist", args=[fixture.agreement.public_id])
    return [
        Call("reference: notifications (signed in)", lambda: staff.get(reference), 200),
        Call("GET detainers/<id>/", lambda: api.get(f"/api/v1/detainers/{detainer_id}/"), 200),
        Call(
            "POST detainers/lookup/",
            lambda: api.post("/api/v1/detainers/lookup/", {"booking_number": booking_number}, content_type=json),
            200,
        ),
        Call(
            "GET officers/<badge>/authorization/",
            lambda: api.get(f"/api/v1/officers/{badge}/authorization/", {"at": iso(timezone.now())}),
            200,
        ),
        Call("GET events/?limit=100", lambda: api.get("/api/v1/events/", {"limit": "100"}), 200),
        Call(
            "GET events/?limit=100&after=<end-50>",
            lambda: api.get("/api/v1/events/", {"limit": "100", "after": feed["after"]}),
            200,
        ),
        Call("POST detainers/ (API create)", api_create, 201),
        Call("POST detainers/new/ (form create)", form_create, 302),
        Call("GET moa/<id>/ (MOA checklist)", lambda: admin.get(checklist), 200),
    ]


def send(call: Call) -> float:
    """Send ``call`` once; its server time in ms. Asserts its status."""
    started = time.perf_counter()
    response = call.send()
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == call.status, (call.key, response.status_code, response.content[:500])
    return elapsed


def measure(calls: list[Call], *, detainers: int, events: int, repeat: int) -> Pass:
    """A pass: one warm-up of each call, one query count of each, then ``repeat`` timed rounds over all of them."""
    for call in calls:  # warm-up: plans, template cache, connection, the integration's last-used stamp
        send(call)
    counts = {}
    for call in calls:
        with CaptureQueriesContext(connection) as captured:
            send(call)
        counts[call.key] = len(captured)
    samples: dict[str, list[float]] = {call.key: [] for call in calls}
    for _ in range(repeat):
        for call in calls:
            samples[call.key].append(send(call))
    return Pass(detainers=detainers, events=events, counts=counts, samples=samples)


def report_pass(result: Pass, reference_key: str) -> dict[str, tuple[float, float]]:
    """Print a pass's table (queries, p50/p95 ms, ratios to the reference); its (p50, p95) by key."""
    figures = {key: (harness.percentile(s, 50), harness.percentile(s, 95)) for key, s in result.samples.items()}
    ref50, ref95 = figures[reference_key]
    repeat = len(result.samples[reference_key])
    print(
        f"\n{result.detainers:,} detainers, {result.events:,} feed events ({repeat} timed requests per call; "
        "ratios: p50 / reference p50, p95 / reference p95):"
    )
    print(f"  {'call':40} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'×ref p50':>9} {'×ref p95':>9}")
    for key, (p50, p95) in figures.items():
        print(
            f"  {key:40} {result.counts[key]:7d} {p50:8.1f} {p95:8.1f} {p50 / ref50:9.2f} {p95 / ref95:9.2f}",
            flush=True,
        )
    return figures


def report_counts(small: Pass, large: Pass) -> bool:
    """Print every call's query count at both sizes (``<-- GROWS`` where it grew); True when one grew."""
    print(f"\nQuery count ({small.detainers:,} → {large.detainers:,} detainers):")
    grew = False
    for key, before in small.counts.items():
        after = large.counts[key]
        flag = "" if before == after else ("   <-- GROWS" if after > before else "   (fewer)")
        grew |= after > before
        print(f"  {key:40} {before:3d} → {after:3d}{flag}")
    return grew


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sizes and --repeat; harness.run adds --keepdb, --build-only and --reuse (refused here: it rebuilds)."""
    parser.add_argument("--detainers", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=2_000, help="detainers at the first pass")
    parser.add_argument("--open", type=int, default=300, help="open (pending) detainers, all in the small build")
    parser.add_argument("--repeat", type=int, default=40, help="timed requests of each call per pass")


def bench(args: argparse.Namespace, database: harness.BenchDatabase) -> bool:
    """Build, count, time and report (see the module docstring); True when a target is missed or a count grows."""
    from incidents.detainers.models import Detainer

    if database.reuse:
        print("--reuse is not supported: this benchmark builds its own data (use --keepdb to keep it)", file=sys.stderr)
        return True
    settings.API_RATE_LIMIT = "1000000/min"  # this process only: the throttle counts, never refuses
    rng = random.Random(287)  # noqa: S311 (invented bench data, not security)
    now = timezone.now()

    started = time.perf_counter()
    fixture = build_fixture()
    slot = {"agency": fixture.agency, "agreement": fixture.agreement, "officers": fixture.officers}
    add_detainers(agencies=[slot], count=args.small, open_count=args.open, now=now, rng=rng)
    events = add_events(fixture, target=args.small // DETAINERS_PER_EVENT, now=now)
    requirements = apply_requirements(fixture)
    harness.analyze()
    print(
        f"built {args.small:,} detainers ({args.open:,} open), {events:,} feed events, {requirements} MOA "
        f"requirements in {time.perf_counter() - started:.1f} s"
    )
    first = Detainer.objects.filter(agency=fixture.agency, booking_number="BK-0000000").get()
    closed = Detainer.objects.filter(agency=fixture.agency).exclude(outcome=Detainer.Outcome.PENDING).first()
    feed = {"after": feed_cursor(fixture)}
    calls = build_calls(fixture, detainer_id=first.public_id, booking_number=closed.booking_number, feed=feed)
    reference = calls[0].key
    if args.build_only:
        grow_detainers(args.detainers)
        add_events(fixture, target=args.detainers // DETAINERS_PER_EVENT, now=now)
        database.keep_for_inspection()
        return False

    small = measure(calls, detainers=Detainer.objects.count(), events=events, repeat=args.repeat)
    small_figures = report_pass(small, reference)

    started = time.perf_counter()
    grow_detainers(args.detainers)
    events = add_events(fixture, target=args.detainers // DETAINERS_PER_EVENT, now=now)
    harness.analyze()
    total = Detainer.objects.count()
    print(f"grew to {total:,} detainers, {events:,} feed events in {time.perf_counter() - started:.1f} s")

    feed["after"] = feed_cursor(fixture)
    large = measure(calls, detainers=total, events=events, repeat=args.repeat)
    large_figures = report_pass(large, reference)
    grew = report_counts(small, large)
    failed = grew

    api_key, form_key = "POST detainers/ (API create)", "POST detainers/new/ (form create)"
    print("\nAPI create vs form create:")
    for label, figures in ((f"{small.detainers:,}", small_figures), (f"{large.detainers:,}", large_figures)):
        (api50, api95), (form50, form95) = figures[api_key], figures[form_key]
        print(
            f"  {label} detainers: API p50 {api50:.1f} ms, p95 {api95:.1f} ms; form p50 {form50:.1f} ms, "
            f"p95 {form95:.1f} ms; ratio p50 {api50 / form50:.2f}, p95 {api95 / form95:.2f}"
        )
        failed |= harness.report_target(
            f"API create p95 ≤ {CREATE_RATIO_TARGET} × form create p95 at {label} detainers",
            api95 <= CREATE_RATIO_TARGET * form95,
        )
    harness.report_target("no query count grows", not grew)
    return failed


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, add_arguments, bench))
