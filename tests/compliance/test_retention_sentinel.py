"""The sentinel test (SECURITY.md G3): after the purge, no copy of an expired subject is left anywhere.

A detainer subject with a unique sentinel name and A-number, edited, searched for (the search keeps the name's
keys in the session), exported (CSV and XLSX) and listed in a PDF report; a public complaint with a sentinel
contact, narrative and attachment, then closed. The clock moves past every retention period, the purge runs
(``now=``), and ``tests.privacy_search.search_everywhere`` finds the sentinels nowhere — every table (ORM and raw
SQL), every stored file (PDF text, XLSX members), the cache and the sessions — while a second subject under a
legal hold keeps its own sentinel. The dashboard and transparency figures are the same before and after.
"""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import UTC, date, datetime

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from community.transparency.figures import transparency_sections
from community.transparency.periods import period_parse
from compliance.core.models import Report, RetentionPurge
from compliance.core.privacy.holds import legal_hold_place
from compliance.dashboard.figures import dashboard_figures
from compliance.reports.rendering import report_render
from compliance.reports.services import report_request
from compliance.retention.purge import retention_purge
from incidents.complaints.services import complaint_submit
from incidents.detainers.models import Detainer
from incidents.detainers.services import detainer_update
from incidents.incident_log.models import Incident
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import make_detainer
from tests.privacy_search import search_everywhere

SENTINEL_NAME = "Qzxsentinelname"
SENTINEL_FIRST = "Qzxsentinelfirst"
SENTINEL_A_NUMBER = "A999777111"
SENTINEL_CONTACT = "Qzxcomplainant"
SENTINEL_EMAIL = "qzxcomplainant@example.test"
SENTINEL_NARRATIVE = "Qzxnarrative"
HELD_NAME = "Keptqzxperson"

OUTCOME_AT = datetime(2026, 1, 8, 15, 0, tzinfo=UTC)
#: Past every default period (five years for subjects and cases, three for reports, one for notifications).
PURGE_AT = datetime(2032, 3, 1, 12, 0, tzinfo=UTC)
FIGURES_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

PURGED = [SENTINEL_NAME, SENTINEL_FIRST, SENTINEL_A_NUMBER, SENTINEL_CONTACT, SENTINEL_EMAIL, SENTINEL_NARRATIVE]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, "PNG")
    return buffer.getvalue()


def _figures(agency) -> tuple:
    cache.clear()
    dashboard = dataclasses.asdict(dashboard_figures(agency=agency, now=FIGURES_AT))
    dashboard = {key: value for key, value in dashboard.items() if not key.startswith("cached")}
    sections = transparency_sections(agency=agency, period=period_parse("2026"), now=FIGURES_AT)
    # The charts' SVG carry a random element id per drawing; everything else must be equal.
    return UUID.sub("<id>", repr(dashboard)), repr(sections)


class SentinelTests(BaseTestCase):
    def setUp(self):
        self.subject = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            number=1,
            subject_last_name=SENTINEL_NAME,
            a_number=SENTINEL_A_NUMBER,
            subject_date_of_birth=date(1980, 2, 3),
        )
        detainer_update(detainer=self.subject, actor=self.staff_a, subject_first_name=SENTINEL_FIRST)
        self.held = make_detainer(
            self.agency_a, actor=self.staff_a, number=2, subject_last_name=HELD_NAME, a_number="A999777222"
        )
        for detainer in (self.subject, self.held):
            detainer.refresh_from_db()
            detainer.outcome, detainer.outcome_at = Detainer.Outcome.RELEASED, OUTCOME_AT
            detainer.save()
        legal_hold_place(
            record=self.held, actor=self.supervisor_a, scope="subject", reason="litigation", reference="CV-2026-77"
        )
        self.case = complaint_submit(
            agency=self.agency_a,
            description=f"{SENTINEL_NARRATIVE} was not given an interpreter",
            occurred_at=datetime(2026, 1, 6, 18, 0, tzinfo=UTC),
            name=SENTINEL_CONTACT,
            email=SENTINEL_EMAIL,
            phone="555-0100",
            uploads=[SimpleUploadedFile(f"{SENTINEL_CONTACT}.png", _png(), content_type="image/png")],
        )
        case = Incident.objects.get(pk=self.case.pk)
        case.status, case.closure, case.closed_at = Incident.Status.CLOSED, Incident.Closure.REVIEWED, OUTCOME_AT
        case.save()

    def _use_the_record(self):
        """Search for the subject (keys kept in the session), export the log, render a PDF report listing it."""
        sign_in(self.client, self.supervisor_a)
        listing = reverse("incidents:detainer_list")
        self.client.post(listing, {"subject_last_name": SENTINEL_NAME, "subject_first_name": SENTINEL_FIRST})
        self.client.post(listing, {"booking_or_a_number": SENTINEL_A_NUMBER})
        exports = {}
        for fmt in ("csv", "xlsx"):
            response = self.client.get(reverse("incidents:detainer_export"), {"format": fmt})
            exports[fmt] = b"".join(response.streaming_content)
        self.assertIn(SENTINEL_NAME.encode(), exports["csv"])
        report = report_request(
            actor=self.supervisor_a, agency=self.agency_a, kind=Report.Kind.DETAINER_LOG, as_of=date(2026, 1, 31)
        )
        report = report_render(report_id=report.pk)
        self.assertEqual(report.status, Report.Status.READY)
        return report

    def test_G3_the_purge_leaves_no_copy_of_an_expired_subject(self):
        self._use_the_record()
        before = search_everywhere(PURGED)
        self.assertTrue(any("incidents.HistoricalDetainer" in hit for hit in before))
        self.assertTrue(any("PDF text" in hit for hit in before), "the sentinel is in the report's PDF")
        self.assertTrue(any(hit.startswith("session") for hit in before), "the search is kept in the session")
        figures_before = _figures(self.agency_a)

        retention_purge(now=PURGE_AT)

        self.assertEqual(search_everywhere(PURGED), [])
        kept = search_everywhere([HELD_NAME])
        self.assertIn(f"incidents.Detainer.subject_last_name #{self.held.pk}: {HELD_NAME}", kept)
        self.assertEqual(_figures(self.agency_a), figures_before)
        subject = RetentionPurge.objects.get(agency=self.agency_a, kind="detainer-subject")
        self.assertEqual((subject.purged, subject.held), (1, 1))
        self.assertTrue(RetentionPurge.objects.filter(kind="case-narrative", purged=1).exists())
        # The audit rows hold counts, never the data (D7: they survive, with ids and figures only).
        self.assertEqual([hit for hit in search_everywhere(PURGED) if "RetentionPurge" in hit], [])

    def test_G3_a_second_purge_changes_nothing(self):
        retention_purge(now=PURGE_AT)
        rows = retention_purge(now=PURGE_AT)
        self.assertEqual(sum(row.purged for row in rows if row.agency_id is not None), 0)
        self.assertEqual(search_everywhere(PURGED), [])
