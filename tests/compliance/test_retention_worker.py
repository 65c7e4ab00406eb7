"""The nightly retention purge through a real Celery worker on a real Redis (CI: REDIS_URL and PostgreSQL)."""

import os
import subprocess
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from compliance.core.models import Agency, RetentionPurge
from compliance.tasks import RETENTION_LOCAL_HOUR, retention_purge_task
from incidents.detainers.models import Detainer

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set: no broker for a real worker"),
]


@pytest.fixture
def worker(solo_worker):
    """A real worker (``tests/compliance/conftest.py``)."""
    return solo_worker


def _zone_past_purge_hour() -> str:
    """A zone whose local clock is past the purge's hour now (UTC, else UTC+14, which then is)."""
    for zone in ("UTC", "Etc/GMT-14"):
        if timezone.now().astimezone(ZoneInfo(zone)).hour >= RETENTION_LOCAL_HOUR:
            return zone
    raise AssertionError("no zone past the purge hour")


def _wait(worker: subprocess.Popen, done, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not done():
        assert worker.poll() is None, "the worker exited early"
        time.sleep(0.5)


@pytest.mark.django_db(transaction=True)
def test_G3_a_real_worker_runs_the_nightly_purge(worker):
    agency = Agency.objects.create(name="Purge County Sheriff's Office", state="TX", time_zone=_zone_past_purge_hour())
    ended = timezone.now() - timedelta(days=6 * 365)
    detainer = Detainer.objects.create(
        agency=agency,
        subject_last_name="Workerpurged",
        booking_number="WK-1",
        underlying_charge="Invented",
        received_at=ended - timedelta(days=2),
        outcome=Detainer.Outcome.RELEASED,
        outcome_at=ended,
    )

    retention_purge_task.delay()  # no arguments: no personal data in the broker

    _wait(worker, lambda: RetentionPurge.objects.filter(agency=agency, kind="detainer-subject").exists(), seconds=90)
    detainer.refresh_from_db()
    assert detainer.subject_last_name == ""
    assert RetentionPurge.objects.get(agency=agency, kind="detainer-subject").purged == 1
