"""The dashboard's cached figures served stale while a worker rebuilds them (issue #13 item 7).

A save makes the cached part stale: the page still shows the last built figures, says when they were built and
that newer ones are on the way, and hands one rebuild (the agency id only) to the broker; the rebuild makes the
next request fresh. Past the hard maximum, or on a new local day, the request builds inline. The broker down: the
page still answers. Real database, real cache, real Celery: the in-memory broker (kombu's ``memory://``
transport) holds what the page queued and the task runs as a worker runs it; a real worker on Redis at the end.

Committed for real (``transaction=True``): the hand-over runs on commit, as in production (no request
transaction), i.e. before the page is rendered.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance import celery_app
from compliance.core.models import Agency
from compliance.core.roles import Role
from compliance.dashboard.cache import (
    CACHE_SECONDS,
    LOCK_SECONDS,
    MAX_STALE_SECONDS,
    REBUILD_TASK,
    RETRY_SECONDS,
    VERSIONS,
    VIEWED_SECONDS,
    dashboard_prewarm,
)
from tests.base import make_user, sign_in
from tests.compliance.broker import broker_at, closed_port_url
from tests.compliance.helpers import figure, make_detainer
from tests.compliance.workers import eager_off, worker_start, worker_stop

NOW = datetime(2026, 4, 12, 17, 0, tzinfo=UTC)  # 12:00 CDT in America/Chicago
APRIL = "detainers-received-2026-04"


def queued() -> list[tuple[str, list]]:
    """Take every message off the in-memory broker's default queue: ``(task name, positional arguments)``."""
    messages = []
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        while (message := channel.basic_get("celery")) is not None:
            args, _kwargs, _embed = message.decode()
            messages.append((message.headers["task"], args))
    return messages


def run_as_worker(messages) -> None:
    """Run queued tasks in this process, as a worker would (``Task.apply``: the real task, its real code)."""
    for name, args in messages:
        celery_app.tasks[name].apply(args=args).get()


@pytest.fixture
def supervisor_client(client):
    agency = Agency.objects.create(name="Birch County Sheriff's Office", state="TX", time_zone="America/Chicago")
    make_detainer(agency, 1, received_at=NOW - timedelta(days=1))
    sign_in(client, make_user("refresh_supervisor", agency=agency, role=Role.SUPERVISOR))
    return agency, client


@pytest.fixture
def memory_broker():
    with broker_at("memory://"):
        celery_app.loader.import_default_modules()
        queued()  # empty
        yield


@pytest.mark.django_db(transaction=True)
def test_after_a_save_the_last_figures_are_served_and_one_rebuild_is_queued_then_the_next_request_is_fresh(
    supervisor_client, memory_broker
):
    agency, client = supervisor_client
    with time_machine.travel(NOW, tick=False) as clock:
        first = client.get("/")
        assert figure(first, APRIL) == "1"
        assert "figures-pending" not in first.content.decode()
        assert figure(first, "figures-built-at") == "2026-04-12 12:00 CDT"
        assert queued() == []  # first visit: built inline, nothing to hand over

        clock.shift(timedelta(minutes=1))
        make_detainer(agency, 2, received_at=NOW - timedelta(hours=2))  # bumps the version
        stale = client.get("/")
        assert figure(stale, APRIL) == "1"  # the last built figures
        assert figure(stale, "figures-built-at") == "2026-04-12 12:00 CDT"
        assert "newer figures are being prepared" in figure(stale, "figures-pending")
        messages = queued()
        assert messages == [(REBUILD_TASK, [agency.pk])]  # the agency id only

        clock.shift(timedelta(seconds=30))
        run_as_worker(messages)
        fresh = client.get("/")
        assert figure(fresh, APRIL) == "2"
        assert figure(fresh, "figures-built-at") == "2026-04-12 12:01 CDT"
        assert "figures-pending" not in fresh.content.decode()
        assert queued() == []


@pytest.mark.django_db(transaction=True)
def test_figures_older_than_the_freshness_window_are_served_and_rebuilt_too(supervisor_client, memory_broker):
    agency, client = supervisor_client
    with time_machine.travel(NOW, tick=False) as clock:
        client.get("/")
        clock.shift(timedelta(seconds=CACHE_SECONDS - 1))
        client.get("/")
        assert queued() == []  # fresh: nothing changed, younger than the window
        clock.shift(timedelta(seconds=2))
        assert "figures-pending" in client.get("/").content.decode()
        assert queued() == [(REBUILD_TASK, [agency.pk])]


@pytest.mark.django_db(transaction=True)
def test_two_stale_requests_queue_one_rebuild_and_the_lock_expires_so_a_lost_task_only_delays(
    supervisor_client, memory_broker
):
    agency, client = supervisor_client
    with time_machine.travel(NOW, tick=False) as clock:
        client.get("/")
        make_detainer(agency, 2, received_at=NOW)
        client.get("/")
        client.get("/")
        assert queued() == [(REBUILD_TASK, [agency.pk])]  # one, not two
        # The task was lost (taken off the queue, never run): after the lock's timeout a request queues another.
        assert LOCK_SECONDS < MAX_STALE_SECONDS
        clock.shift(timedelta(seconds=LOCK_SECONDS + 1))
        assert "figures-pending" in client.get("/").content.decode()
        assert queued() == [(REBUILD_TASK, [agency.pk])]


@pytest.mark.django_db(transaction=True)
def test_past_the_hard_maximum_the_request_builds_inline(supervisor_client, memory_broker):
    agency, client = supervisor_client
    with time_machine.travel(NOW, tick=False) as clock:
        client.get("/")
        make_detainer(agency, 2, received_at=NOW)
        clock.shift(timedelta(seconds=MAX_STALE_SECONDS))
        response = client.get("/")
        assert figure(response, APRIL) == "2"
        assert figure(response, "figures-built-at") == "2026-04-12 12:15 CDT"
        assert "figures-pending" not in response.content.decode()
        assert queued() == []


@pytest.mark.django_db(transaction=True)
def test_a_new_local_day_builds_inline(supervisor_client, memory_broker):
    agency, client = supervisor_client
    with time_machine.travel(datetime(2026, 4, 13, 4, 55, tzinfo=UTC), tick=False) as clock:  # 23:55 CDT
        client.get("/")
        clock.shift(timedelta(minutes=10))  # 00:05 CDT the next day, within the freshness window
        response = client.get("/")
        assert figure(response, "dashboard-today") == "2026-04-13"
        assert figure(response, "figures-built-at") == "2026-04-13 00:05 CDT"
        assert queued() == []


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_page_answers_with_the_last_figures_and_tries_again_a_minute_later(
    supervisor_client, caplog
):
    agency, client = supervisor_client
    with time_machine.travel(NOW, tick=False) as clock:
        client.get("/")
        make_detainer(agency, 2, received_at=NOW)
        with broker_at(closed_port_url()):
            started = time.monotonic()
            response = client.get("/")
            elapsed = time.monotonic() - started
            assert response.status_code == 200
            assert elapsed < 10  # not a speed figure: a hang check (connection refused, no retries)
            assert figure(response, APRIL) == "1"
            assert "figures-pending" not in response.content.decode()  # nothing is on the way
            assert f"Dashboard rebuild of agency {agency.pk} not handed to the broker" in caplog.text
            caplog.clear()
            client.get("/")
            assert caplog.text == ""  # no new try within RETRY_SECONDS
            clock.shift(timedelta(seconds=RETRY_SECONDS + 1))
            client.get("/")
            assert "not handed to the broker" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_in_eager_mode_without_a_worker_stale_figures_are_rebuilt_inline(supervisor_client):
    agency, client = supervisor_client
    assert celery_app.conf.task_always_eager
    with time_machine.travel(NOW, tick=False):
        client.get("/")
        make_detainer(agency, 2, received_at=NOW)
        response = client.get("/")
        assert figure(response, APRIL) == "2"
        assert "figures-pending" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_warm_and_stale_requests_run_the_same_queries_with_little_and_more_data(supervisor_client, memory_broker):
    agency, client = supervisor_client

    def counts(number: int) -> tuple[int, int]:
        client.get("/")  # warm
        with CaptureQueriesContext(connection) as warm:
            client.get("/")
        make_detainer(agency, number, received_at=NOW)
        with CaptureQueriesContext(connection) as stale:
            assert "figures-pending" in client.get("/").content.decode()
        run_as_worker(queued())
        return len(warm), len(stale)

    with time_machine.travel(NOW, tick=False):
        small = counts(2)
        for n in range(3, 40):
            make_detainer(agency, n, received_at=NOW - timedelta(days=n * 9))
        assert counts(40) == small
        assert small[0] == small[1]  # a stale request reads no more than a warm one


@pytest.mark.django_db(transaction=True)
def test_the_beat_prewarms_agencies_shown_within_a_day_whose_figures_are_not_fresh(supervisor_client, memory_broker):
    agency, client = supervisor_client
    unseen = Agency.objects.create(name="Never Shown County", state="TX", time_zone="America/Chicago")
    entry = celery_app.conf.beat_schedule["dashboard-prewarm"]
    assert entry["task"] == "compliance.tasks.dashboard_prewarm_task"
    assert entry["schedule"].minute == set(range(0, 60, 5))
    prewarm = celery_app.tasks[entry["task"]]
    with time_machine.travel(NOW, tick=False) as clock:
        client.get("/")
        assert prewarm.apply().get() == {"queued": 0, "fresh": 1, "pending": 0, "broker_down": 0}
        make_detainer(agency, 2, received_at=NOW)  # a change: the figures are stale
        assert prewarm.apply().get() == {"queued": 1, "fresh": 0, "pending": 0, "broker_down": 0}
        assert prewarm.apply().get() == {"queued": 0, "fresh": 0, "pending": 1, "broker_down": 0}
        messages = queued()
        assert messages == [(REBUILD_TASK, [agency.pk])]  # the never-shown agency is left alone
        run_as_worker(messages)
        assert dashboard_prewarm() == {"queued": 0, "fresh": 1, "pending": 0, "broker_down": 0}
        # The next morning (another local day, no request since): rebuilt before the supervisor comes.
        clock.shift(timedelta(hours=14))
        assert dashboard_prewarm() == {"queued": 1, "fresh": 0, "pending": 0, "broker_down": 0}
        run_as_worker(queued())
        entry = cache.get(VERSIONS.entry_key(agency.pk, "slow"))
        assert (entry["day"], entry["built_at"]) == ("2026-04-13", NOW + timedelta(hours=14))
        assert VERSIONS.is_fresh(agency.pk, day="2026-04-13", variant="slow", fresh_seconds=CACHE_SECONDS)
        # Not shown for a day: no longer kept warm.
        clock.shift(timedelta(seconds=VIEWED_SECONDS + 1))
        assert dashboard_prewarm() == {"queued": 0, "fresh": 0, "pending": 0, "broker_down": 0}
    assert unseen.pk != agency.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL")),
    reason="needs REDIS_URL and DATABASE_URL (CI: .ci/run)",
)
def test_a_real_worker_rebuilds_what_a_stale_request_queued(supervisor_client, tmp_path):
    agency, client = supervisor_client
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
    log_path = tmp_path / "worker.log"
    with override_settings(CACHES=redis_cache), eager_off(), open(log_path, "w") as log:
        keys = [
            VERSIONS.version_key(agency.pk),
            VERSIONS.entry_key(agency.pk, "slow"),
            VERSIONS.lock_key(agency.pk, "slow"),
        ]
        cache.delete_many(keys)
        process = worker_start(log, "--pool=solo", "--loglevel=INFO", env={"CACHE_REDIS_IN_TEST": "1"})
        try:
            now = timezone.now()
            this_month = f"detainers-received-{timezone.localdate(now, agency.zone):%Y-%m}"
            assert figure(client.get("/"), this_month) == "0"
            make_detainer(agency, 2, received_at=now)
            stale = client.get("/")
            assert figure(stale, this_month) == "0"
            assert "figures-pending" in stale.content.decode()
            deadline = time.monotonic() + 60
            while cache.get(VERSIONS.lock_key(agency.pk, "slow")) is not None and time.monotonic() < deadline:
                time.sleep(0.2)
            fresh = client.get("/")
            assert figure(fresh, this_month) == "1", log_path.read_text()[-3000:]
            assert "figures-pending" not in fresh.content.decode()
        finally:
            worker_stop(process)
            cache.delete_many(keys)
