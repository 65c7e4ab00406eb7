"""Real Celery workers for tests (CI: REDIS_URL and PostgreSQL set): start, stop, and eager mode off.

A worker is a separate process, so it needs a database server it can share with the test (PostgreSQL, not
SQLite's per-process test file): ``worker_database_url`` points it at the test database pytest-django made.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from compliance import celery_app


def worker_database_url() -> str:
    """DATABASE_URL pointing at the test database pytest-django created."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def worker_start(log, *options: str, env: dict | None = None) -> subprocess.Popen:
    """Start ``celery -A compliance worker <options>`` on the test database, its output into ``log`` (a file).

    ``env``: variables added to (or, with a None value, removed from) this process's environment, besides
    ``DATABASE_URL``, ``PRIVATE_MEDIA_ROOT`` and ``TESTING``.
    """
    environment = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "TESTING": "1",
    }
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "celery", "-A", "compliance", "worker", *options],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def worker_stop(process: subprocess.Popen, *, seconds: float = 30) -> None:
    """Warm-stop ``process`` (SIGTERM), killing it if it has not ended within ``seconds``."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def eager_off():
    """Tasks go to the broker while inside (skips the test on SQLite: a worker cannot share its database)."""
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs a shared database server (PostgreSQL)")
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous
