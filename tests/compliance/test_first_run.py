"""A first ``make run`` is clean: the demo logins come last, e-mail links follow the server's port.

``make run`` = ``seed_demo``, ``run_jobs``, then ``serve_demo`` (runserver printing
the logins once it listens), all with ``SITE_URL`` derived from ``HOST``/``PORT``.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase, TransactionTestCase, override_settings

from compliance.core import access
from compliance.core.models import Agency, Agreement, User
from compliance.core.roles import ROLE_PERMISSIONS
from compliance.management.commands.seed_demo import DEMO_PASSWORD, EVERY_AGENCY, login_lines
from compliance.management.commands.serve_demo import REFUSE_MESSAGE, port_mismatch_line
from tests.base import BaseTestCase
from tests.incidents.helpers import make_detainer

NOW = datetime(2026, 4, 13, 12, 0, tzinfo=UTC)


def printed_lines(*commands: tuple[str, ...]) -> list[str]:
    """Everything the commands print, in order, on one console: their stdout and stderr and the mail lines."""
    console = StringIO()
    with redirect_stdout(console), redirect_stderr(console):
        for command in commands:
            call_command(*command, stdout=console, stderr=console)
    return console.getvalue().splitlines()


LOGINS = login_lines(sign_in_url="http://127.0.0.1:8123/accounts/login/")


# Transactions commit for real, as under make run: mail sent on commit prints where it would.
@override_settings(DEBUG=True, SITE_URL="http://127.0.0.1:8123")
@time_machine.travel(NOW, tick=False)
class LoginsComeLastTests(TransactionTestCase):
    def setUp(self):
        folder = TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        # The mail backend of make run (devmail://): its lines go to the same console.
        mail_settings = override_settings(
            EMAIL_BACKEND="compliance.mail_files.EmailBackend", EMAIL_FILE_PATH=folder.name
        )
        mail_settings.enable()
        self.addCleanup(mail_settings.disable)

    def test_seed_demo_prints_the_logins_last(self):
        lines = printed_lines(("seed_demo",))
        # Loading the demo sends mail (R4.3: unsigned warrants), one line each, before the logins.
        self.assertTrue(any(line.startswith("E-mail to ") for line in lines[: -len(LOGINS)]))
        self.assertEqual(lines[-len(LOGINS) - 1 :], ["Demo data ready.", *LOGINS])

    def test_after_the_jobs_ran_the_logins_are_the_last_lines_printed(self):
        printed_lines(("seed_demo",))
        lines = printed_lines(("run_jobs",), ("seed_demo", "--logins-only"))
        # The jobs did send mail (one line each, before the logins) ...
        self.assertTrue(any(line.startswith("E-mail to ") for line in lines[: -len(LOGINS)]))
        # ... and nothing follows the logins.
        self.assertEqual(lines[-len(LOGINS) :], LOGINS)


@override_settings(DEBUG=True, SITE_URL="http://127.0.0.1:8123")
class LoginsOnlyTests(SimpleTestCase):
    def test_logins_only_needs_no_database(self):
        # A SimpleTestCase refuses every query: the logins are printed from the seed's constants.
        self.assertEqual(printed_lines(("seed_demo", "--logins-only")), LOGINS)
        self.assertEqual(LOGINS[0], "Sign in at http://127.0.0.1:8123/accounts/login/ with:")
        self.assertEqual(LOGINS[-1], "Password for every demo login: demo-287g-compliance")


@override_settings(DEBUG=False)
class ServeDemoRefusalTests(SimpleTestCase):
    def test_serve_demo_refuses_without_debug(self):
        with self.assertRaisesMessage(CommandError, REFUSE_MESSAGE):
            call_command("serve_demo", "127.0.0.1:0", use_reloader=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    with socket.socket() as client:
        return client.connect_ex(("127.0.0.1", port)) == 0


def test_serve_demo_prints_the_logins_after_the_server_banner_once_it_listens(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "TESTING", "PYTHONUNBUFFERED"}}
    # An empty database is enough (the logins read none); SITE_URL names another port, so it warns first.
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", SITE_URL="http://127.0.0.1:8000")
    errors = tmp_path / "stderr.txt"
    with errors.open("w") as stderr:
        server = subprocess.Popen(  # noqa: S603 (our own interpreter and manage.py)
            [sys.executable, "manage.py", "serve_demo", f"127.0.0.1:{port}", "--noreload"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    # A server that hangs silently is killed, which ends the read below.
    watchdog = threading.Timer(60, server.kill)
    watchdog.start()
    try:
        lines = []
        while not lines or not lines[-1].startswith("Password for every demo login"):
            line = server.stdout.readline()
            assert line, (lines, errors.read_text())
            lines.append(line.rstrip("\n"))
        # Printed through a pipe, flushed, once the port is bound.
        assert _answers(port)
        logins = login_lines(sign_in_url=f"http://127.0.0.1:{port}/accounts/login/")
        assert lines[-len(logins) :] == logins
        warning = port_mismatch_line(site_url="http://127.0.0.1:8000", server_port=port)
        assert lines[-len(logins) - 1] == warning
        assert any(line.startswith(f"Starting development server at http://127.0.0.1:{port}/") for line in lines)
    finally:
        watchdog.cancel()
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()


def test_the_port_warning_is_silent_when_site_url_names_the_servers_port():
    assert port_mismatch_line(site_url="http://127.0.0.1:8123", server_port=8123) is None
    assert port_mismatch_line(site_url="https://compliance.example.gov", server_port=443) is None
    assert port_mismatch_line(site_url="http://localhost", server_port=8000) is not None


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    ("host", "port", "site_url"),
    [("127.0.0.1", "8123", "http://127.0.0.1:8123"), ("0.0.0.0", "9000", "http://127.0.0.1:9000")],  # noqa: S104
)
def test_make_run_points_email_links_at_the_server_it_starts(host, port, site_url):
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "MAKEFLAGS", "MFLAGS"}}
    dry_run = subprocess.run(  # noqa: S603 (make, fixed arguments, -n: prints the commands, runs none)
        ["make", "-n", "run", f"HOST={host}", f"PORT={port}"],  # noqa: S607
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    commands = [line for line in dry_run.stdout.splitlines() if "manage.py" in line or "bin/celery" in line]
    names = [line.split("manage.py ")[1].split()[0] for line in commands if "manage.py" in line]
    assert names == ["migrate", "seed_demo", "run_jobs", "serve_demo"]
    for command in commands:
        assert f"SITE_URL={site_url} " in command, command
    assert commands[-1].endswith(f"serve_demo {host}:{port}")


@override_settings(SITE_URL="http://127.0.0.1:8123")
@time_machine.travel(NOW, tick=False)
class EmailLinksFollowSiteUrlTests(BaseTestCase):
    def test_the_hold_deadline_alert_links_to_the_configured_site(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, would_be_released_at=NOW - timedelta(hours=60))
        with self.captureOnCommitCallbacks(execute=True):
            call_command("run_jobs", stdout=StringIO())
        (message,) = mail.outbox
        self.assertIn(f"http://127.0.0.1:8123/detainers/{detainer.public_id}/", message.body)
        self.assertNotIn(":8000", message.body)


def _readme_table(first_header: str) -> list[list[str]]:
    """The rows of README.md's table whose first header cell is ``first_header``, cells without backticks."""
    lines = (Path(settings.BASE_DIR) / "README.md").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip().strip("`") for cell in line.strip("|").split("|")])
    return rows


@override_settings(DEBUG=True)
class ReadmeDemoTableTests(TestCase):
    """README.md's "Demo logins" tables say what ``seed_demo`` creates and what it prints."""

    def test_the_readme_demo_logins_are_the_users_roles_and_agencies_seed_demo_creates(self):
        call_command("seed_demo", stdout=StringIO())
        agencies = _readme_table("demo agency")
        all_names = {name for name, *_ in agencies}
        self.assertEqual(set(Agency.objects.values_list("name", flat=True)), all_names)
        for name, state, zone, models in agencies:
            agency = Agency.objects.get(name=name)
            self.assertEqual((agency.state, agency.time_zone), (state, zone))
            active = agency.agreements.filter(status=Agreement.Status.ACTIVE)
            self.assertEqual(sorted(active.values_list("model", flat=True)), models.split(", "))

        users = _readme_table("username")
        self.assertEqual(
            {username for username, *_ in users},
            set(User.objects.filter(username__startswith="demo-").values_list("username", flat=True)),
        )
        for username, role, scope in users:
            user = User.objects.get(username=username)
            expected = all_names if scope == EVERY_AGENCY else {scope}
            with self.subTest(username=username):
                self.assertTrue(user.check_password(DEMO_PASSWORD))
                self.assertEqual(list(user.groups.values_list("name", flat=True)), [role])
                for perm in access.ALL_PERMS:
                    held = set(access.agencies_for(user, perm).values_list("name", flat=True))
                    self.assertEqual(held, expected if perm in ROLE_PERMISSIONS[role] else set(), perm)

        readme = (Path(settings.BASE_DIR) / "README.md").read_text()
        self.assertIn(f"Every demo login has the password `{DEMO_PASSWORD}`", readme)

    def test_the_printed_logins_say_what_the_readme_table_says(self):
        lines = login_lines(sign_in_url="http://127.0.0.1:8000/accounts/login/")
        printed = [re.split(r"\s{2,}", line.strip()) for line in lines[1:-2]]  # then the second step and the password
        self.assertEqual(printed, _readme_table("username"))
        self.assertEqual(lines[-1], f"Password for every demo login: {DEMO_PASSWORD}")
