"""Development e-mail (``devmail://``, ``make run``'s default): each message in its own file, one short line printed."""

import re
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

import time_machine
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.test import override_settings

from compliance.mail_files import EmailBackend
from tests.base import BaseTestCase
from tests.incidents.helpers import make_detainer

LINE = re.compile(r'^E-mail to (\d+) recipients?: "(.+)" -> (\S+\.eml)$')
MIME_MARKERS = ("Content-Type", "MIME-Version", "Message-ID", "From:", "To:", "Subject:")
NOW = datetime(2026, 4, 13, 12, 0, tzinfo=UTC)


class DevMailTests(BaseTestCase):
    def setUp(self):
        folder = TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def test_each_message_goes_to_its_own_file_with_one_short_line(self):
        out = StringIO()
        first = EmailMessage(subject="Hold deadline near", body="Open: http://x/1/", to=["a@example.test"])
        second = EmailMessage(
            subject="Training notices", body="Body two", to=["b@example.test"], cc=["c@example.test"], bcc=["d@x.test"]
        )
        sent = EmailBackend(file_path=self.folder, stream=out).send_messages([first, second])

        self.assertEqual(sent, 2)
        lines = out.getvalue().splitlines()
        self.assertEqual([LINE.match(line).group(1, 2) for line in lines], [
            ("1", "Hold deadline near"), ("3", "Training notices"),
        ])  # fmt: skip
        files = sorted(self.folder.glob("*.eml"))
        self.assertEqual(len(files), 2)
        saved = {message_from_bytes(path.read_bytes())["Subject"]: path for path in files}
        self.assertEqual(Path(LINE.match(lines[0]).group(3)).resolve(), saved["Hold deadline near"].resolve())
        parsed = message_from_bytes(saved["Hold deadline near"].read_bytes())
        self.assertEqual(parsed["To"], "a@example.test")
        self.assertEqual(parsed.get_payload(), "Open: http://x/1/")
        # Addresses stay in the files, never on the console.
        self.assertNotIn("@", out.getvalue())

    def test_a_folder_that_cannot_be_written_raises_unless_told_to_fail_silently(self):
        not_a_folder = self.folder / "mail"
        not_a_folder.write_text("a file where the folder should be")
        message = EmailMessage(subject="S", body="B", to=["a@example.test"])
        with self.assertRaises(OSError):
            EmailBackend(file_path=not_a_folder, stream=StringIO()).send_messages([message])
        out = StringIO()
        self.assertEqual(
            EmailBackend(file_path=not_a_folder, stream=out, fail_silently=True).send_messages([message]), 0
        )
        self.assertEqual(out.getvalue(), "")

    @time_machine.travel(NOW, tick=False)
    def test_the_jobs_mail_under_make_run_prints_no_mime_message_to_stdout(self):
        # A hold past its deadline: the sweep e-mails agency A's supervisors.
        make_detainer(self.agency_a, actor=self.staff_a, would_be_released_at=NOW - timedelta(hours=60))
        stdout = StringIO()
        with (
            override_settings(EMAIL_BACKEND="compliance.mail_files.EmailBackend", EMAIL_FILE_PATH=str(self.folder)),
            redirect_stdout(stdout),
            self.captureOnCommitCallbacks(execute=True),
        ):
            call_command("run_jobs", stdout=stdout)

        printed = stdout.getvalue()
        mail_lines = [line for line in printed.splitlines() if line.startswith("E-mail")]
        self.assertEqual([LINE.match(line).group(2) for line in mail_lines], ["Hold deadline passed: act now"])
        for marker in (*MIME_MARKERS, "@", "Release the person now", "/detainers/"):
            self.assertNotIn(marker, printed)
        (saved,) = self.folder.glob("*.eml")
        body = message_from_bytes(saved.read_bytes()).get_payload()
        self.assertIn("Release the person now", body)
        self.assertIn("/detainers/", body)
