"""A real worker killed (SIGKILL) at each point of sending a reminder digest: one e-mail per key, ever (F-1).

Real PostgreSQL, Redis and a prefork Celery worker (CI; skipped without REDIS_URL/PostgreSQL). The worker runs
with ``COMPLIANCE_FAILPOINT`` armed (``compliance.core.failpoints``: its pool child kills itself with SIGKILL at
that point, as the OOM killer would) and writes mail to files (``TEST_MAIL_DIR``) the test counts. Then the
worker is restarted without the failpoint and the jobs are run again, twice, as beat would: each recipient has
exactly one message, or — killed after the server accepted the e-mail — one message and an "unconfirmed" claim.
"""

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from compliance import celery_app
from compliance.core.mail_outbox import SENDING_TIMEOUT
from compliance.core.models import Agency, JobRun, OutboundMail
from compliance.core.roles import Role
from tests.base import make_user
from tests.compliance.workers import eager_off, worker_start, worker_stop
from tests.training.helpers import make_certification, make_course, make_officer
from training.roster import rules

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set: no broker for a real worker"),
]

State = OutboundMail.State
OFFICER_ADDRESS = "kill.test.officer@agency.example"
SUPERVISOR_ADDRESS = "kill_supervisor@example.test"


def _zone_at_noon() -> str:
    """An IANA zone where it is now about noon: the reminders' local hour (06:00) has passed, midnight is far."""
    offset = 12 - datetime.now(UTC).hour  # hours east of UTC
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


class Worker:
    def __init__(self, tmp_path, mail_dir, failpoint: str | None):
        self.log_path = tmp_path / f"worker-{failpoint or 'clean'}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        self.process = worker_start(
            self.log,
            *("--pool=prefork", "--concurrency=1", "--loglevel=INFO", "--max-memory-per-child=600000"),
            env={"TEST_MAIL_DIR": str(mail_dir), "COMPLIANCE_FAILPOINT": failpoint or None},
        )

    def output(self) -> str:
        return self.log_path.read_text()

    def stop(self):
        worker_stop(self.process, seconds=60)
        self.log.close()


def _wait(condition, what: str, worker: Worker, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert worker.process.poll() is None, f"the worker exited early:\n{worker.output()[-3000:]}"
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}:\n{worker.output()[-3000:]}")


def _messages_to(mail_dir, address: str) -> int:
    return sum(path.read_text().count(f"To: {address}\n") for path in mail_dir.iterdir())


@pytest.fixture
def tasks_to_broker():
    with eager_off():
        yield


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("failpoint", "first_state"),
    [
        ("mail.before_sending", State.SENT),  # the claim committed, the send never started: sent by the rerun
        ("mail.after_send", State.UNCONFIRMED),  # the server accepted it, "sent" never committed: never resent
    ],
)
def test_a_worker_killed_while_sending_a_digest_sends_each_message_at_most_once(
    tmp_path, tasks_to_broker, failpoint, first_state
):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    agency = Agency.objects.create(name="Kill Test County", state="TX", time_zone=_zone_at_noon())
    supervisor = make_user("kill_supervisor", agency=agency, role=Role.SUPERVISOR)
    course = make_course(agency, "IADP")
    officer = make_officer(agency, "K-1", email=OFFICER_ADDRESS, supervisor=supervisor)
    today = rules.agency_today(agency)
    make_certification(officer, course, today - timedelta(days=700), expires_on=today + timedelta(days=30))

    worker = Worker(tmp_path, mail_dir, failpoint)
    try:
        celery_app.send_task("training.tasks.send_certification_reminders_task")
        _wait(lambda: "SIGKILL" in worker.output() or "signal 9" in worker.output(), "the child's SIGKILL", worker)
    finally:
        worker.stop()
    [claim] = OutboundMail.objects.all()  # the first recipient's; the run died before the second
    expected = State.CLAIMED if failpoint == "mail.before_sending" else State.SENDING
    assert claim.state == expected
    assert sum(_messages_to(mail_dir, a) for a in (OFFICER_ADDRESS, SUPERVISOR_ADDRESS)) == (
        0 if expected == State.CLAIMED else 1
    )

    # Time passes: the run row is stale (taken over by the next tick), the claim past its sending timeout.
    JobRun.objects.update(started_at=datetime.now(UTC) - timedelta(hours=3))
    OutboundMail.objects.filter(state=State.SENDING).update(
        sending_at=datetime.now(UTC) - SENDING_TIMEOUT - timedelta(minutes=1)
    )
    worker = Worker(tmp_path, mail_dir, None)
    try:
        for _ in range(2):  # the next ticks of beat: the digests, then the mail sweep; twice
            celery_app.send_task("training.tasks.send_certification_reminders_task")
            celery_app.send_task("compliance.tasks.mail_outbox_sweep_task")
        _wait(
            lambda: (
                OutboundMail.objects.filter(state=State.SENT).count() == (2 if first_state == State.SENT else 1)
                and OutboundMail.objects.filter(state__in=(State.CLAIMED, State.SENDING)).count() == 0
            ),
            "both digests settled",
            worker,
        )
        time.sleep(3)  # let the remaining queued runs finish: they must send nothing more
        _wait(lambda: "mail_outbox_sweep_task" in worker.output(), "the sweep", worker)
    finally:
        worker.stop()

    claim.refresh_from_db()
    assert claim.state == first_state
    assert OutboundMail.objects.count() == 2
    assert _messages_to(mail_dir, OFFICER_ADDRESS) == 1
    assert _messages_to(mail_dir, SUPERVISOR_ADDRESS) == 1
    assert JobRun.objects.get().finished_at is not None
