"""Access-log extract benchmark on PostgreSQL (issue #13 item 2): the plan at 100,000 rows, one part, a whole report.

Run (PostgreSQL only; the script creates and drops its own ``test_<name>`` database)::

    DATABASE_URL=postgres://postgres@127.0.0.1:55603/postgres .venv/bin/python bench/access_log_extract_bench.py
    # smaller: --rows 20000 --whole 4000

What it does:

1. Builds one agency and ``--rows`` access-log rows in its period (``bulk_create``; dates spread over the
   90 days, addresses of every class), plus as many rows of a second agency; ``VACUUM ANALYZE``.
2. **Plan** (``compliance.reports.engine.report_parts``: the first id of every ``CHUNK``-th row by a window
   function, and the last id): ``--repeat`` times, against two references measured in the same run: counting
   the same rows (``COUNT(*)``, the least any plan must read), and reading every id into Python (the naive plan).
3. **One part** of ``CHUNK`` rows (its context, the template, WeasyPrint), against WeasyPrint alone rendering a
   plain table of the same number of rows and columns (the reference of ``../shared/tools/weasy_anchor.py``),
   and its queries (two: the rows, the record types' public ids).
4. **A whole report** of ``--whole`` rows rendered in-process (``rendering.report_render``: every part, then
   the assembly with continuous page numbers), seconds and pages.

Prints each timing and the ratios. Exit status 1 when the plan takes longer than reading every id, or a part
more than 2× WeasyPrint alone. Not a test: ``make test`` never runs it.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta

import harness  # first: puts the project on sys.path and sets up Django
from django.db import connection
from django.template.loader import render_to_string
from weasyprint import HTML

from compliance.core.models import AccessLog, Agency, Report
from compliance.core.roles import Role
from compliance.reports import access_log
from compliance.reports.engine import report_parts, report_run
from compliance.reports.pdf import pdf_render
from compliance.reports.periods import cover_context
from compliance.reports.rendering import report_render
from tests.base import make_user

AS_OF = date(2026, 3, 31)
ADDRESSES = ["10.1.2.3", "192.168.0.7", "127.0.0.1", "8.8.8.8", None, "172.16.4.4", "9.9.9.9"]


def add_arguments(parser):
    parser.add_argument("--rows", type=int, default=100_000, help="access-log rows of the agency in the period")
    parser.add_argument("--whole", type=int, default=10_000, help="rows of the whole report rendered")
    parser.add_argument("--repeat", type=int, default=5)


def build(agency, user, rows: int) -> None:
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    batch = []
    for n in range(rows):
        batch.append(
            AccessLog(
                agency=agency,
                user=user,
                action=AccessLog.Action.VIEW if n % 10 else AccessLog.Action.LIST,
                path="/detainers/",
                view_name="incidents:detainer_list",
                ip_address=ADDRESSES[n % len(ADDRESSES)],
                object_count=1 + n % 50,
            )
        )
        if len(batch) == 10_000:
            AccessLog.objects.bulk_create(batch)
            batch = []
    if batch:
        AccessLog.objects.bulk_create(batch)
    # Written in id order over the 89 days (auto_now_add stamped them all now).
    step = timedelta(days=89).total_seconds() / max(rows, 1)
    with connection.cursor() as cursor:
        first = AccessLog.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True).first()
        cursor.execute(
            "UPDATE compliance_accesslog SET at = %s + (id - %s) * make_interval(secs => %s) WHERE agency_id = %s",
            [start, first, step, agency.pk],
        )


def timed(job, repeat: int) -> float:
    """Median milliseconds of ``job()`` over ``repeat`` runs."""
    spans = []
    for _ in range(repeat):
        began = time.perf_counter()
        job()
        spans.append((time.perf_counter() - began) * 1000)
    return statistics.median(spans)


def plain_table_pdf(rows: int) -> None:
    body = "".join(
        f"<tr><td>2026-02-{1 + i % 28:02d} 09:{i % 60:02d} CST</td><td>Dana Kowalczyk (dkowalczyk)</td><td>Viewed</td>"
        f"<td>Succeeded</td><td>Detainer 0b2fb468-fcf0-4b35-8e7a-f1c2d3e4f5a6</td><td>{i % 50}</td>"
        f"<td>incidents:detainer_list</td><td>Internal network</td></tr>"
        for i in range(rows)
    )
    html = (
        "<html><head><style>@page { size: letter landscape; margin: 2cm 1.5cm; } table { width: 100%; "
        "border-collapse: collapse; font: 7.5pt sans-serif; table-layout: fixed; } th, td { border-bottom: 1px solid "
        "#999; padding: 2px 4px; } thead { display: table-header-group; } tr { break-inside: avoid; }</style></head>"
        "<body><table><thead><tr><th>When</th><th>User</th><th>Action</th><th>Outcome</th><th>Record</th><th>Rows"
        f"</th><th>Page</th><th>Address</th></tr></thead><tbody>{body}</tbody></table></body></html>"
    )
    HTML(string=html).write_pdf()


def extract_report(agency, user, checked_at):
    """A queued access-log extract of ``agency`` for 2026-01-01 to ``AS_OF``, as recorded by ``checked_at``."""
    return Report.objects.create(
        agency=agency,
        kind=Report.Kind.ACCESS_LOG,
        as_of=AS_OF,
        period_start=date(2026, 1, 1),
        basis=Report.Basis.RECORDED,
        checked_at=checked_at,
        requested_by=user,
    )


def bench(args, database) -> bool:
    agency = Agency.objects.create(name="Bench County Sheriff's Office", state="TX", time_zone="America/Chicago")
    other = Agency.objects.create(name="Other County", state="AZ", time_zone="America/Phoenix")
    user = make_user("bench_auditor", agency=agency, role=Role.AUDITOR)
    began = time.perf_counter()
    build(agency, user, args.rows)
    build(other, user, args.rows)
    harness.analyze()
    print(f"built {args.rows:,} rows per agency in {time.perf_counter() - began:.1f} s")
    checked_at = datetime(2026, 4, 1, 5, tzinfo=UTC)
    report = extract_report(agency, user, checked_at)
    run = report_run(Report.objects.select_related("agency", "requested_by").get(pk=report.pk))
    failed = False

    parts = report_parts(run)
    plan_ms = timed(lambda: report_parts(run), args.repeat)
    count_ms = timed(lambda: access_log.access_log_rows(run).count(), args.repeat)
    naive_ms = timed(lambda: list(access_log.access_log_rows(run).values_list("pk", flat=True)), args.repeat)
    print(
        f"plan: {len(parts)} parts of {access_log.CHUNK} rows · {plan_ms:.1f} ms · COUNT(*) {count_ms:.1f} ms "
        f"(ratio {plan_ms / count_ms:.2f}) · every id read {naive_ms:.1f} ms (ratio {plan_ms / naive_ms:.2f})"
    )
    failed |= harness.report_target("plan ≤ 1 × reading every id (the naive plan)", plan_ms <= naive_ms)

    part = parts[1]

    def one_part():
        context = {
            **cover_context(report=run.report, title=access_log.TITLE, period=run.period, generated_at=checked_at),
            **access_log.KIND.part_context(run, part),
            "part_landscape": True,
        }
        return pdf_render(render_to_string(part.template, context))

    with harness.CaptureQueriesContext(connection) as queries:
        pages = one_part().page_count
    repeat = max(1, min(args.repeat, 3))
    part_ms = timed(one_part, repeat)
    anchor_ms = timed(lambda: plain_table_pdf(access_log.CHUNK), repeat)
    print(
        f"one part: {access_log.CHUNK} rows, {pages} pages, {len(queries.captured_queries)} queries · "
        f"{part_ms / 1000:.2f} s · WeasyPrint alone {anchor_ms / 1000:.2f} s (ratio {part_ms / anchor_ms:.2f})"
    )
    failed |= harness.report_target("one part ≤ 2 × WeasyPrint alone", part_ms <= 2 * anchor_ms)

    if args.whole:
        small = Agency.objects.create(name="Whole County", state="TX", time_zone="America/Chicago")
        build(small, user, args.whole)
        whole = extract_report(small, user, checked_at)
        job = harness.measure_job(lambda: report_render(report_id=whole.pk))
        done = job.result
        print(
            f"whole report: {args.whole:,} rows, {done.parts_total} parts, {done.page_count} pages, "
            f"{job.seconds:.1f} s in-process ({done.status})"
        )
        failed |= done.status != Report.Status.READY
    return failed


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, add_arguments, bench))
