"""PDF report benchmark: our reports through a real Celery worker against WeasyPrint alone, same rows, one run.

Run (PostgreSQL and Redis; the script creates and drops its own ``test_<name>`` database)::

    DATABASE_URL=postgres://postgres@127.0.0.1:55602/postgres REDIS_URL=redis://127.0.0.1:56402/0 \\
        .venv/bin/python bench/report_bench.py --rows 5000,50000

What it does, for each size in ``--rows`` (ascending; the data grows from one size to the next):

1. Builds one agency (America/Chicago) with that many detainers received in the 90 days of the
   report (``bulk_create``, invented data): one in fifty has a U.S.-citizenship claim narrative (the
   appendix), one in ten is still pending past its deadline, one in seven has an unsigned warrant;
   the rest are served, with probable cause shown and a signed warrant. For ``training_roster``, that many
   designated officers with five certifications each (``bench/roster_bench.py``'s builder).
2. For each kind in ``--kinds``: starts a REAL worker (``celery -A compliance worker --pool=prefork
   --concurrency=2``) on ``REDIS_URL`` and the bench database, requests the report as the agency's
   supervisor (``compliance.reports.services.report_request``: queued, handed to the broker after
   commit), waits until it is ready, and stops the worker. The time is from the request to "ready"
   (seconds, wall clock: planning, every part in parallel, assembly). Peak memory: the high-water
   mark (``VmHWM`` in ``/proc/<pid>/status``, MiB) of every worker process, sampled every 0.2 s.
3. Runs ``../shared/tools/weasy_anchor.py`` with the same number of rows (WeasyPrint alone, a
   plain 6-column table; sizes up to ``--anchor-max``, default 5,000 — at 50,000 it would need
   several GB) and prints its seconds, pages, peak RSS, and the ratio report / anchor.

Targets (DESIGN.md "Performance budgets"): ratio ≤ 0.7 where the anchor ran; peak memory of every
process < 500 MiB at every size. Exit status 1 when one is missed. Only the ratio is stable on a
shared machine: both sides run in the same run, one after the other. Not a test: ``make test``
never imports this module.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

if not os.environ.get("REDIS_URL"):
    sys.exit("Set REDIS_URL to a Redis server: the reports render in a real worker.")
os.environ.setdefault("PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix="report-bench-media-"))

import harness  # first: puts the project on sys.path and sets up Django
from django.conf import settings
from django.db import connection
from django.utils import timezone

RATIO_TARGET = 0.7
PEAK_TARGET_MIB = 500
ANCHOR = harness.ROOT.parent / "shared" / "tools" / "weasy_anchor.py"
AS_OF = date(2026, 11, 30)
LAST_NAMES = ["Abernathy", "Nguyễn", "Kowalczyk", "Okonkwo-Reyes", "Halvorsen", "Ñúñez", "Ní Bhriain", "Lindqvist"]
FIRST_NAMES = ["Avery", "Thị Hoa", "Dana", "Luis", "Priya", "José", "Aoife", "Morgan"]
CHARGES = ["Driving while intoxicated", "Burglary of a habitation", "Assault causing bodily injury", "Theft"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", default="5000,50000", help="comma-separated sizes (default 5000,50000)")
    parser.add_argument(
        "--kinds", default="detainer_log,training_roster", help="report kinds (Report.Kind values) to render"
    )
    parser.add_argument("--anchor-max", type=int, default=5000, help="largest size the anchor runs at")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")


def build_agency():
    """The agency, its JEM agreement, a supervisor (who requests the reports) and 20 handling officers."""
    from compliance.core.models import Agency, Agreement, AgreementModel, User
    from compliance.core.roles import Role, role_grant
    from training.roster.models import Officer

    agency = Agency.objects.create(
        name="Report Bench County Sheriff's Office", state="TX", county="Report Bench", time_zone="America/Chicago"
    )
    agreement = Agreement.objects.create(agency=agency, model=AgreementModel.JEM)
    supervisor = User.objects.create_user(
        "report_bench_supervisor", "supervisor@report-bench.example", "bench-password-not-secret", home_agency=agency
    )
    role_grant(user=supervisor, agency=agency, role=Role.SUPERVISOR)
    officers = Officer.objects.bulk_create(
        Officer(
            agency=agency, agreement=agreement, first_name="Handling", last_name=f"Officer{k}", badge_number=f"H-{k}"
        )
        for k in range(20)
    )
    return agency, agreement, supervisor, officers


def add_detainers(*, agency, agreement, officers, start: int, stop: int, rng: random.Random) -> None:
    """Detainers ``start``..``stop - 1``, received over the report's 90 days (see the module docstring)."""
    from compliance.core.local_days import local_day_start
    from incidents.detainers.choices import PCBasis
    from incidents.detainers.models import Detainer
    from incidents.detainers.rules import HOLD_LIMIT

    period_start = local_day_start(AS_OF - timedelta(days=89), agency.zone)
    span = 89 * 86400
    outcomes = [Detainer.Outcome.TRANSFERRED] * 5 + [Detainer.Outcome.RELEASED] * 4 + [Detainer.Outcome.LIFTED]
    batch = []
    for n in range(start, stop):
        received_at = period_start + timedelta(seconds=rng.randint(0, span))
        released_at = received_at + timedelta(hours=rng.randint(2, 72))
        deadline = released_at + HOLD_LIMIT
        if n % 10 == 0:
            outcome, outcome_at = Detainer.Outcome.PENDING, None
        else:
            outcome, outcome_at = rng.choice(outcomes), released_at + timedelta(hours=rng.randint(0, 50))
        batch.append(
            Detainer(
                agency=agency,
                agreement=agreement,
                handling_officer=None,  # as most jails record it: the booking desk, not a 287(g) officer
                box_1_probable_cause=True,
                pc_basis=[PCBasis.FINAL_ORDER],
                served_on_subject_at=received_at + timedelta(hours=1),
                served_by="Booking desk",
                service_language="English",
                subject_last_name=f"{LAST_NAMES[n % len(LAST_NAMES)]}{n}",
                subject_first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                booking_number=f"BK-{n:07d}",
                booked_at=received_at - timedelta(hours=6),
                underlying_charge=CHARGES[n % len(CHARGES)],
                form=Detainer.Form.I247A,
                issued_at=received_at - timedelta(hours=2),
                received_at=received_at,
                warrant_type=Detainer.Warrant.I200,
                warrant_signed=n % 7 != 0,
                would_be_released_at=released_at,
                hold_deadline=deadline,
                outcome=outcome,
                outcome_at=outcome_at,
                citizenship_claim_details=(
                    f"Said at booking that they were born in Houston (invented, {n}); " * 6 if n % 50 == 0 else ""
                ),
            )
        )
        if len(batch) == 5000:
            Detainer.objects.bulk_create(batch)
            batch = []
    Detainer.objects.bulk_create(batch)


def add_officers(*, rng: random.Random, start: int, stop: int, state: dict) -> None:
    """Officers for the training roster (``bench/roster_bench.py``'s builder, its own agency)."""
    import roster_bench

    if "fixture" not in state:
        agency, agreement, supervisors, courses = roster_bench.build_fixture()
        state["fixture"] = {"agency": agency, "agreement": agreement, "supervisors": supervisors, "courses": courses}
    roster_bench.add_officers(**state["fixture"], start=start, stop=stop, rng=rng)
    try:
        from training.roster.facts import training_facts_refresh_all
    except ImportError:  # the stored facts are optional for the report
        return
    training_facts_refresh_all()


def _worker_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _hwm_mib(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


class Worker:
    """A real ``celery worker`` (prefork, ``concurrency`` processes) on the bench database, for a ``with`` block."""

    def __init__(self, concurrency: int, log: Path) -> None:
        self.concurrency = concurrency
        self.log_path = log
        self.peaks: dict[int, float] = {}

    def __enter__(self) -> Worker:
        env = {**os.environ, "DATABASE_URL": _worker_database_url(), "TESTING": "1", "CELERY_TASK_ALWAYS_EAGER": "0"}
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(  # noqa: S603 (our interpreter and arguments)
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "compliance",
                "worker",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],  # fmt: skip
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while " ready." not in self.log_path.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the worker did not start:\n" + self.log_path.read_text()[-2000:])
            time.sleep(0.2)
        return self

    def sample(self) -> None:
        """Record the high-water mark (MiB) of the worker and each of its processes."""
        for pid in [self.process.pid, *_children(self.process.pid)]:
            self.peaks[pid] = max(self.peaks.get(pid, 0.0), _hwm_mib(pid))

    def __exit__(self, *exc_info: object) -> None:
        self.sample()
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()


def render(kind: str, *, agency, supervisor, concurrency: int) -> tuple[float, object, dict[int, float]]:
    """Render report ``kind`` in a fresh worker: (seconds from request to ready, the Report, peak MiB by pid)."""
    from compliance import celery_app
    from compliance.core.models import Report
    from compliance.reports.services import report_request

    celery_app.conf.task_always_eager = False
    log = Path(tempfile.mkdtemp(prefix="report-bench-")) / "worker.log"
    with Worker(concurrency, log) as worker:
        started = time.perf_counter()
        report = report_request(actor=supervisor, agency=agency, kind=kind, as_of=AS_OF)
        while True:
            worker.sample()
            report.refresh_from_db()
            if report.status in (Report.Status.READY, Report.Status.FAILED):
                break
            if worker.process.poll() is not None:
                raise RuntimeError("the worker exited:\n" + log.read_text()[-3000:])
            time.sleep(0.2)
        seconds = time.perf_counter() - started
    if report.status != Report.Status.READY:
        raise RuntimeError(f"{kind} failed: {report.error}\n" + log.read_text()[-3000:])
    return seconds, report, worker.peaks


def anchor(rows: int) -> dict[str, float]:
    """WeasyPrint alone on ``rows`` plain rows: its printed ``rows``, ``pages``, ``seconds``, ``peak_rss_mib``."""
    with tempfile.TemporaryDirectory() as folder:
        output = subprocess.run(  # noqa: S603 (our interpreter, the shared anchor script)
            [sys.executable, str(ANCHOR), str(rows), str(Path(folder) / "anchor.pdf")],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", output)}


def bench(args: argparse.Namespace, database: harness.BenchDatabase) -> bool:
    """Build, render, compare (see the module docstring); True when a target is missed."""
    rng = random.Random(287)  # noqa: S311 (invented bench data, not security)
    sizes = sorted(int(size) for size in args.rows.split(","))
    kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]
    agency, agreement, supervisor, officers = build_agency()
    roster_state: dict = {}
    built = {"detainer_log": 0, "training_roster": 0}
    failed = False
    for size in sizes:
        for kind in kinds:
            started = time.perf_counter()
            if kind == "training_roster":
                add_officers(rng=rng, start=built[kind], stop=size, state=roster_state)
                requester = roster_state["fixture"]["supervisors"][0]
                owner = roster_state["fixture"]["agency"]
            else:
                add_detainers(
                    agency=agency, agreement=agreement, officers=officers, start=built[kind], stop=size, rng=rng
                )
                requester, owner = supervisor, agency
            built[kind] = size
            harness.analyze()
            print(f"\n{kind}, {size:,} rows (built in {time.perf_counter() - started:.1f} s):")
            seconds, report, peaks = render(kind, agency=owner, supervisor=requester, concurrency=args.concurrency)
            peak = max(peaks.values())
            print(
                f"  report: {seconds:.2f} s, {report.page_count:,} pages, {report.parts_total} parts, "
                f"sha256 {report.sha256[:12]}…"
            )
            print("  peak RSS per worker process (MiB): " + ", ".join(f"{value:.0f}" for value in peaks.values()))
            failed |= harness.report_target(f"peak < {PEAK_TARGET_MIB} MiB", peak < PEAK_TARGET_MIB)
            if size <= args.anchor_max:
                reference = anchor(size)
                ratio = seconds / reference["seconds"]
                print(
                    f"  WeasyPrint alone: {reference['seconds']:.2f} s, {reference['pages']:.0f} pages, "
                    f"peak RSS {reference['peak_rss_mib']:.0f} MiB"
                )
                print(f"  ratio report / WeasyPrint alone: {ratio:.2f}")
                failed |= harness.report_target(f"ratio ≤ {RATIO_TARGET}", ratio <= RATIO_TARGET)
    print(f"\nfinished {timezone.now():%Y-%m-%d %H:%M} UTC")
    return failed


if __name__ == "__main__":
    sys.exit(harness.run(__doc__, add_arguments, bench))
