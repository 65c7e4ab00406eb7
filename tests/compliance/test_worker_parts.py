"""A report's parts rendered in parallel by a real prefork worker (two processes) on a real Redis (CI).

Runs only where REDIS_URL is set and the database is PostgreSQL, like ``test_worker.py``. The worker gets
``CELERY_TASK_ALWAYS_EAGER=0``: under ``TESTING`` it would otherwise run the part tasks it queues inline.
"""

import io
import os
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from compliance.core.models import Agency, Report
from compliance.core.roles import Role
from compliance.reports.detainer_log import ROWS_PER_PART
from compliance.reports.services import report_request
from incidents.detainers.models import Detainer
from tests.base import make_user
from tests.compliance.test_worker import report_wait
from tests.compliance.workers import eager_off, worker_start, worker_stop

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set: no broker for a real worker"),
]


@pytest.fixture
def prefork_worker(tmp_path):
    log_path = tmp_path / "worker.log"
    with eager_off(), open(log_path, "w") as log:
        process = worker_start(
            log,
            *("--pool=prefork", "--concurrency=2", "--loglevel=INFO", "--without-gossip", "--without-mingle"),
            env={"CELERY_TASK_ALWAYS_EAGER": "0"},
        )
        try:
            yield process, log_path
        finally:
            worker_stop(process, seconds=60)
            print(log_path.read_text()[-3000:])


@pytest.mark.django_db(transaction=True)
def test_a_prefork_worker_renders_the_detainer_log_parts_in_parallel(prefork_worker):
    process, log_path = prefork_worker
    agency = Agency.objects.create(name="Cedar County Sheriff's Office", state="TX", time_zone="America/Chicago")
    supervisor = make_user("parts_supervisor", agency=agency, role=Role.SUPERVISOR)
    count = 2 * ROWS_PER_PART + 7  # three chunks of the log
    start = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)
    Detainer.objects.bulk_create(
        Detainer(
            agency=agency,
            subject_last_name=f"Testperson{n}",
            subject_first_name="Alex",
            booking_number=f"BK-{n:05d}",
            underlying_charge="Theft (invented)",
            form=Detainer.Form.I247A,
            received_at=start + timedelta(minutes=30 * n),
            booked_at=start + timedelta(minutes=30 * n - 60),
            issued_at=start + timedelta(minutes=30 * n - 30),
            warrant_type=Detainer.Warrant.I200,
            warrant_signed=True,
        )
        for n in range(count)
    )

    report = report_request(actor=supervisor, agency=agency, kind=Report.Kind.DETAINER_LOG, as_of=date(2026, 11, 29))
    report_wait(report, process, seconds=300)

    assert report.status == Report.Status.READY, report.error
    assert report.parts_total == 4  # the cover and three chunks
    assert report.parts_done == 4
    log = log_path.read_text()
    # Every part was its own task, and both pool processes took some.
    assert len(re.findall(r"render_report_part_task\[[^]]+\] succeeded", log)) == 4
    assert "assemble_report_task" in log
    assert {"ForkPoolWorker-1", "ForkPoolWorker-2"} <= set(re.findall(r"ForkPoolWorker-\d+", log))
    with report.file.open("rb") as handle:
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages]
    assert report.page_count == len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
    bookings = re.findall(r"^(BK-\d{5}) ", "\n".join(pages), re.MULTILINE)
    assert bookings == [f"BK-{n:05d}" for n in range(count)]
