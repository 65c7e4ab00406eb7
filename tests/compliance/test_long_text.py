"""An unbroken 100,000-character narrative: stored whole, shown wrapped on its pages and in the PDF report.

Pages wrap typed text anywhere (``static/css/app.css``; the browser test checks the layout). The
PDF's notes pass through ``|breakable`` (``compliance.reports.pdf.break_long_runs``): WeasyPrint
re-laid the rest of an unbroken run for every line, and this note took ten minutes; it now takes
seconds. The time limit below only catches that quadratic behaviour coming back; it is no budget.
"""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, date, datetime, timedelta

from django.test import SimpleTestCase
from django.urls import reverse
from pypdf import PdfReader

from compliance.core.models import Report
from compliance.reports.detainer_log import detainer_log_context
from compliance.reports.pdf import BREAK_EVERY, LONG_RUN, break_long_runs
from compliance.reports.rendering import report_render
from incidents.incident_log import services as incident_services
from incidents.incident_log.models import Incident
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import local_datetime_post, make_detainer

#: 100,000 characters without a space: an invented evidence reference pasted again and again.
UNBROKEN = ("EVIDENCE-REF-" + "0123456789ABCDEF" * 6300)[:100_000]
#: Far more than the note needs now (seconds); the quadratic layout took about 600 s on a 2-core machine.
PDF_SECONDS_LIMIT = 120


class BreakLongRunsTests(SimpleTestCase):
    def test_words_and_runs_up_to_the_limit_are_left_as_typed(self):
        text = "Booking BK-00061 reviewed; " + "R" * LONG_RUN
        self.assertEqual(break_long_runs(text), text)

    def test_a_longer_run_gets_a_zero_width_space_every_few_characters_and_nothing_else(self):
        broken = break_long_runs("see " + "A" * 45)
        self.assertEqual(broken, "see " + "\u200b".join(["A" * BREAK_EVERY] * 4 + ["A" * 5]))
        self.assertEqual(break_long_runs(UNBROKEN).replace("\u200b", ""), UNBROKEN)


class LongNarrativeTests(BaseTestCase):
    def test_a_100000_character_description_is_stored_whole_and_shown_on_its_pages(self):
        sign_in(self.client, self.staff_a)
        data = {
            "kind": Incident.Kind.COMPLAINT,
            "severity": Incident.Severity.MEDIUM,
            "immigration_related": Incident.Immigration.UNSURE,
            "title": "T" * 200,  # the longest title, unbroken
            "description": UNBROKEN,
            **local_datetime_post("occurred_at", "2026-01-05", "09:00"),
        }
        response = self.client.post(reverse("incidents:incident_create"), data)
        self.assertEqual(response.status_code, 302)
        incident = Incident.objects.get()
        self.assertEqual(incident.description, UNBROKEN)

        page = self.client.get(reverse("incidents:incident_detail", args=[incident.public_id]))
        self.assertContains(page, f"<p>{UNBROKEN}</p>", html=False)
        edit = {**data, "description": UNBROKEN[::-1]}
        self.client.post(reverse("incidents:incident_edit", args=[incident.public_id]), edit)
        history = self.client.get(reverse("history", args=["incidents.incident", incident.public_id]))
        self.assertContains(history, UNBROKEN)
        self.assertContains(history, UNBROKEN[::-1])
        self.assertContains(history, '<td class="app-typed">', html=False)

    def test_the_detainer_log_pdf_prints_the_whole_note_wrapped_in_bounded_time(self):
        received = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
        detainer = make_detainer(self.agency_a, actor=self.supervisor_a, received_at=received)
        incident_services.incident_create(
            agency=self.agency_a,
            actor=self.supervisor_a,
            kind=Incident.Kind.COMPLAINT,
            severity=Incident.Severity.MEDIUM,
            title="Complaint about the hold",
            description=UNBROKEN,
            occurred_at=received + timedelta(days=1),
            detainer=detainer,
        )
        report = Report(
            agency=self.agency_a, kind=Report.Kind.DETAINER_LOG, as_of=date(2026, 3, 31), requested_by=self.supervisor_a
        )
        context = detainer_log_context(report=report, generated_at=datetime(2026, 4, 1, 15, 0, tzinfo=UTC))
        report.checked_at = context["checked_at"]
        report.save()
        # The whole report through the engine: cover, the log's line ("A-1"), the note in the appendix.
        started = time.monotonic()
        rendered = report_render(report_id=report.pk)
        elapsed = time.monotonic() - started

        self.assertEqual(rendered.status, Report.Status.READY, rendered.error)
        self.assertLess(elapsed, PDF_SECONDS_LIMIT)
        with rendered.file.open("rb") as handle:
            text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
        self.assertIn("A-1 · BK-00001", text)
        self.assertNotIn("\u200b", text)  # the break points are not in the PDF's text
        # The note's lines, in order, between the pages' headers and footers: every character is there.
        lines = [line.strip() for line in text.splitlines()]
        first = next(n for n, line in enumerate(lines) if "EVIDENCE-REF-" in line)
        note = lines[first][lines[first].index("EVIDENCE-REF-") :]
        note += "".join(line for line in lines[first + 1 :] if re.fullmatch(r"[0-9A-F]+", line))
        self.assertTrue(note == UNBROKEN, f"{len(note)} of {len(UNBROKEN)} characters read back")
        # Wrapped inside the appendix's text block: many pages of lines, none wider than the block holds (about
        # 120 characters at 8 pt on a letter page).
        self.assertGreater(rendered.page_count, 10)
        self.assertTrue(all(len(line) < 140 for line in lines if re.fullmatch(r"[0-9A-F]+", line)))
