"""Detainer-log import: historical facility-level events, no subject data (../shared/data/detainers)."""

import io
import unittest
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from compliance.core.system_account import system_user
from incidents.detainer_import.models import DetainerEvent, DetainerImport
from incidents.detainer_import.services import detainer_events_import, detainer_events_preview, parse_event_date
from incidents.detainers.lift_reasons import LiftReason, UnknownLiftReason, map_lift_reason
from tests.base import BaseTestCase, sign_in

PA_FILE = Path(settings.BASE_DIR).parent / "shared" / "data" / "detainers" / "pa_detainers.csv"
HEADER = "date,lift_reason,det_facility,city,state,detainer_type\n"
GOOD = (
    HEADER + '2007-10-02 00:00:00,Case Closed,"MONTGOMERY CNTY JAIL, PA",NORRISTOWN,PENNSYLVANIA,\n'
    "10/03/2007,Lifted - Lack of Space,EXAMPLE JAIL,SOMEWHERE,PENNSYLVANIA,I247D - Immigration Detainer\n"
    "2008-01-05,,EXAMPLE JAIL,SOMEWHERE,PENNSYLVANIA,\n"
)
CHICAGO = ZoneInfo("America/Chicago")
BAD = (
    HEADER + "2007-13-02,Case Closed,EXAMPLE JAIL,X,PA,\n2007-10-02,Went Home,,X,PA,\n2007-10-03,Lifted,EXAMPLE,X,PA,\n"
)


def test_lift_reason_mapping():
    assert map_lift_reason("Booked into Detention") == LiftReason.BOOKED_INTO_DETENTION
    assert map_lift_reason("booked  into detention") == LiftReason.BOOKED_INTO_DETENTION
    assert map_lift_reason("United States Citizen Interviewed") == LiftReason.US_CITIZEN_CLAIM
    assert map_lift_reason("Alien Not Subject to Deportation") == LiftReason.NOT_AMENABLE
    assert map_lift_reason("Lifted - Lack of Funds") == LiftReason.ICE_RESOURCE_CONSTRAINT
    assert map_lift_reason("Lifted") == ""
    assert map_lift_reason("") == ""
    try:
        map_lift_reason("Went Home")
    except UnknownLiftReason as exc:
        assert "Went Home" in str(exc)
    else:
        raise AssertionError("an unknown reason must be refused")


def test_event_dates():
    assert str(parse_event_date("2007-10-02 00:00:00", zone=CHICAGO)) == "2007-10-02"
    assert str(parse_event_date("2007-10-02T23:15", zone=CHICAGO)) == "2007-10-02"
    assert str(parse_event_date("3/4/2025", zone=CHICAGO)) == "2025-03-04"
    # An instant with an offset is dated on the agency's clock: 02:00 UTC is the evening before in Chicago.
    assert str(parse_event_date("2025-03-04 02:00Z", zone=CHICAGO)) == "2025-03-03"
    for bad in ("13/04/2025", "2025-02-30", "yesterday", "2025-03-04 25:00", "2025-03-04 2pm"):
        try:
            parse_event_date(bad, zone=CHICAGO)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_event_dates_at_the_far_ends_of_the_calendar_are_row_errors_not_overflows():
    # 0001-01-01 read on a clock five hours east of UTC, or 9999-12-31 23:30 in Chicago, falls outside
    # Python's calendar once converted: refused with the forms' message, never an OverflowError.
    for far in ("0001-01-01 00:10+05:00", "9999-12-31 23:30", "9999-12-31", "01/01/0001"):
        with pytest.raises(ValueError, match="Enter a date from 1900-01-01 to 2199-12-31"):
            parse_event_date(far, zone=CHICAGO)


class DetainerImportServiceTests(BaseTestCase):
    def test_preview_writes_nothing_and_counts_reasons(self):
        preview = detainer_events_preview(agency=self.agency_a, data=GOOD.encode(), file_name="log.csv")
        self.assertEqual((preview.rows, preview.valid_rows, preview.error_rows), (3, 3, 0))
        self.assertEqual(
            dict(preview.by_reason),
            {"Case Closed": 1, "ICE Temporary Resource Constraint": 1, "(none recorded: still active)": 1},
        )
        self.assertFalse(DetainerEvent.objects.exists())
        self.assertFalse(DetainerImport.objects.exists())

    def test_all_or_nothing_lists_every_bad_row(self):
        result = detainer_events_import(actor=self.staff_a, agency=self.agency_a, data=BAD.encode(), file_name="b.csv")
        self.assertFalse(result.ok)
        self.assertEqual(len(result.errors), 3)
        self.assertIn("Line 2, date", result.errors[0])
        self.assertTrue(any("Line 3, lift_reason" in e for e in result.errors))
        self.assertTrue(any("Line 3, det_facility" in e for e in result.errors))
        self.assertFalse(DetainerEvent.objects.exists())
        self.assertFalse(DetainerImport.objects.exists())

    def test_valid_rows_only_when_chosen(self):
        result = detainer_events_import(
            actor=self.staff_a, agency=self.agency_a, data=BAD.encode(), file_name="b.csv", only_valid_rows=True
        )
        self.assertTrue(result.ok)
        self.assertEqual(result.imported, 1)
        [event] = DetainerEvent.objects.all()
        self.assertEqual((event.lift_reason, event.lift_reason_raw), ("", "Lifted"))
        self.assertEqual((result.batch.row_count, result.batch.rows_skipped), (1, 2))

    def test_unknown_header_is_refused_whole(self):
        data = b"date,name,det_facility\n2007-10-02,Someone,JAIL\n"
        preview = detainer_events_preview(agency=self.agency_a, data=data, file_name="x.csv")
        self.assertFalse(preview.readable)
        self.assertIn("Unknown column(s) in the header: name", preview.file_error)

    def test_the_import_is_recorded_and_audited_and_the_same_file_is_refused(self):
        first = detainer_events_import(actor=self.staff_a, agency=self.agency_a, data=GOOD.encode(), file_name="g.csv")
        self.assertTrue(first.ok)
        batch = first.batch
        self.assertEqual((batch.row_count, batch.uploaded_by, batch.file_name), (3, self.staff_a, "g.csv"))
        self.assertEqual(len(batch.sha256), 64)
        self.assertEqual(batch.history.first().history_user, self.staff_a)
        again = detainer_events_import(actor=self.staff_a, agency=self.agency_a, data=GOOD.encode(), file_name="h.csv")
        self.assertFalse(again.ok)
        self.assertTrue(again.already_imported)
        self.assertIn("already imported", again.errors[0])
        self.assertEqual(DetainerEvent.objects.count(), 3)
        # Another agency may import the same file.
        self.assertTrue(
            detainer_events_import(actor=self.staff_b, agency=self.agency_b, data=GOOD.encode(), file_name="g.csv").ok
        )


@unittest.skipUnless(PA_FILE.exists(), f"{PA_FILE} is absent (shared data not checked out)")
class PennsylvaniaFileTests(BaseTestCase):
    def test_the_real_pa_file_imports_with_mapped_lift_reasons_once(self):
        out = io.StringIO()
        call_command(
            "import_detainer_events",
            str(PA_FILE),
            "--agency",
            f"{self.agency_a.state}:{self.agency_a.name}",
            stdout=out,
        )
        self.assertIn("32757 detainer events", out.getvalue())
        self.assertEqual(DetainerEvent.objects.filter(agency=self.agency_a).count(), 32_757)
        counts = Counter(DetainerEvent.objects.values_list("lift_reason", flat=True))
        self.assertEqual(counts[LiftReason.BOOKED_INTO_DETENTION], 18_143)
        self.assertEqual(counts[LiftReason.CASE_CLOSED], 1_457)
        self.assertEqual(counts[LiftReason.DECLINED_BY_LEA], 225)
        self.assertEqual(counts[LiftReason.NOT_AMENABLE], 86)
        self.assertEqual(counts[LiftReason.US_CITIZEN_CLAIM], 61)
        self.assertEqual(counts[LiftReason.PROSECUTORIAL_DISCRETION], 36)
        self.assertEqual(counts[LiftReason.EARLY_RELEASE], 33)
        self.assertEqual(counts[LiftReason.NO_LONGER_IN_CUSTODY], 22)  # "Died"
        self.assertEqual(counts[LiftReason.ICE_RESOURCE_CONSTRAINT], 12)  # lack of funds 8 + space 4
        self.assertEqual(counts[""], 11_229 + 1_220 + 233)  # blank, "Lifted", "Transferred"
        self.assertEqual(DetainerEvent.objects.filter(lift_reason_raw="Transferred").count(), 233)
        batch = DetainerImport.objects.get()
        self.assertEqual(
            (batch.row_count, batch.file_name, batch.uploaded_by), (32_757, "pa_detainers.csv", system_user())
        )

        again = io.StringIO()
        call_command(
            "import_detainer_events",
            str(PA_FILE),
            "--agency",
            f"{self.agency_a.state}:{self.agency_a.name}",
            stdout=again,
        )
        self.assertIn("already imported", again.getvalue())
        self.assertEqual(DetainerEvent.objects.count(), 32_757)
        self.assertEqual(DetainerImport.objects.count(), 1)


class ImportCommandTests(BaseTestCase):
    def test_bad_agency_and_user(self, tmp=None):
        path = Path(settings.BASE_DIR) / "var" / "test-detainer-log.csv"
        path.parent.mkdir(exist_ok=True)
        path.write_text(GOOD)
        try:
            with self.assertRaisesMessage(CommandError, "STATE:Name"):
                call_command("import_detainer_events", str(path), "--agency", "nonsense")
            with self.assertRaisesMessage(CommandError, "may not change records"):
                call_command(
                    "import_detainer_events",
                    str(path),
                    "--agency",
                    f"{self.agency_a.state}:{self.agency_a.name}",
                    "--as",
                    self.auditor_a.username,
                )
        finally:
            path.unlink()


class DetainerImportViewTests(BaseTestCase):
    url = "/detainer-imports/"

    def login(self, user):
        sign_in(self.client, user)

    def upload(self, data: str, name="log.csv", agency=None):
        file = io.BytesIO(data.encode())
        file.name = name
        post = {"file": file, "encoding": "utf-8"}
        if agency is not None:
            post["agency"] = str(agency.public_id)
        return self.client.post(self.url, post)

    def test_upload_preview_confirm(self):
        self.login(self.staff_a)
        response = self.upload(GOOD)
        upload = DetainerImport.objects.get()
        self.assertRedirects(response, reverse("incidents:detainer_import_preview", args=[upload.public_id]))
        page = self.client.get(response.url)
        self.assertContains(page, "ICE Temporary Resource Constraint")
        self.assertFalse(DetainerEvent.objects.exists())
        with self.captureOnCommitCallbacks(execute=True):
            done = self.client.post(response.url, {"choice": "all", "digest": upload.sha256})
        self.assertRedirects(done, self.url)
        upload.refresh_from_db()
        self.assertEqual((upload.status, upload.row_count), (DetainerImport.Status.IMPORTED, 3))
        self.assertFalse(upload.file)
        self.assertEqual(DetainerEvent.objects.filter(agency=self.agency_a).count(), 3)

    def test_all_or_nothing_refused_with_errors_then_valid_only(self):
        self.login(self.staff_a)
        response = self.upload(BAD)
        upload = DetainerImport.objects.get()
        page = self.client.post(response.url, {"choice": "all", "digest": upload.sha256})
        self.assertContains(page, "“Import all rows” is not possible")
        self.assertContains(page, "Unknown lift reason")
        self.assertFalse(DetainerEvent.objects.exists())
        self.client.post(response.url, {"choice": "valid_only", "digest": upload.sha256})
        self.assertEqual(DetainerEvent.objects.count(), 1)

    def test_other_agency_and_other_user_get_404(self):
        self.login(self.staff_a)
        response = self.upload(GOOD)
        self.client.logout()
        for user in (self.staff_b, self.supervisor_a):
            self.login(user)
            self.assertEqual(self.client.get(response.url).status_code, 404)
            self.assertEqual(self.client.post(response.url + "discard/").status_code, 404)
            self.client.logout()
        self.assertEqual(DetainerImport.objects.get().status, DetainerImport.Status.PENDING)
        self.login(self.staff_a)
        self.assertRedirects(self.client.post(response.url + "discard/"), self.url)
        self.assertEqual(DetainerImport.objects.get().status, DetainerImport.Status.DISCARDED)

    def test_auditors_are_read_only(self):
        self.login(self.auditor_a)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.upload(GOOD).status_code, 403)
        self.assertFalse(DetainerImport.objects.exists())


@time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=UTC), tick=False)
class LocalTimeRuleTests(BaseTestCase):
    """Case D3, "Imports apply the same rule": a time in the date cell must be real on the agency's clock."""

    def preview(self, *cells: str):
        rows = "".join(f"{cell},Case Closed,EXAMPLE JAIL,SOMEWHERE,PENNSYLVANIA,\n" for cell in cells)
        return detainer_events_preview(agency=self.agency_a, data=(HEADER + rows).encode(), file_name="d3.csv")

    def test_case_D3_import_refuses_a_time_that_does_not_exist(self):
        preview = self.preview("2026-03-07 02:30:00", "2026-03-08 02:30:00")
        self.assertEqual((preview.valid_rows, preview.error_rows), (1, 1))
        [error] = preview.errors
        self.assertEqual((error.line, error.column), (3, "date"))
        self.assertEqual(
            str(error),
            "Line 3, date: 2026-03-08 02:30 does not exist in America/Chicago: that night the clocks moved forward "
            "from CST (UTC−06:00) to CDT (UTC−05:00). Check the time.",
        )
        result = detainer_events_import(
            actor=self.staff_a,
            agency=self.agency_a,
            data=(HEADER + "2026-03-08 02:30:00,,J,X,PA,\n").encode(),
            file_name="d3.csv",
        )
        self.assertFalse(result.ok)
        self.assertFalse(DetainerEvent.objects.exists())

    def test_case_D3_import_refuses_a_time_that_occurs_twice(self):
        preview = self.preview("2026-11-01 01:30:00")
        [error] = preview.errors
        self.assertEqual((error.line, error.column), (2, "date"))
        self.assertIn("2026-11-01 01:30 happens twice in America/Chicago", error.message)
        self.assertIn("01:30 CDT (UTC−05:00) = 06:30 UTC, or 01:30 CST (UTC−06:00) = 07:30 UTC", error.message)
        self.assertIn(
            'Say which with its UTC offset: "2026-11-01 01:30-05:00" or "2026-11-01 01:30-06:00".', error.message
        )

    def test_case_D3_import_accepts_an_explicit_offset(self):
        preview = self.preview("2026-11-01 01:30-05:00", "2026-11-01 01:30:00-06:00", "2026-11-01T06:30:00Z")
        self.assertEqual(preview.errors, [])
        self.assertEqual([str(event.occurred_on) for event in preview.events], ["2026-11-01"] * 3)

    def test_the_same_time_is_real_in_another_zone(self):
        # Agency B is in America/Phoenix (no daylight time): 2026-03-08 02:30 happened there once.
        data = (HEADER + "2026-03-08 02:30:00,,EXAMPLE JAIL,X,AZ,\n").encode()
        preview = detainer_events_preview(agency=self.agency_b, data=data, file_name="b.csv")
        self.assertEqual((preview.valid_rows, preview.errors), (1, []))
