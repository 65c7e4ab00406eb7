"""Each evidence evaluator's rule by name, with real records: met, at risk, not met, boundaries, and ``as_of``."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.outreach.models import OutreachEvent
from community.steering_committee.models import CommitteeMeeting, CommitteeRequirement
from compliance.core.models import Agreement, Finding, RequirementStatus
from compliance.moa.evidence import Period, requirement_evidence
from incidents.actions.models import DetainerAction
from incidents.detainers.choices import Action
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Incident
from incidents.referrals.models import Referral
from tests.base import BaseTestCase
from tests.compliance.helpers import make_detainer, make_incident
from tests.compliance.moa_helpers import applied, period_to_today, today_of
from tests.training.helpers import make_certification, make_course, make_officer

MET, AT_RISK, NOT_MET = RequirementStatus.MET, RequirementStatus.AT_RISK, RequirementStatus.NOT_MET


class EvaluatorCase(BaseTestCase):
    def setUp(self):
        self.today = today_of(self.agency_a)
        Agreement.objects.filter(pk=self.agreement_a.pk).update(signed_on=self.today - timedelta(days=800))
        self.agreement_a.refresh_from_db()
        self.requirements = applied(self.agreement_a, self.admin_a)

    def answer(self, key: str, period: Period | None = None):
        requirement = self.requirements[key]
        requirement.agreement.refresh_from_db()
        return requirement_evidence(requirement, period=period or period_to_today(self.agency_a))


class TrainingEvaluatorTests(EvaluatorCase):
    def setUp(self):
        super().setUp()
        self.course = make_course(self.agency_a, "IADP", validity_months=24)

    def test_training_currency_no_designated_officer_is_at_risk(self):
        self.assertEqual(self.answer("training-current").status, AT_RISK)

    def test_training_currency_met_when_every_officer_is_current(self):
        officer = make_officer(self.agency_a, "A-1")
        make_certification(officer, self.course, self.today - timedelta(days=100))
        evidence = self.answer("training-current")
        self.assertEqual(evidence.status, MET, evidence.reason)
        self.assertIn(("Current", "1 of 1"), [(f.label, f.value) for f in evidence.figures])

    def test_training_currency_at_risk_when_a_course_expires_within_90_days(self):
        officer = make_officer(self.agency_a, "A-1")
        make_certification(
            officer, self.course, self.today - timedelta(days=100), expires_on=self.today + timedelta(days=30)
        )
        self.assertEqual(self.answer("training-current").status, AT_RISK)

    def test_training_currency_not_met_when_a_course_expired(self):
        officer = make_officer(self.agency_a, "A-1")
        make_certification(
            officer, self.course, self.today - timedelta(days=800), expires_on=self.today - timedelta(days=1)
        )
        evidence = self.answer("training-current")
        self.assertEqual(evidence.status, NOT_MET)
        self.assertEqual(evidence.items[0].label, "Badge A-1")

    def test_training_currency_as_of_ignores_a_certification_recorded_later(self):
        officer = make_officer(self.agency_a, "A-1")
        before = timezone.now() + timedelta(microseconds=1)
        make_certification(officer, self.course, self.today - timedelta(days=10))
        early = Period(self.today - timedelta(days=364), self.today, before)
        self.assertEqual(self.answer("training-current", early).status, NOT_MET)
        self.assertEqual(self.answer("training-current").status, MET)

    def test_nomination_checklist_not_met_when_a_box_is_unchecked(self):
        officer = make_officer(self.agency_a, "A-1")
        make_certification(officer, self.course, self.today - timedelta(days=10))
        self.assertEqual(self.answer("nomination-checklist").status, MET)
        officer.privacy_waiver_on_file = False
        officer.save()
        evidence = self.answer("nomination-checklist")
        self.assertEqual(evidence.status, NOT_MET)
        self.assertIn("privacy waiver on file", evidence.items[0].detail)

    def test_ice_credential_not_met_without_the_credential_id(self):
        make_officer(self.agency_a, "A-1", ice_credential_id="")
        self.assertEqual(self.answer("ice-credential").status, NOT_MET)

    def test_officer_cap_R1_8(self):
        self.assertEqual(self.answer("officer-cap").status, MET)  # no cap recorded
        Agreement.objects.filter(pk=self.agreement_a.pk).update(max_authorized_officers=2)
        make_officer(self.agency_a, "A-1")
        self.assertEqual(self.answer("officer-cap").status, MET)
        make_officer(self.agency_a, "A-2")
        self.assertEqual(self.answer("officer-cap").status, AT_RISK)
        make_officer(self.agency_a, "A-3")
        evidence = self.answer("officer-cap")
        self.assertEqual(evidence.status, NOT_MET)
        self.assertEqual(evidence.reason, "3 officers are designated, above the cap of 2.")

    def test_officers_of_another_agreement_do_not_count(self):
        other = Agreement.objects.create(agency=self.agency_a, model="WSO", signed_on=self.today)
        Agreement.objects.filter(pk=self.agreement_a.pk).update(max_authorized_officers=1)
        make_officer(self.agency_a, "A-1", agreement=other)
        make_officer(self.agency_a, "A-2", agreement=other)
        self.assertEqual(self.answer("officer-cap").status, MET)


class RecordEvaluatorTests(EvaluatorCase):
    def setUp(self):
        super().setUp()
        self.officer = make_officer(self.agency_a, "A-1")
        self.detainer = make_detainer(
            self.agency_a, 1, agreement=self.agreement_a, received_at=timezone.now() - timedelta(days=5)
        )

    def action(self, **fields):
        values = {
            "agency": self.agency_a,
            "detainer": self.detainer,
            "kind": Action.INTERVIEW,
            "performed_at": timezone.now() - timedelta(days=2),
            "officer": self.officer,
            "agreement": self.agreement_a,
            "recorded_by": self.staff_a,
            "language": "Spanish",
            "ice_supervisor": "SDDO Invented",
        }
        values.update(fields)
        return DetainerAction.objects.create(**values)

    def test_ice_supervision_R3_4_shares(self):
        self.assertEqual(self.answer("ice-supervision").status, MET)  # no action: nothing to supervise
        for _ in range(19):
            self.action()
        self.assertEqual(self.answer("ice-supervision").status, MET)
        self.action(ice_supervisor="")  # 19 of 20 = 95 %: the at-risk floor
        self.assertEqual(self.answer("ice-supervision").status, AT_RISK)
        self.action(ice_supervisor="")  # 19 of 21 < 95 %
        evidence = self.answer("ice-supervision")
        self.assertEqual(evidence.status, NOT_MET)
        self.assertEqual(evidence.reason, "Not recorded on 2 of 21 287(g) actions in the period.")

    def test_ice_supervision_action_outside_the_period_does_not_count(self):
        self.action(ice_supervisor="", performed_at=timezone.now() - timedelta(days=400))
        self.assertEqual(self.answer("ice-supervision").status, MET)

    def test_language_access_R3_8_counts_interviews_services_and_detainers_served(self):
        self.action(kind=Action.PROCESS, language="")  # processing is neither an interview nor a service
        self.assertEqual(self.answer("language-access").status, MET)
        self.action(language="")
        self.assertEqual(self.answer("language-access").status, NOT_MET)

    def test_detainer_outcomes_R3_7_pending_over_30_days(self):
        self.assertEqual(self.answer("data-reporting").status, MET)
        old = make_detainer(
            self.agency_a, 2, agreement=self.agreement_a, received_at=timezone.now() - timedelta(days=31)
        )
        self.assertEqual(self.answer("data-reporting").status, NOT_MET)  # 1 of 2 stale: more than one in ten
        Detainer.objects.filter(pk=old.pk).update(outcome=Detainer.Outcome.RELEASED, outcome_at=timezone.now())
        self.assertEqual(self.answer("data-reporting").status, MET)

    def test_detainer_outcomes_as_of_reads_the_outcome_as_it_stood(self):
        old = make_detainer(
            self.agency_a, 2, agreement=self.agreement_a, received_at=timezone.now() - timedelta(days=40)
        )
        before = timezone.now() + timedelta(microseconds=1)
        Detainer.objects.filter(pk=old.pk).update(outcome=Detainer.Outcome.RELEASED, outcome_at=timezone.now())
        then = Period(self.today - timedelta(days=364), self.today, before)
        self.assertEqual(self.answer("data-reporting", then).status, NOT_MET)
        self.assertEqual(self.answer("data-reporting").status, MET)

    def finding(self, kind, *, days_ago: int, resolved: bool = False):
        opened = timezone.now() - timedelta(days=days_ago)
        return Finding.objects.create(
            agency=self.agency_a,
            kind=kind,
            severity=Finding.Severity.HIGH,
            rule="R4.8",
            summary="Invented.",
            content_type=ContentType.objects.get_for_model(Detainer),
            object_id=self.detainer.pk,
            opened_at=opened,
            status=Finding.Status.RESOLVED if resolved else Finding.Status.OPEN,
            resolved_at=timezone.now() - timedelta(days=1) if resolved else None,
        )

    def test_open_findings_grace_days_boundary(self):
        self.assertEqual(self.answer("detainer-checks").status, MET)
        finding = self.finding(Finding.Kind.HOLD_DEADLINE_PASSED, days_ago=13)
        self.assertEqual(self.answer("detainer-checks").status, AT_RISK)
        Finding.objects.filter(pk=finding.pk).update(opened_at=timezone.now() - timedelta(days=15))
        evidence = self.answer("detainer-checks")
        self.assertEqual(evidence.status, NOT_MET)
        self.assertEqual(evidence.reason, "1 finding open for more than 14 days.")
        self.assertIn("hold_deadline_passed", evidence.finding_kinds)

    def test_open_findings_resolved_counts_as_closed_and_other_kinds_do_not_count(self):
        self.finding(Finding.Kind.HOLD_DEADLINE_PASSED, days_ago=30, resolved=True)
        self.finding(Finding.Kind.CONSULAR_NOTIFICATION_OVERDUE, days_ago=30)
        self.assertEqual(self.answer("detainer-checks").status, MET)

    def test_open_findings_as_of_before_the_finding_opened(self):
        self.finding(Finding.Kind.HOLD_DEADLINE_PASSED, days_ago=30)
        earlier = Period(
            self.today - timedelta(days=400), self.today - timedelta(days=40), timezone.now() - timedelta(days=40)
        )
        self.assertEqual(self.answer("detainer-checks", earlier).status, MET)

    def incident(self, hours_ago: float, immigration=Incident.Immigration.YES):
        incident = make_incident(self.agency_a, 1)
        Incident.objects.filter(pk=incident.pk).update(
            received_at=timezone.now() - timedelta(hours=hours_ago), immigration_related=immigration
        )
        return incident

    def test_complaint_referrals_R3_5_overdue_is_not_met(self):
        self.incident(50)
        evidence = self.answer("complaint-procedures")
        self.assertEqual(evidence.status, NOT_MET)
        self.assertEqual(evidence.reason, "1 complaint not referred to ICE within 48 hours.")

    def test_complaint_referrals_pending_close_to_the_deadline_is_at_risk(self):
        self.incident(40)
        self.assertEqual(self.answer("complaint-procedures").status, AT_RISK)

    def test_complaint_referrals_on_time_or_not_immigration_related_is_met(self):
        incident = self.incident(30)
        Referral.objects.create(
            agency=self.agency_a,
            incident=incident,
            recipient=Referral.Recipient.ICE_OPR,
            referred_at=timezone.now() - timedelta(hours=20),
            recorded_by=self.staff_a,
        )
        self.incident(100, immigration=Incident.Immigration.NO)
        self.assertEqual(self.answer("complaint-procedures").status, MET)


class CommunityEvaluatorTests(EvaluatorCase):
    def meeting(self, days_ago: int, status=CommitteeMeeting.Status.HELD):
        return CommitteeMeeting.objects.create(
            agency=self.agency_a, starts_at=timezone.now() - timedelta(days=days_ago), status=status
        )

    def test_steering_committee_without_settings_is_at_risk(self):
        self.assertEqual(self.answer("steering-committee").status, AT_RISK)

    def test_steering_committee_not_required_is_met(self):
        CommitteeRequirement.objects.create(agreement=self.agreement_a, required=False)
        self.assertEqual(self.answer("steering-committee").status, MET)

    def test_steering_committee_R3_6_missed_interval_is_not_met(self):
        CommitteeRequirement.objects.create(agreement=self.agreement_a, meeting_interval_months=3)
        self.meeting(200)
        self.assertEqual(self.answer("steering-committee").status, NOT_MET)

    def test_steering_committee_fewer_than_required_is_at_risk_all_held_is_met(self):
        CommitteeRequirement.objects.create(agreement=self.agreement_a, meeting_interval_months=12)
        self.meeting(10)
        evidence = self.answer("steering-committee")
        # 12-month interval over a 365-day period: one meeting required, one held; next due in ~355 days.
        self.assertEqual(evidence.status, MET, evidence.reason)
        CommitteeRequirement.objects.filter(agreement=self.agreement_a).update(meeting_interval_months=6)
        self.assertEqual(self.answer("steering-committee").status, AT_RISK)

    def test_steering_committee_cancelled_meeting_does_not_count(self):
        CommitteeRequirement.objects.create(agreement=self.agreement_a, meeting_interval_months=12)
        self.meeting(10, status=CommitteeMeeting.Status.CANCELLED)
        self.assertNotEqual(self.answer("steering-committee").status, MET)

    def test_outreach_events_held_against_the_parameter(self):
        self.assertEqual(self.answer("community-outreach").status, NOT_MET)
        OutreachEvent.objects.create(
            agency=self.agency_a, kind=OutreachEvent.Kind.COMMUNITY_MEETING, title="Invented forum", held_on=self.today
        )
        self.assertEqual(self.answer("community-outreach").status, MET)
        self.requirements["community-outreach"].parameters = {"events_per_period": 2}
        self.assertEqual(self.answer("community-outreach").status, AT_RISK)

    def test_outreach_event_recorded_after_as_of_does_not_count(self):
        before = timezone.now() - timedelta(seconds=1)
        OutreachEvent.objects.create(
            agency=self.agency_a,
            kind=OutreachEvent.Kind.COMMUNITY_MEETING,
            title="Invented forum",
            held_on=self.today - timedelta(days=3),
        )
        period = Period(self.today - timedelta(days=364), self.today, before)
        self.assertEqual(self.answer("community-outreach", period).status, NOT_MET)


class AgreementTermTests(EvaluatorCase):
    def test_duration_R3_9_expiring_within_90_days_is_at_risk(self):
        Agreement.objects.filter(pk=self.agreement_a.pk).update(expires_on=self.today + timedelta(days=90))
        self.assertEqual(self.answer("duration").status, AT_RISK)
        Agreement.objects.filter(pk=self.agreement_a.pk).update(expires_on=self.today + timedelta(days=91))
        self.assertEqual(self.answer("duration").status, MET)

    def test_unknown_evaluator_answers_unknown(self):
        requirement = self.requirements["duration"]
        requirement.evidence = "nope"
        self.assertEqual(requirement_evidence(requirement, period=period_to_today(self.agency_a)).status, "unknown")


class QueryCountTests(EvaluatorCase):
    """Query count must not grow with the data: every evaluator, with 1 and then 6 records of each kind."""

    def populate(self, n: int, start: int):
        course = self.course
        for i in range(start, start + n):
            officer = make_officer(self.agency_a, f"Q-{i}")
            make_certification(officer, course, self.today - timedelta(days=10 + i))
            detainer = make_detainer(
                self.agency_a, 100 + i, agreement=self.agreement_a, received_at=timezone.now() - timedelta(days=40 + i)
            )
            DetainerAction.objects.create(
                agency=self.agency_a,
                detainer=detainer,
                kind=Action.INTERVIEW,
                performed_at=timezone.now() - timedelta(days=3),
                officer=officer,
                agreement=self.agreement_a,
                recorded_by=self.staff_a,
            )
            incident = make_incident(self.agency_a, 100 + i)
            Incident.objects.filter(pk=incident.pk).update(received_at=timezone.now() - timedelta(days=5))
            OutreachEvent.objects.create(
                agency=self.agency_a,
                kind=OutreachEvent.Kind.COMMUNITY_MEETING,
                title=f"Forum {i}",
                held_on=self.today - timedelta(days=i),
            )
            CommitteeMeeting.objects.create(
                agency=self.agency_a,
                starts_at=timezone.now() - timedelta(days=20 + i),
                status=CommitteeMeeting.Status.HELD,
            )
            Finding.objects.create(
                agency=self.agency_a,
                kind=Finding.Kind.HOLD_DEADLINE_PASSED,
                severity=Finding.Severity.HIGH,
                rule="R4.8",
                summary="Invented.",
                content_type=ContentType.objects.get_for_model(Detainer),
                object_id=detainer.pk,
                opened_at=timezone.now() - timedelta(days=i + 1),
            )

    def counts(self) -> dict[str, int]:
        result = {}
        period = period_to_today(self.agency_a)
        for key, requirement in self.requirements.items():
            requirement.agreement.refresh_from_db()
            requirement.agency.refresh_from_db()
            with CaptureQueriesContext(connection) as queries:
                requirement_evidence(requirement, period=period)
            result[key] = len(queries)
        return result

    def test_query_count_does_not_grow_with_the_data(self):
        self.course = make_course(self.agency_a, "IADP")
        CommitteeRequirement.objects.create(agreement=self.agreement_a, meeting_interval_months=3)
        self.populate(1, 0)
        small = self.counts()
        self.populate(5, 1)
        self.assertEqual(self.counts(), small)
