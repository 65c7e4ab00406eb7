"""One task end to end through a real Celery worker on a real Redis (CI).

Runs only where REDIS_URL is set and the database is PostgreSQL (a separate
worker process cannot see SQLite's per-process test database). `.ci/run` sets
both, so CI always runs it.
"""

import io
import os
import subprocess
import time
from datetime import date

import pytest
from pypdf import PdfReader

from compliance.core.models import Agency, Report
from compliance.core.roles import Role
from compliance.reports.services import report_request
from tests.base import make_user
from training.roster.models import Course, Officer
from training.roster.services import certification_record

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set: no broker for a real worker"),
]


@pytest.fixture
def worker(solo_worker):
    """A real worker (``tests/compliance/conftest.py``)."""
    return solo_worker


def report_wait(report: Report, worker: subprocess.Popen, *, seconds: float) -> None:
    """Refresh ``report`` every 0.5 s until it is ready or failed, or ``seconds`` pass; fail if ``worker`` exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in (Report.Status.READY, Report.Status.FAILED):
            return
        assert worker.poll() is None, "the worker exited early"
        time.sleep(0.5)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_training_roster_report(worker):
    agency = Agency.objects.create(name="Cedar County Sheriff's Office", state="TX", time_zone="America/Chicago")
    supervisor = make_user("worker_supervisor", agency=agency, role=Role.SUPERVISOR)
    course = Course.objects.create(agency=agency, code="IADP", name="Basic course", validity_months=24)
    # The roster report lists designated officers (a new officer starts nominated).
    officer = Officer.objects.create(
        agency=agency,
        first_name="Rosalind",
        last_name="Quarrington",
        badge_number="W-17",
        status=Officer.Status.DESIGNATED,
    )
    certification_record(actor=supervisor, officer=officer, course=course, completed_on=date(2026, 1, 15))

    report = report_request(actor=supervisor, agency=agency, kind=Report.Kind.TRAINING_ROSTER, as_of=date(2026, 11, 29))

    report_wait(report, worker, seconds=90)
    assert report.status == Report.Status.READY, report.error
    assert len(report.sha256) == 64
    with report.file.open("rb") as handle:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert "Quarrington" in text
