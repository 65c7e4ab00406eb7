"""The case-deadline sweep: one finding per overdue ICE referral or investigation, exactly once, fixed reads."""

from datetime import UTC, datetime, timedelta
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.celery import app as celery_app
from compliance.core.models import Finding
from compliance.core.system_account import system_user
from incidents.incident_log.models import CaseEvent, Incident
from incidents.referrals.case_settings import incident_settings_save
from incidents.referrals.deadlines import incident_deadlines_sweep
from incidents.referrals.models import Referral
from tests.base import BaseTestCase
from tests.incidents.test_corrective_actions import make_case

RECEIVED = datetime(2026, 3, 7, 18, 0, tzinfo=UTC)  # 12:00 CST; DST starts the next night
ICE_DEADLINE = RECEIVED + timedelta(hours=48)


class CaseDeadlineSweepTests(BaseTestCase):
    def case(self, *, immigration=Incident.Immigration.YES, agency=None, received_at=RECEIVED) -> Incident:
        case = make_case(agency or self.agency_a, self.staff_a, immigration_related=immigration)
        Incident.objects.filter(pk=case.pk).update(received_at=received_at)
        case.refresh_from_db()
        return case

    def refer(self, case, at):
        Referral.objects.create(
            agency=case.agency,
            incident=case,
            recipient=Referral.Recipient.ICE_OPR,
            referred_at=at,
            recorded_by=self.supervisor_a,
        )

    def findings(self, kind=Finding.Kind.REFERRAL_OVERDUE):
        return Finding.objects.filter(kind=kind)

    def test_no_finding_before_the_deadline_in_real_hours(self):
        self.case()
        # 47 h 59 min after receipt: across the DST change the wall clock already reads past 12:00 two days on.
        self.assertEqual(incident_deadlines_sweep(now=ICE_DEADLINE - timedelta(minutes=1))["referral_findings"], 0)
        self.assertEqual(incident_deadlines_sweep(now=ICE_DEADLINE)["referral_findings"], 0)

    def test_a_missing_referral_at_the_deadline_opens_one_finding_linked_to_the_case(self):
        case = self.case()
        result = incident_deadlines_sweep(now=ICE_DEADLINE + timedelta(minutes=1))
        self.assertEqual(result["referral_findings"], 1)
        finding = self.findings().get()
        self.assertEqual((finding.agency_id, finding.rule, finding.record), (self.agency_a.pk, "R3.5", case))
        self.assertEqual(
            finding.summary,
            "Complaint concerning immigration authority not referred to ICE OPR within 48 hours of receipt "
            "(deadline 2026-03-09 13:00 CDT).",
        )
        self.assertEqual(list(case.linked_findings.all()), [finding])
        event = CaseEvent.objects.filter(incident=case, kind=CaseEvent.Kind.FINDING_LINKED).get()
        self.assertEqual(event.actor, system_user())
        self.assertEqual(finding.history.get().history_user, system_user())

    def test_exactly_once_however_often_it_runs(self):
        case = self.case()
        for hours in (1, 2, 30, 500):
            incident_deadlines_sweep(now=ICE_DEADLINE + timedelta(hours=hours))
        self.assertEqual(self.findings().count(), 1)
        self.assertEqual(CaseEvent.objects.filter(incident=case, kind=CaseEvent.Kind.FINDING_LINKED).count(), 1)
        self.assertEqual(case.linked_findings.count(), 1)

    def test_a_referral_recorded_late_is_recorded_as_a_finding_too(self):
        case = self.case()
        self.refer(case, ICE_DEADLINE + timedelta(hours=5))
        incident_deadlines_sweep(now=ICE_DEADLINE + timedelta(hours=6))
        self.assertEqual(
            self.findings().get().summary,
            "Complaint concerning immigration authority referred to ICE OPR 5 h 00 min after the 48-hour deadline "
            "(2026-03-09 13:00 CDT).",
        )

    def test_a_referral_on_time_or_to_another_body_only(self):
        on_time = self.case()
        self.refer(on_time, ICE_DEADLINE)
        other_body = self.case()
        Referral.objects.create(
            agency=self.agency_a,
            incident=other_body,
            recipient=Referral.Recipient.DHS_OIG,
            referred_at=RECEIVED,
            recorded_by=self.supervisor_a,
        )
        incident_deadlines_sweep(now=ICE_DEADLINE + timedelta(days=1))
        self.assertEqual([f.record for f in self.findings()], [other_body])

    def test_no_referral_finding_when_the_complaint_does_not_concern_immigration_authority(self):
        self.case(immigration=Incident.Immigration.NO)
        self.case(immigration=Incident.Immigration.UNSURE)
        incident_deadlines_sweep(now=ICE_DEADLINE + timedelta(days=1))
        self.assertFalse(self.findings().exists())

    def test_the_agency_setting_counts(self):
        incident_settings_save(
            agency=self.agency_a, actor=self.admin_a, ice_referral_hours=72, investigation_target_days=90
        )
        self.case()
        incident_deadlines_sweep(now=ICE_DEADLINE + timedelta(hours=1))
        self.assertFalse(self.findings().exists())
        incident_deadlines_sweep(now=RECEIVED + timedelta(hours=72, minutes=1))
        self.assertEqual(self.findings().count(), 1)

    def test_an_open_case_past_the_investigation_target_opens_one_finding(self):
        case = self.case(immigration=Incident.Immigration.NO)
        self.assertEqual(incident_deadlines_sweep(now=RECEIVED + timedelta(days=90))["investigation_findings"], 0)
        self.assertEqual(
            incident_deadlines_sweep(now=RECEIVED + timedelta(days=90, seconds=1))["investigation_findings"], 1
        )
        self.assertEqual(incident_deadlines_sweep(now=RECEIVED + timedelta(days=120))["investigation_findings"], 0)
        finding = self.findings(Finding.Kind.INVESTIGATION_OVERDUE).get()
        self.assertEqual(finding.record, case)
        self.assertEqual(
            finding.summary, "Case still open past the 90-day investigation target (2026-06-05 13:00 CDT)."
        )

    def test_a_case_closed_in_time_has_none_and_one_closed_late_has_one(self):
        in_time = self.case(immigration=Incident.Immigration.NO)
        late = self.case(immigration=Incident.Immigration.NO)
        Incident.objects.filter(pk=in_time.pk).update(
            status="closed", closure="reviewed", closed_at=RECEIVED + timedelta(days=89)
        )
        Incident.objects.filter(pk=late.pk).update(
            status="closed", closure="reviewed", closed_at=RECEIVED + timedelta(days=95)
        )
        incident_deadlines_sweep(now=RECEIVED + timedelta(days=100))
        [finding] = self.findings(Finding.Kind.INVESTIGATION_OVERDUE)
        self.assertEqual(finding.record, late)
        self.assertEqual(finding.summary, "Case closed 5 d 0 h past the 90-day investigation target.")

    def test_summaries_hold_no_personal_data(self):
        case = self.case()
        Incident.objects.filter(pk=case.pk).update(
            title="Complaint by Zebulon Sentinel", officer_description="Deputy Sentinel"
        )
        incident_deadlines_sweep(now=RECEIVED + timedelta(days=100))
        for summary in Finding.objects.values_list("summary", flat=True):
            self.assertNotIn("Sentinel", summary)

    def test_reads_do_not_grow_with_the_number_of_cases(self):
        later = RECEIVED + timedelta(days=100)
        self.case()
        incident_deadlines_sweep(now=later)
        with CaptureQueriesContext(connection) as small:
            incident_deadlines_sweep(now=later)
        for _ in range(15):
            on_time = self.case()
            self.refer(on_time, RECEIVED + timedelta(hours=1))
            Incident.objects.filter(pk=on_time.pk).update(
                status="closed", closure="reviewed", closed_at=RECEIVED + timedelta(days=1)
            )
        for _ in range(15):
            self.case()
        incident_deadlines_sweep(now=later)  # opens their findings
        with self.assertNumQueries(len(small.captured_queries)):
            self.assertEqual(incident_deadlines_sweep(now=later), {"referral_findings": 0, "investigation_findings": 0})

    def test_another_agencys_cases_use_its_own_zone_and_settings(self):
        case = self.case(agency=self.agency_b)
        incident_deadlines_sweep(now=ICE_DEADLINE + timedelta(minutes=1))
        finding = self.findings().get()
        self.assertEqual(finding.agency_id, self.agency_b.pk)
        self.assertIn("(deadline 2026-03-09 11:00 MST)", finding.summary)
        self.assertEqual(finding.record, case)

    def test_beat_runs_it_hourly_and_run_jobs_runs_it(self):
        celery_app.loader.import_default_modules()
        entry = celery_app.conf.beat_schedule["incident-deadlines-sweep"]
        self.assertIn(entry["task"], celery_app.tasks)
        self.case(received_at=datetime(2020, 1, 1, tzinfo=UTC))
        out = StringIO()
        call_command("run_jobs", stdout=out)
        self.assertIn("Case deadlines sweep (R3.5): 1 referral and 1 investigation findings opened.", out.getvalue())

    def test_a_second_worker_that_read_the_same_case_adds_no_second_link_or_timeline_row(self):
        from incidents.referrals.deadlines import _link

        case = self.case()
        now = ICE_DEADLINE + timedelta(hours=1)
        first = _link(
            case, kind=Finding.Kind.REFERRAL_OVERDUE, summary="s", severity="high", now=now, actor=system_user()
        )
        second = _link(
            case, kind=Finding.Kind.REFERRAL_OVERDUE, summary="s", severity="high", now=now, actor=system_user()
        )
        self.assertEqual((first, second), (True, False))
        self.assertEqual(CaseEvent.objects.filter(incident=case, kind=CaseEvent.Kind.FINDING_LINKED).count(), 1)
