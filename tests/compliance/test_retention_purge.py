"""The retention purge (SECURITY.md G3, D7): what it erases, what it keeps, holds, idempotence, its audit rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from compliance.core.models import AccessLog, AccountEvent, LegalHold, RetentionPurge, RetentionSettings, Schedule
from compliance.core.privacy.holds import legal_hold_place
from compliance.core.privacy.schedules import retention_settings_for, retention_settings_save
from compliance.retention.purge import PURGED_TITLE, retention_due, retention_purge
from incidents.case_files.models import CaseAttachment
from incidents.complaints.models import ComplaintContact
from incidents.detainers.models import Detainer
from incidents.detainers.services import detainer_update
from incidents.incident_log.models import Incident
from tests.base import BaseTestCase
from tests.compliance.helpers import make_incident, make_ready_report
from tests.incidents.helpers import make_detainer

OUTCOME_AT = datetime(2026, 1, 7, 15, 0, tzinfo=UTC)
#: Past the default five years after the outcome.
LATER = OUTCOME_AT + timedelta(days=5 * 365 + 1)


def ended(detainer: Detainer, at: datetime = OUTCOME_AT) -> Detainer:
    Detainer.objects.filter(pk=detainer.pk).update(outcome=Detainer.Outcome.RELEASED, outcome_at=at)
    detainer.refresh_from_db()
    return detainer


class DetainerPurgeTests(BaseTestCase):
    def setUp(self):
        self.detainer = ended(
            make_detainer(
                self.agency_a, actor=self.staff_a, number=1, subject_last_name="Purgeme", a_number="A999000001"
            )
        )
        detainer_update(detainer=self.detainer, actor=self.staff_a, subject_first_name="Renamed")
        self.detainer.refresh_from_db()

    def test_G3_an_expired_subject_is_erased_here_and_in_every_history_row(self):
        retention_purge(now=LATER)
        self.detainer.refresh_from_db()
        self.assertEqual((self.detainer.subject_last_name, self.detainer.subject_first_name), ("", ""))
        self.assertEqual(self.detainer.a_number, "")
        self.assertEqual(self.detainer.booking_number, "")
        self.assertIsNone(self.detainer.subject_date_of_birth)
        self.assertEqual(self.detainer.outcome, Detainer.Outcome.RELEASED)  # the fact stays
        history = list(self.detainer.history.values_list("subject_last_name", "subject_first_name", "a_number"))
        self.assertGreaterEqual(len(history), 3)
        self.assertEqual(set(history), {("", "", "")})

    def test_G3_the_record_page_says_its_personal_data_was_removed(self):
        from django.urls import reverse

        from tests.base import sign_in

        retention_purge(now=LATER)
        sign_in(self.client, self.supervisor_a)
        page = self.client.get(reverse("incidents:detainer_detail", args=[self.detainer.public_id]))
        self.assertContains(page, 'data-testid="personal-data-purged"')
        self.assertNotContains(page, "Purgeme")
        # Trial #14 item 2: the title names the removal, and nothing is left to hold.
        self.assertContains(page, "<title>Detainer I-247A — booking [removed at the end of retention]", html=False)
        self.assertContains(page, "<h1>Detainer I-247A — booking [removed at the end of retention]</h1>", html=True)
        self.assertNotContains(page, 'data-testid="place-legal-hold"')
        listing = self.client.get(reverse("incidents:detainer_list") + "?outcome=all").content.decode()
        link = reverse("incidents:detainer_detail", args=[self.detainer.public_id])
        self.assertIn(f'<a href="{link}">[removed at the end of retention]</a>', listing)

    def test_G3_a_subject_within_its_period_is_kept(self):
        retention_purge(now=LATER - timedelta(days=2))
        self.detainer.refresh_from_db()
        self.assertEqual(self.detainer.subject_last_name, "Purgeme")

    def test_G3_the_period_is_the_agencys_own(self):
        days = {f: getattr(retention_settings_for(self.agency_a), f) for f in _fields()}
        days["detainer_subject_days"] = 30
        retention_settings_save(agency=self.agency_a, actor=self.admin_a, **days)
        retention_purge(now=OUTCOME_AT + timedelta(days=31))
        self.detainer.refresh_from_db()
        self.assertEqual(self.detainer.subject_last_name, "")
        row = RetentionPurge.objects.get(agency=self.agency_a, kind="detainer-subject")
        self.assertEqual((row.purged, row.held, row.period_days), (1, 0, 30))
        self.assertEqual(row.configured_by, self.admin_a)
        self.assertIsNotNone(row.configured_at)

    def test_G3_a_rerun_purges_nothing_more_and_says_so(self):
        retention_purge(now=LATER)
        rows = retention_purge(now=LATER + timedelta(days=1))
        subject = [r for r in rows if r.kind == "detainer-subject" and r.agency_id == self.agency_a.pk]
        self.assertEqual(subject[0].purged, 0)

    def test_G3_the_dry_run_counts_what_the_purge_then_purges_and_writes_nothing(self):
        legal_hold_place(
            record=ended(make_detainer(self.agency_a, actor=self.staff_a, number=3)),
            actor=self.supervisor_a,
            scope="record",
            reason="litigation",
            reference="CV-3",
        )
        settings = retention_settings_for(self.agency_a)
        due = {d.kind: d for d in retention_due(settings, now=LATER)}
        self.assertEqual((due["detainer-subject"].purged, due["detainer-subject"].held), (1, 1))
        self.assertFalse(RetentionPurge.objects.exists())
        self.detainer.refresh_from_db()
        self.assertEqual(self.detainer.subject_last_name, "Purgeme")  # the dry run wrote nothing
        rows = {r.kind: r for r in retention_purge(agency_ids=[self.agency_a.pk], now=LATER) if r.agency_id}
        for kind, expected in due.items():
            self.assertEqual((rows[kind].purged, rows[kind].held), (expected.purged, expected.held), kind)

    def test_G3_a_pending_detainer_is_never_purged(self):
        pending = make_detainer(self.agency_a, actor=self.staff_a, number=2, subject_last_name="Stillheld")
        retention_purge(now=LATER + timedelta(days=3650))
        pending.refresh_from_db()
        self.assertEqual(pending.subject_last_name, "Stillheld")

    def test_G3_a_record_under_legal_hold_is_skipped_and_counted(self):
        legal_hold_place(
            record=self.detainer, actor=self.supervisor_a, scope="record", reason="litigation", reference="CV-1"
        )
        retention_purge(now=LATER)
        self.detainer.refresh_from_db()
        self.assertEqual(self.detainer.subject_last_name, "Purgeme")
        row = RetentionPurge.objects.get(agency=self.agency_a, kind="detainer-subject")
        self.assertEqual((row.purged, row.held), (0, 1))

    def test_G3_a_subject_hold_keeps_every_record_of_the_subject(self):
        other = ended(
            make_detainer(
                self.agency_a, actor=self.staff_a, number=3, subject_last_name="Purgeme", a_number="A999000001"
            )
        )
        stranger = ended(
            make_detainer(self.agency_a, actor=self.staff_a, number=4, subject_last_name="Other", a_number="A999000002")
        )
        legal_hold_place(
            record=self.detainer, actor=self.admin_a, scope="subject", reason="records_request", reference="RR-7"
        )
        retention_purge(now=LATER)
        for record, name in ((self.detainer, "Purgeme"), (other, "Purgeme"), (stranger, "")):
            record.refresh_from_db()
            self.assertEqual(record.subject_last_name, name)

    def test_G3_a_released_hold_no_longer_keeps_the_record(self):
        from compliance.core.privacy.holds import legal_hold_release

        hold = legal_hold_place(
            record=self.detainer, actor=self.supervisor_a, scope="record", reason="other", reference="X-1"
        )
        legal_hold_release(hold=hold, actor=self.supervisor_a, reason="Case settled")
        retention_purge(now=LATER)
        self.detainer.refresh_from_db()
        self.assertEqual(self.detainer.subject_last_name, "")
        self.assertEqual(LegalHold.objects.get().history.count(), 2)

    def test_G3_the_purge_audit_row_holds_no_data(self):
        retention_purge(now=LATER)
        for row in RetentionPurge.objects.all():
            text = " ".join(str(v) for v in row.__dict__.values())
            self.assertNotIn("Purgeme", text)
            self.assertNotIn("A999000001", text)


def _fields():
    from compliance.core.models import SCHEDULE_FIELDS

    return [field for field, _default in SCHEDULE_FIELDS.values()]


class CasePurgeTests(BaseTestCase):
    def test_G3_a_closed_complaint_loses_its_contact_narratives_and_files(self):
        case = make_incident(self.agency_a, 1, status=Incident.Status.CLOSED)
        Incident.objects.filter(pk=case.pk).update(description="Complainant Zed said", closed_at=OUTCOME_AT)
        ComplaintContact.objects.create(incident=case, name="Zed Complainant", email="zed@example.org")
        attachment = CaseAttachment.objects.create(
            incident=case,
            file_name="zed.png",
            content_type="image/png",
            size=3,
            sha256="0" * 64,
            uploaded_at=OUTCOME_AT,
        )
        attachment.file.save("zed-file", ContentFile(b"png"), save=True)
        path = attachment.file.name
        retention_purge(now=LATER)
        case.refresh_from_db()
        attachment.refresh_from_db()
        self.assertEqual((case.description, case.title), ("", PURGED_TITLE))
        self.assertFalse(ComplaintContact.objects.filter(incident=case).exists())
        self.assertEqual((attachment.file.name, attachment.file_name), ("", ""))
        self.assertFalse(default_storage.exists(path))
        self.assertEqual(set(case.history.values_list("description", flat=True)), {""})

    def test_G3_an_open_case_is_kept(self):
        case = make_incident(self.agency_a, 2)
        ComplaintContact.objects.create(incident=case, name="Open Case")
        retention_purge(now=LATER)
        self.assertTrue(ComplaintContact.objects.filter(incident=case).exists())


class ReportPurgeTests(BaseTestCase):
    def test_G3_an_old_report_pdf_is_deleted_and_its_row_kept(self):
        report = make_ready_report(self.agency_a, self.supervisor_a)
        type(report).objects.filter(pk=report.pk).update(finished_at=OUTCOME_AT)
        path = report.file.name
        retention_purge(now=OUTCOME_AT + timedelta(days=3 * 365 + 1))
        report.refresh_from_db()
        self.assertEqual(report.file.name, "")
        self.assertFalse(default_storage.exists(path))
        self.assertEqual(report.page_count, 1)


class AuditLogRetentionTests(BaseTestCase):
    def _log(self, at, **fields):
        # ``at`` is stamped on insert (auto_now_add): the clock is moved, the row never rewritten.
        with time_machine.travel(at, tick=False):
            return AccessLog.objects.create(
                user=self.staff_a, username="staff_a", agency=self.agency_a, action=AccessLog.Action.VIEW, **fields
            )

    def test_D7_access_log_rows_newer_than_365_days_are_never_deleted(self):
        now = datetime(2030, 6, 1, tzinfo=UTC)
        keep = [self._log(now - timedelta(days=d)) for d in (0, 1, 200, 364)]
        with time_machine.travel(now - timedelta(days=364), tick=False):
            event = AccountEvent.objects.create(
                actor=self.admin_a, target=self.staff_a, agency=self.agency_a, action="role_granted"
            )
        # An agency row saying less than a year is refused by the database itself (and by the form, and the purge
        # takes at least 365 days whatever the row says).
        retention_settings_for(self.agency_a, create=True)
        with self.assertRaises(IntegrityError), transaction.atomic():
            RetentionSettings.objects.filter(agency=self.agency_a).update(audit_log_days=30)
        retention_purge(now=now)
        self.assertEqual(AccessLog.objects.filter(pk__in=[r.pk for r in keep]).count(), 4)
        self.assertTrue(AccountEvent.objects.filter(pk=event.pk).exists())

    def test_D7_rows_older_than_the_period_are_deleted(self):
        now = datetime(2030, 6, 1, tzinfo=UTC)
        old = self._log(now - timedelta(days=3 * 365 + 2))
        recent = self._log(now - timedelta(days=400))
        rows = retention_purge(now=now)
        self.assertFalse(AccessLog.objects.filter(pk=old.pk).exists())
        self.assertTrue(AccessLog.objects.filter(pk=recent.pk).exists())
        audit = [r for r in rows if r.kind == "audit-log" and r.agency_id == self.agency_a.pk][0]
        self.assertEqual((audit.purged, audit.schedule, audit.period_days), (1, Schedule.AUDIT_LOG, 3 * 365))

    def test_D7_access_log_rows_of_a_record_under_legal_hold_are_kept(self):
        from django.contrib.contenttypes.models import ContentType

        now = datetime(2030, 6, 1, tzinfo=UTC)
        detainer = make_detainer(self.agency_a, actor=self.staff_a, number=7)
        legal_hold_place(record=detainer, actor=self.supervisor_a, scope="record", reason="litigation", reference="L")
        detainer_type = ContentType.objects.get_for_model(detainer)
        seen = self._log(now - timedelta(days=4 * 365), content_type=detainer_type, object_id=detainer.pk)
        other = self._log(now - timedelta(days=4 * 365))
        retention_purge(now=now)
        self.assertTrue(AccessLog.objects.filter(pk=seen.pk).exists())
        self.assertFalse(AccessLog.objects.filter(pk=other.pk).exists())


class NightlyJobTests(BaseTestCase):
    def test_G3_the_purge_runs_once_per_agency_and_local_day_from_its_hour(self):
        from compliance.celery import app
        from compliance.core.local_day_jobs import local_day_job_run
        from compliance.retention.purge import retention_purge_agencies
        from compliance.tasks import RETENTION_LOCAL_HOUR

        detainer = ended(make_detainer(self.agency_a, actor=self.staff_a, number=9, subject_last_name="Nightly"))
        # Both personas' agencies are on US clocks: 12:00 UTC is past 02:00 local in each.
        noon = LATER.replace(hour=12, minute=0)
        run = {"job": "retention-purge", "hour": RETENTION_LOCAL_HOUR, "run": retention_purge_agencies}
        claimed, rows = local_day_job_run(now=noon, **run)
        self.assertIn(self.agency_a.pk, claimed)
        detainer.refresh_from_db()
        self.assertEqual(detainer.subject_last_name, "")
        self.assertEqual(local_day_job_run(now=noon + timedelta(hours=1), **run), ({}, None))
        tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
        self.assertLessEqual(
            {"compliance.tasks.retention_purge_task", "compliance.tasks.retention_purge_shared_task"}, tasks
        )


class DeletedRecordHistoryTests(BaseTestCase):
    def test_G3_the_history_of_a_deleted_detainer_is_erased_too(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, number=5, subject_last_name="Deletedperson")
        pk = detainer.pk
        with time_machine.travel(OUTCOME_AT, tick=False):
            detainer.delete()
        from incidents.detainers.models import Detainer as Model

        history = Model.history.model.objects.filter(id=pk)
        self.assertIn("Deletedperson", set(history.values_list("subject_last_name", flat=True)))
        retention_purge(now=LATER)
        self.assertEqual(set(history.values_list("subject_last_name", flat=True)), {""})
