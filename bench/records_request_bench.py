"""Records-request benchmark on PostgreSQL (issue #14 item 6): queries and time of one subject's report, one run.

Run (PostgreSQL only; the script creates and drops its own ``test_<name>`` database)::

    DATABASE_URL=postgres://postgres@127.0.0.1:55623/postgres .venv/bin/python bench/records_request_bench.py
    # other sizes: --detainers 1,4 --history 10,100 --views 50,500 --repeat 3

What it does, for each subject size (``--detainers``: how many detainers the subject has in the agency) and each
depth (``--history`` edits and ``--views`` access-log rows per detainer, the two lists zipped):

1. Builds the subject's detainers in one agency (one A-number), each edited ``history`` times (a history row each)
   and viewed ``views`` times (access-log rows naming it), with a linked incident, a case event and a finding.
2. **Queries** of reading everything held (``records_request.subject_files``): the count at each depth must be the
   same for the same number of detainers (it grows with the records of the subject, never with the length of their
   history or of their access log).
3. **Time** of the whole report rendered in-process (``rendering.report_render``: reading, the part, the JSON, the
   assembly with its footer), median of ``--repeat``, against the reference measured in the same run:
   ``../shared/tools/weasy_anchor.py`` (WeasyPrint alone, a plain table) with as many rows as the report prints
   table rows (fields, history entries, checks, timeline and access-log rows). DESIGN.md's budget for reports of
   many rows is ≤ 0.7 × the anchor; a records request is one part (a subject's file is small), so it is reported,
   not enforced.

Exit status 1 when the query count grows with the depth. Not a test: ``make test`` never runs it.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import harness  # first: puts the project on sys.path and sets up Django
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from time_machine import travel

from compliance.core.models import AccessLog, Agency, Finding, Report
from compliance.core.roles import Role
from compliance.reports.engine import report_run
from compliance.reports.records_request import request_parameters, subject_files
from compliance.reports.rendering import report_render
from incidents.models import CaseEvent, Detainer, Incident
from tests.base import make_user

AS_OF = date(2026, 3, 31)
CHECKED_AT = datetime(2026, 4, 1, 5, tzinfo=UTC)
RECEIVED = datetime(2026, 1, 5, 15, tzinfo=UTC)
ANCHOR = harness.ROOT.parent / "shared" / "tools" / "weasy_anchor.py"


def add_arguments(parser):
    parser.add_argument("--detainers", default="1,4", help="detainers of the subject (comma-separated sizes)")
    parser.add_argument("--history", default="10,100", help="edits per detainer at each depth")
    parser.add_argument("--views", default="50,500", help="access-log rows per detainer at each depth")
    parser.add_argument("--repeat", type=int, default=3)


def build_subject(agency, user, *, detainers: int, history: int, views: int, tag: str) -> list[Detainer]:
    """The subject's ``detainers`` in ``agency``, each edited ``history`` times and viewed ``views`` times."""
    built = []
    detainer_type = ContentType.objects.get_for_model(Detainer)
    for n in range(detainers):
        detainer = Detainer.objects.create(
            agency=agency,
            subject_last_name="Benchperson",
            subject_first_name="Kim",
            a_number=f"A{abs(hash(tag)) % 10**8:09d}",
            booking_number=f"BK-{tag}-{n}",
            underlying_charge="Burglary (invented)",
            received_at=RECEIVED + timedelta(days=n),
        )
        for edit in range(history):  # each edit a minute apart, before the report's instant
            with travel(RECEIVED + timedelta(days=1, minutes=edit), tick=False):
                detainer.underlying_charge = f"Burglary (invented, amended {edit})"
                detainer.save()
        AccessLog.objects.bulk_create(
            AccessLog(
                agency=agency,
                user=user,
                action=AccessLog.Action.VIEW,
                path="/detainers/x/",
                view_name="incidents:detainer_detail",
                content_type=detainer_type,
                object_id=detainer.pk,
            )
            for _ in range(views)
        )
        incident = Incident.objects.create(
            agency=agency,
            kind=Incident.Kind.OTHER,
            severity=Incident.Severity.LOW,
            title=f"Invented incident {tag}-{n}",
            occurred_at=RECEIVED,
            received_at=RECEIVED,
            detainer=detainer,
        )
        CaseEvent.objects.create(incident=incident, at=RECEIVED, kind=CaseEvent.Kind.NOTE, text="Invented note")
        Finding.objects.create(
            agency=agency,
            kind=Finding.Kind.OTHER,
            severity=Finding.Severity.LOW,
            rule="Invented rule",
            summary="Invented finding.",
            content_type=detainer_type,
            object_id=detainer.pk,
            opened_at=RECEIVED,
        )
        built.append(detainer)
    # Stamp the access rows inside the period (auto_now_add wrote "now").
    AccessLog.objects.filter(agency=agency, at__gte=CHECKED_AT).update(at=RECEIVED + timedelta(days=30))
    return built


def report_of(agency, user, kind, parameters) -> Report:
    return Report.objects.create(
        agency=agency,
        kind=kind,
        as_of=AS_OF,
        basis=Report.Basis.RECORDED,
        checked_at=CHECKED_AT,
        requested_by=user,
        parameters=parameters,
    )


def render_seconds(report: Report, repeat: int) -> tuple[float, int]:
    """Median seconds of rendering ``report`` from scratch ``repeat`` times, and its page count."""
    spans, pages = [], 0
    for _ in range(repeat):
        Report.objects.filter(pk=report.pk).update(status=Report.Status.QUEUED, attempts=0, plan=[], file="")
        began = time.perf_counter()
        done = report_render(report_id=report.pk)
        spans.append(time.perf_counter() - began)
        if done.status != Report.Status.READY:
            raise SystemExit(f"report failed: {done.error}")
        pages = done.page_count
    return statistics.median(spans), pages


def anchor(rows: int) -> float:
    """Seconds WeasyPrint alone takes for ``rows`` plain table rows (the shared anchor script)."""
    with tempfile.TemporaryDirectory() as folder:
        output = subprocess.run(  # noqa: S603 (our interpreter, the shared anchor script)
            [sys.executable, str(ANCHOR), str(rows), str(Path(folder) / "anchor.pdf")],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return float(dict(re.findall(r"(\w+)=([\d.]+)", output))["seconds"])


def printed_rows(files) -> int:
    """The table rows the records request prints for ``files`` (``subject_files``)."""
    rows = 0
    for file in files:
        items = [file.detainer, *file.actions, *file.findings, *file.alerts, *file.incidents]
        rows += sum(len(item.fields) + len(item.history) + len(item.events) for item in items)
        rows += len(file.checks) + len(file.access_log)
    return rows


def bench(args, database) -> bool:
    agency = Agency.objects.create(name="Bench County Sheriff's Office", state="TX", time_zone="America/Chicago")
    user = make_user("bench_auditor", agency=agency, role=Role.AUDITOR)
    sizes = [int(size) for size in args.detainers.split(",")]
    depths = list(zip((int(h) for h in args.history.split(",")), (int(v) for v in args.views.split(",")), strict=True))
    failed = False
    for size in sizes:
        counts = []
        for history, views in depths:
            tag = f"{size}-{history}-{views}"
            detainers = build_subject(agency, user, detainers=size, history=history, views=views, tag=tag)
            harness.analyze()
            records = report_of(
                agency,
                user,
                Report.Kind.RECORDS_REQUEST,
                request_parameters(detainers=detainers, number_was_a_number=True),
            )
            run = report_run(Report.objects.select_related("agency", "requested_by").get(pk=records.pk))
            subject_files(run)  # warm: content types cached, as in any running process
            with CaptureQueriesContext(connection) as queries:
                files = subject_files(run)
            counts.append(len(queries.captured_queries))
            rows = printed_rows(files)
            records_seconds, records_pages = render_seconds(records, args.repeat)
            reference = statistics.median(anchor(rows) for _ in range(args.repeat))
            print(
                f"subject of {size} detainer(s), {history} edits and {views} views each: read everything "
                f"{counts[-1]} queries; records request {records_seconds:.2f} s ({records_pages} pages, {rows} rows)"
                f" vs WeasyPrint alone on {rows} rows {reference:.2f} s: ratio {records_seconds / reference:.2f}"
            )
        if len(set(counts)) != 1:
            print(f"  FAIL: the queries grew with the history and access log: {counts}")
            failed = True
        else:
            print(f"  queries the same at every depth ({counts[0]} for {size} detainer(s))")
    return failed


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, add_arguments, bench))
