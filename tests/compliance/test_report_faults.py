"""Report jobs under real faults, with a real Redis and a real prefork worker (issue #13 item 6, SECURITY.md F-1, F-3,
F-4).

(a) a worker child killed (``kill -9``) while it renders a part: the part is re-delivered
    (``task_acks_late`` + ``task_reject_on_worker_lost``) and each re-delivery counts an attempt, so the
    report completes after one loss, and fails with the reason after ``MAX_ATTEMPTS`` — it never loops;
(b) Redis emptied (FLUSHDB) after the request, before a worker took the message: the sweep hands the
    report over again and it completes;
(c) the broker down at request: the report is queued, not handed over; once the broker is back the sweep
    hands it over and it completes;
(d) a report stuck "rendering" past its limit: the sweep restarts it (it completes) or, out of attempts,
    fails it with the reason.

A slow part is injected by the pause point ``report-part-<n>`` (``compliance.core.failpoints.pause_point``,
honoured only with ``settings.TESTING``): a file ``report-part-0.pause`` in ``COMPLIANCE_PAUSEPOINT_DIR`` holds
part 0 until the test removes it, and the child writes its pid next to it so the test can kill it.

Runs where REDIS_URL is set and the database is PostgreSQL (CI: ``.ci/run``).
"""

import os
import signal
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from compliance.core.failpoints import PAUSE_DIRECTORY_VARIABLE
from compliance.core.models import Agency, Report
from compliance.core.roles import Role
from compliance.reports.rendering import MAX_ATTEMPTS
from compliance.reports.services import report_request
from compliance.reports.sweep import reports_sweep
from tests.base import make_user
from tests.compliance.broker import broker_at, closed_port_url
from tests.compliance.workers import eager_off, worker_start, worker_stop
from training.roster.models import Course, Officer
from training.roster.services import certification_record

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set: no broker for a real worker"),
]


class Worker:
    """A real ``celery worker`` (prefork, 2 children) on REDIS_URL and the test database, started on demand."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.failpoints = tmp_path / "failpoints"
        self.failpoints.mkdir()
        self.process: subprocess.Popen | None = None
        self.log_path = tmp_path / "worker.log"

    def start(self) -> None:
        self.log = open(self.log_path, "a")  # noqa: SIM115 (closed in stop)
        self.process = worker_start(
            self.log,
            *("--pool=prefork", "--concurrency=2", "--loglevel=INFO"),
            *("--without-heartbeat", "--without-mingle", "--without-gossip"),
            env={
                "CELERY_WORKER_IN_TEST": "1",  # hand a report's parts to the broker, as in production
                PAUSE_DIRECTORY_VARIABLE: str(self.failpoints),
            },
        )

    def stop(self) -> None:
        if self.process is None:
            return
        worker_stop(self.process)
        self.log.close()
        self.process = None

    def wait_for(self, report: Report, statuses, seconds: float = 90) -> Report:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            report.refresh_from_db()
            if report.status in statuses:
                return report
            assert self.process is None or self.process.poll() is None, "the worker exited early"
            time.sleep(0.3)
        raise AssertionError(f"report still {report.status} after {seconds} s")

    def slow_part(self, number: int = 0) -> None:
        (self.failpoints / f"report-part-{number}.pause").write_text("")

    def release_part(self, number: int = 0) -> None:
        (self.failpoints / f"report-part-{number}.pause").unlink(missing_ok=True)

    def kill_child_rendering(self, number: int = 0, seconds: float = 60) -> int:
        """Wait until a child renders part ``number`` (failpoint), ``kill -9`` it; returns its pid."""
        marker = self.failpoints / f"report-part-{number}.pid"
        deadline = time.monotonic() + seconds
        while not marker.exists():
            assert time.monotonic() < deadline, "no child started rendering the part"
            time.sleep(0.1)
        time.sleep(0.1)  # the pid is written
        pid = int(marker.read_text())
        marker.unlink()
        assert pid != self.process.pid, "the failpoint ran in the worker's main process"
        os.kill(pid, signal.SIGKILL)
        return pid


@pytest.fixture
def worker(tmp_path):
    with eager_off():
        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()  # no message left by an earlier test
        handle = Worker(tmp_path)
        try:
            yield handle
        finally:
            handle.release_part()
            handle.stop()
            if handle.log_path.exists():
                print(handle.log_path.read_text()[-4000:])


@pytest.fixture
def agency_and_supervisor():
    agency = Agency.objects.create(name="Juniper County Sheriff's Office", state="TX", time_zone="America/Chicago")
    supervisor = make_user("fault_supervisor", agency=agency, role=Role.SUPERVISOR)
    course = Course.objects.create(agency=agency, code="IADP", name="Basic course", validity_months=24)
    officer = Officer.objects.create(
        agency=agency, first_name="Odile", last_name="Faultmeyer", badge_number="F-1", status=Officer.Status.DESIGNATED
    )
    certification_record(actor=supervisor, officer=officer, course=course, completed_on=date(2026, 1, 15))
    return agency, supervisor


def _request(agency, supervisor) -> Report:
    return report_request(actor=supervisor, agency=agency, kind=Report.Kind.TRAINING_ROSTER, as_of=date(2026, 3, 1))


@pytest.mark.django_db(transaction=True)
def test_a_worker_child_killed_once_mid_part_is_redelivered_and_the_report_completes(worker, agency_and_supervisor):
    worker.slow_part(0)
    worker.start()
    report = _request(*agency_and_supervisor)
    worker.kill_child_rendering(0)
    worker.release_part(0)
    report = worker.wait_for(report, (Report.Status.READY, Report.Status.FAILED))
    assert report.status == Report.Status.READY, report.error
    assert report.attempts == 2  # the claim, and the re-delivery after the lost child
    assert len(report.sha256) == 64


@pytest.mark.django_db(transaction=True)
def test_a_part_that_kills_its_worker_every_time_fails_the_report_after_max_attempts(worker, agency_and_supervisor):
    worker.slow_part(0)
    worker.start()
    report = _request(*agency_and_supervisor)
    killed = [worker.kill_child_rendering(0) for _ in range(MAX_ATTEMPTS)]
    report = worker.wait_for(report, (Report.Status.READY, Report.Status.FAILED))
    assert report.status == Report.Status.FAILED
    assert report.attempts == MAX_ATTEMPTS
    assert report.error.startswith(f"The renderer stopped {MAX_ATTEMPTS} times without finishing")
    assert len(set(killed)) == MAX_ATTEMPTS  # three different children, each killed once
    # Never loops: no child renders the part again.
    time.sleep(3)
    assert not (worker.failpoints / "rendering-0.pid").exists()
    report.refresh_from_db()
    assert (report.status, report.attempts) == (Report.Status.FAILED, MAX_ATTEMPTS)


@pytest.mark.django_db(transaction=True)
def test_redis_emptied_before_a_worker_took_the_message_the_sweep_hands_it_over_again(worker, agency_and_supervisor):
    report = _request(*agency_and_supervisor)
    report.refresh_from_db()
    assert report.dispatched_at is not None
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()  # a Redis restarted empty
    worker.start()
    time.sleep(2)
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED  # the message is gone: nothing would ever start it
    later = timezone.now() + timedelta(minutes=settings.REPORT_REDISPATCH_MINUTES + 1)
    assert reports_sweep(now=later)["dispatched"] == 1
    report = worker.wait_for(report, (Report.Status.READY, Report.Status.FAILED))
    assert report.status == Report.Status.READY, report.error
    assert report.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_broker_down_at_request_queued_then_the_sweep_hands_it_over_when_it_is_back(worker, agency_and_supervisor):
    with broker_at(closed_port_url()):
        started = time.monotonic()
        report = _request(*agency_and_supervisor)
        elapsed = time.monotonic() - started
    assert elapsed < 10  # a hang check, not a speed figure
    report.refresh_from_db()
    assert (report.status, report.dispatched_at) == (Report.Status.QUEUED, None)
    worker.start()
    assert reports_sweep(now=timezone.now() + timedelta(minutes=1))["dispatched"] == 1
    report = worker.wait_for(report, (Report.Status.READY, Report.Status.FAILED))
    assert report.status == Report.Status.READY, report.error


@pytest.mark.django_db(transaction=True)
def test_a_report_stuck_rendering_past_its_limit_is_restarted_or_failed_by_the_sweep(worker, agency_and_supervisor):
    agency, supervisor = agency_and_supervisor
    now = timezone.now()
    stale = now - timedelta(minutes=settings.REPORT_RENDER_LIMIT_MINUTES + 1)
    with broker_at(closed_port_url()):  # rows only: no message anywhere, as after a lost worker and Redis
        stuck = _request(agency, supervisor)
        spent = _request(agency, supervisor)
    Report.objects.filter(pk=stuck.pk).update(status=Report.Status.RENDERING, attempts=1, updated_at=stale)
    Report.objects.filter(pk=spent.pk).update(status=Report.Status.RENDERING, attempts=MAX_ATTEMPTS, updated_at=stale)
    worker.start()
    counts = reports_sweep(now=now)
    assert (counts["restarted"], counts["failed"]) == (1, 1)
    stuck = worker.wait_for(stuck, (Report.Status.READY, Report.Status.FAILED))
    assert (stuck.status, stuck.attempts) == (Report.Status.READY, 2), stuck.error
    spent.refresh_from_db()
    assert spent.status == Report.Status.FAILED
    assert spent.error.startswith(f"The renderer stopped {MAX_ATTEMPTS} times")
