"""Two beats at once schedule nothing twice: the second exits at start (compliance.core.beat_lock; F-7).

Real beat processes on PostgreSQL (the lock is a PostgreSQL advisory lock; CI). The jobs' own unique keys make
a second run harmless anyway: tests/compliance/test_local_day_jobs.py runs every daily job twice.
"""

import os
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from compliance.core import beat_lock

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set: no broker for beat"),
]


def _database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _beat(tmp_path, name: str) -> tuple[subprocess.Popen, object]:
    env = {**os.environ, "DATABASE_URL": _database_url(), "TESTING": "1"}
    log_path = tmp_path / f"{name}.log"
    log = open(log_path, "w")  # noqa: SIM115 (closed by the caller)
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "celery", "-A", "compliance", "beat", "--loglevel=INFO"]
        + [f"--schedule={tmp_path / name}-schedule"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, log


def _wait_for(path, text: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in path.read_text():
            return
        if process.poll() is not None and text not in path.read_text():
            raise AssertionError(f"exited ({process.returncode}) before {text!r}:\n{path.read_text()[-3000:]}")
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {text!r}:\n{path.read_text()[-3000:]}")


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the beat lock is a PostgreSQL advisory lock")


@pytest.mark.django_db(transaction=True)
def test_a_second_beat_exits_while_the_first_runs_and_starts_once_it_is_gone(tmp_path, postgresql):
    first, first_log = _beat(tmp_path, "first")
    try:
        _wait_for(tmp_path / "first.log", "beat: Starting...", first)
        time.sleep(2)  # past beat_init: the lock is held
        second, second_log = _beat(tmp_path, "second")
        try:
            assert second.wait(timeout=90) == 3
        finally:
            second_log.close()
        assert "Another beat holds the beat lock" in (tmp_path / "second.log").read_text()
        assert first.poll() is None, "the first beat keeps running"
    finally:
        first.terminate()
        first.wait(timeout=30)
        first_log.close()

    third, third_log = _beat(tmp_path, "third")  # the lock went with the first process
    try:
        _wait_for(tmp_path / "third.log", "beat: Starting...", third)
        time.sleep(3)
        assert third.poll() is None, (tmp_path / "third.log").read_text()[-3000:]
    finally:
        third.terminate()
        third.wait(timeout=30)
        third_log.close()


@pytest.mark.django_db(transaction=True)
def test_the_lock_is_one_per_database_and_released_with_its_connection(postgresql):
    try:
        assert beat_lock.beat_lock_take()
        assert beat_lock.beat_lock_take()  # the same process: already held
        with psycopg.connect(_database_url(), autocommit=True) as other:
            (taken,) = other.execute("SELECT pg_try_advisory_lock(%s)", [beat_lock.BEAT_LOCK_KEY]).fetchone()
            assert taken is False
        beat_lock.beat_lock_release()
        with psycopg.connect(_database_url(), autocommit=True) as other:
            (taken,) = other.execute("SELECT pg_try_advisory_lock(%s)", [beat_lock.BEAT_LOCK_KEY]).fetchone()
            assert taken is True
    finally:
        beat_lock.beat_lock_release()
