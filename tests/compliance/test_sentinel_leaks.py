"""SECURITY.md C2: nothing of agency B reaches an agency-A user: lists, look-ups, exports, reports, history.

Every text field of every agency-B record (and of agency B itself) holds ``ZZ-B-SENTINEL``,
saved through the model so its history rows carry it too. Then every page of the access table
that an agency permission guards (``tests/compliance/access_table.py``: lists, the dashboard,
detail and history pages of A's records, CSV/XLSX exports, the PDF reports rendered for A) is
fetched as each agency-A role, also with the sentinel typed into the usual search parameters
and posted to the name look-up, and the sentinel must not appear. Binary answers are read back
as text: XLSX with openpyxl, PDF with pypdf. The site admin's changelists are superuser-only
(the matrix checks no persona reaches them), so they are not crawled here.
"""

from __future__ import annotations

import io
from datetime import date

from django.db import models
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from compliance.core import access
from compliance.core.models import Report
from compliance.reports.services import report_request
from tests.base import BaseTestCase, sign_in
from tests.compliance.access_table import TABLE, Need
from tests.compliance.test_access_matrix import form_body
from tests.compliance.test_permission_matrix import build_records

SENTINEL = "ZZ-B-SENTINEL"
#: Query strings a list page may read; unknown ones are ignored by the pages.
SEARCHES = ("", "?q=ZZ-B&search=ZZ-B&name=ZZ-B")  # a prefix of the sentinel: a leak shows it whole


def seed_sentinel(instance) -> int:
    """Put ``SENTINEL`` in every free-text field of ``instance`` and save it (history too); returns how many."""
    changed = 0
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField) or field.choices or not field.editable:
            continue
        if field.name in ("public_id", "time_zone") or (field.max_length and field.max_length < len(SENTINEL)):
            continue
        setattr(instance, field.attname, SENTINEL)
        changed += 1
    instance.save()
    return changed


def text_of(response) -> str:
    """The text a person (or a program) would read from ``response``: HTML, CSV, XLSX or PDF."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if content.startswith(b"%PDF"):
        return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    if "spreadsheetml" in kind or content.startswith(b"PK"):
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row
        )
    return content.decode("utf-8", errors="replace")


class SentinelLeakTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.records = build_records(cls.agency_a, 1, cls.staff_a)
        records_b = build_records(cls.agency_b, 2, cls.staff_b)
        cls.seeded = sum(seed_sentinel(record) for record in records_b.values())
        cls.seeded += seed_sentinel(cls.agency_b)

    def setUp(self):
        # Real PDF reports of agency A, rendered now that agency B holds the sentinel.
        self.reports = []
        for kind in Report.Kind.values:
            with self.captureOnCommitCallbacks(execute=True):
                report = report_request(
                    actor=self.supervisor_a, agency=self.agency_a, kind=kind, as_of=date(2026, 1, 5)
                )
            report.refresh_from_db()
            self.assertEqual(report.status, Report.Status.READY, report.error)
            self.reports.append(report)

    def urls(self):
        """Every GET page of the table that an agency permission guards: A's records, or no record."""
        for name, needs in TABLE.items():
            for need in needs if isinstance(needs, tuple) else (needs,):
                if need.need not in access.ALL_PERMS or not need.get:
                    continue
                if need.record is None:
                    for search in SEARCHES:
                        yield name, need, reverse(name, kwargs=need.kwargs) + search
                elif need.record == "report":
                    for report in self.reports:
                        yield name, need, reverse(name, kwargs={"public_id": report.public_id})
                elif need.record in self.records:
                    record = self.records[need.record]
                    yield name, need, reverse(name, kwargs={"public_id": record.public_id, **need.kwargs})

    def test_C2_the_sentinel_is_really_seeded(self):
        self.assertGreater(self.seeded, 20)
        sign_in(self.client, self.auditor)  # reads both agencies: the sentinel shows for them
        response = self.client.get(reverse("incidents:detainer_list"))
        self.assertContains(response, SENTINEL)

    def test_C2_no_page_export_or_report_shows_agency_b_to_agency_a(self):
        pages = 0
        for user in (self.staff_a, self.supervisor_a, self.auditor_a, self.admin_a):
            sign_in(self.client, user)
            for name, need, url in self.urls():
                with self.subTest(user=user.username, url=url):
                    response = self.client.get(url)
                    self.assertLess(response.status_code, 500)
                    if response.status_code == 200:
                        pages += 1
                        self.assertNotIn(SENTINEL, text_of(response), f"{name} shows agency B's data")
                if need.post and need.need == access.VIEW and need.record is None:
                    self._post_lookup(name, need, url)
        self.assertGreater(pages, 100)

    def _post_lookup(self, name: str, need: Need, url: str) -> None:
        """A read by POST (the name look-up): every field of its form holds the sentinel."""
        body = {key: [SENTINEL] for key in form_body(self.client.get(url).content.decode(), url)}
        with self.subTest(url=url, method="POST"):
            response = self.client.post(url, body)
            self.assertLess(response.status_code, 500)
            self.assertNotIn(SENTINEL, text_of(response).replace(f'value="{SENTINEL}"', ""), f"{name} look-up")
