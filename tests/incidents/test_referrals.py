"""Referrals of a case, the ICE-notice deadline (real hours, the agency's zone), time to close, case settings."""

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from compliance.core.roles import Role
from incidents.incident_log.models import CaseEvent, Incident, IncidentSettings
from incidents.referrals import services
from incidents.referrals.case_settings import incident_settings_for, incident_settings_save
from incidents.referrals.deadlines import (
    LATE,
    NOT_REQUIRED,
    ON_TIME,
    OVERDUE,
    PENDING,
    case_time_to_close,
    ice_deadline,
    ice_referral_status,
    with_time_to_close,
)
from incidents.referrals.models import Referral
from tests.base import BaseTestCase, make_user, sign_in
from tests.incidents.helpers import local_datetime_post
from tests.incidents.test_corrective_actions import make_case

# Saturday 2026-03-07 12:00 CST in Chicago; clocks go forward at 02:00 on Sunday 2026-03-08.
RECEIVED = datetime(2026, 3, 7, 18, 0, tzinfo=UTC)
ICE = Referral.Recipient.ICE_OPR


class IceDeadlineTests(BaseTestCase):
    def setUp(self):
        self.case = make_case(self.agency_a, self.staff_a, immigration_related=Incident.Immigration.YES)
        Incident.objects.filter(pk=self.case.pk).update(received_at=RECEIVED)
        self.case.refresh_from_db()
        self.settings_row = incident_settings_for(self.agency_a)

    def status(self, referred_at=None, now=RECEIVED + timedelta(hours=1)):
        return ice_referral_status(
            incident=self.case, settings=self.settings_row, first_ice_referral_at=referred_at, now=now
        )

    def test_the_deadline_is_48_real_hours_across_the_daylight_saving_change(self):
        deadline = ice_deadline(self.case, self.settings_row)
        self.assertEqual(deadline, datetime(2026, 3, 9, 18, 0, tzinfo=UTC))
        # 12:00 CST + 48 real hours reads 13:00 CDT on the agency's clock, not 12:00.
        sign_in(self.client, self.supervisor_a)
        page = self.client.get(reverse("incidents:incident_detail", kwargs={"public_id": self.case.public_id}))
        self.assertContains(page, "2026-03-09 13:00 CDT (48 hours after receipt; check against your MOA)")

    def test_pending_on_time_late_and_overdue(self):
        deadline = RECEIVED + timedelta(hours=48)
        pending = self.status(now=deadline - timedelta(hours=5))
        self.assertEqual((pending.state, pending.by_text), (PENDING, "5 h 00 min"))
        self.assertEqual(self.status(referred_at=deadline).state, ON_TIME)
        late = self.status(referred_at=deadline + timedelta(hours=3, minutes=30))
        self.assertEqual((late.state, late.by_text), (LATE, "3 h 30 min"))
        overdue = self.status(now=deadline + timedelta(days=3, hours=2))
        self.assertEqual((overdue.state, overdue.by_text), (OVERDUE, "3 d 2 h"))

    def test_not_required_when_it_does_not_concern_immigration_authority(self):
        self.case.immigration_related = Incident.Immigration.NO
        self.assertEqual(self.status(now=RECEIVED + timedelta(days=10)).state, NOT_REQUIRED)

    def test_the_agency_setting_moves_the_deadline(self):
        incident_settings_save(
            agency=self.agency_a, actor=self.admin_a, ice_referral_hours=24, investigation_target_days=90
        )
        self.assertEqual(ice_deadline(self.case, incident_settings_for(self.agency_a)), RECEIVED + timedelta(hours=24))

    def test_the_case_page_says_late_and_by_how_long(self):
        with time_machine.travel(RECEIVED + timedelta(hours=60), tick=False):
            services.referral_record(
                incident=self.case, actor=self.supervisor_a, recipient=ICE, referred_at=RECEIVED + timedelta(hours=50)
            )
            sign_in(self.client, self.staff_a)
            page = self.client.get(reverse("incidents:incident_detail", kwargs={"public_id": self.case.public_id}))
        self.assertContains(page, "Referred 2 h 00 min after the deadline, at 2026-03-09 15:00 CDT.")

    def test_the_case_page_says_overdue_now(self):
        with time_machine.travel(RECEIVED + timedelta(hours=49), tick=False):
            sign_in(self.client, self.staff_a)
            page = self.client.get(reverse("incidents:incident_detail", kwargs={"public_id": self.case.public_id}))
        self.assertContains(page, "Not referred: overdue by 1 h 00 min.")


@time_machine.travel(RECEIVED + timedelta(hours=30), tick=False)
class ReferralServiceTests(BaseTestCase):
    def setUp(self):
        self.case = make_case(self.agency_a, self.staff_a, immigration_related=Incident.Immigration.YES)
        Incident.objects.filter(pk=self.case.pk).update(received_at=RECEIVED)
        self.case.refresh_from_db()

    def test_a_supervisor_records_a_referral_with_a_timeline_row_and_history(self):
        referral = services.referral_record(
            incident=self.case,
            actor=self.supervisor_a,
            recipient=ICE,
            referred_at=RECEIVED + timedelta(hours=2),
            reference_number="JIC-2026-0042",
        )
        self.assertEqual((referral.agency_id, referral.recorded_by), (self.agency_a.pk, self.supervisor_a))
        event = CaseEvent.objects.filter(incident=self.case).last()
        self.assertEqual(
            (event.kind, event.text), ("referral_made", "ICE OPR / Joint Intake Center, reference JIC-2026-0042.")
        )
        self.assertEqual(referral.history.get().history_user, self.supervisor_a)

    def test_the_investigator_may_record_one_and_other_staff_or_auditors_may_not(self):
        investigator = make_user("investigator_a", agency=self.agency_a, role=Role.STAFF)
        Incident.objects.filter(pk=self.case.pk).update(investigator=investigator)
        self.case.refresh_from_db()
        services.referral_record(incident=self.case, actor=investigator, recipient=ICE, referred_at=RECEIVED)
        for user in (self.staff_a, self.auditor_a, self.supervisor_b):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                services.referral_record(incident=self.case, actor=user, recipient=ICE, referred_at=RECEIVED)
        self.assertEqual(Referral.objects.count(), 1)

    def test_a_referral_in_the_future_or_before_receipt_is_refused(self):
        for when, message in (
            (RECEIVED + timedelta(hours=31), services.FUTURE_MESSAGE),
            (RECEIVED - timedelta(minutes=1), services.BEFORE_RECEIPT_MESSAGE),
        ):
            with self.subTest(when=when), self.assertRaises(ValidationError) as caught:
                services.referral_record(incident=self.case, actor=self.supervisor_a, recipient=ICE, referred_at=when)
            self.assertEqual(caught.exception.message_dict, {"referred_at": [message]})
        self.assertFalse(Referral.objects.exists())

    def test_a_response_is_recorded_with_its_day(self):
        referral = services.referral_record(
            incident=self.case, actor=self.supervisor_a, recipient=ICE, referred_at=RECEIVED
        )
        updated = services.referral_response_record(
            referral=referral,
            actor=self.supervisor_a,
            response="Accepted; returned for local handling.",
            response_on=date(2026, 3, 8),
        )
        self.assertEqual(updated.response_on, date(2026, 3, 8))
        self.assertEqual(CaseEvent.objects.filter(incident=self.case).last().kind, "referral_response")
        with self.assertRaises(ValidationError) as caught:
            services.referral_response_record(
                referral=referral, actor=self.supervisor_a, response="", response_on=date(2026, 3, 9)
            )
        self.assertEqual(
            caught.exception.message_dict,
            {
                "response": [services.RESPONSE_MESSAGE],
                "response_on": ["The day of the response cannot be after today (2026-03-08, the agency's date)."],
            },
        )

    def test_the_referral_page_reads_the_time_on_the_agency_clock(self):
        sign_in(self.client, self.supervisor_a)
        url = reverse("incidents:referral_create", kwargs={"public_id": self.case.public_id})
        data = {"recipient": ICE, "reference_number": "", **local_datetime_post("referred_at", "2026-03-08", "09:15")}
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Referral.objects.get().referred_at, datetime(2026, 3, 8, 14, 15, tzinfo=UTC))  # CDT = UTC−5

    def test_the_referral_page_refuses_a_time_that_did_not_exist(self):
        sign_in(self.client, self.supervisor_a)
        url = reverse("incidents:referral_create", kwargs={"public_id": self.case.public_id})
        data = {"recipient": ICE, **local_datetime_post("referred_at", "2026-03-08", "02:30")}
        response = self.client.post(url, data)
        self.assertContains(response, "does not exist in America/Chicago")
        self.assertFalse(Referral.objects.exists())

    def test_staff_gets_403_and_another_agency_404(self):
        url = reverse("incidents:referral_create", kwargs={"public_id": self.case.public_id})
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.get(url).status_code, 403)
        sign_in(self.client, self.supervisor_b)
        self.assertEqual(self.client.get(url).status_code, 404)


class TimeToCloseTests(BaseTestCase):
    def test_time_to_close_is_received_to_closed_and_none_while_open(self):
        case = make_case(self.agency_a, self.staff_a)
        self.assertIsNone(case_time_to_close(case))
        Incident.objects.filter(pk=case.pk).update(
            received_at=RECEIVED, status="closed", closure="reviewed", closed_at=RECEIVED + timedelta(days=12, hours=5)
        )
        case.refresh_from_db()
        self.assertEqual(case_time_to_close(case), timedelta(days=12, hours=5))
        annotated = with_time_to_close(Incident.objects.filter(agency=self.agency_a)).get(pk=case.pk)
        self.assertEqual(annotated.time_to_close, timedelta(days=12, hours=5))
        sign_in(self.client, self.staff_a)
        page = self.client.get(reverse("incidents:incident_detail", kwargs={"public_id": case.public_id}))
        self.assertContains(page, '<dd data-testid="time-to-close">12 d 5 h</dd>', html=True)


class CaseSettingsTests(BaseTestCase):
    url = reverse("incidents:case_settings")

    def test_the_defaults_until_saved_then_the_row(self):
        self.assertEqual(
            (incident_settings_for(self.agency_a).ice_referral_hours, incident_settings_for(self.agency_a).pk),
            (48, None),
        )
        row = incident_settings_save(
            agency=self.agency_a, actor=self.admin_a, ice_referral_hours=72, investigation_target_days=60
        )
        self.assertEqual(incident_settings_for(self.agency_a), row)
        self.assertEqual(row.history.get().history_user, self.admin_a)

    def test_a_save_that_changes_nothing_writes_no_history(self):
        incident_settings_save(
            agency=self.agency_a, actor=self.admin_a, ice_referral_hours=72, investigation_target_days=60
        )
        incident_settings_save(
            agency=self.agency_a, actor=self.admin_a, ice_referral_hours=72, investigation_target_days=60
        )
        self.assertEqual(IncidentSettings.history.count(), 1)

    def test_only_an_administrator_saves(self):
        with self.assertRaises(PermissionDenied):
            incident_settings_save(
                agency=self.agency_a, actor=self.supervisor_a, ice_referral_hours=24, investigation_target_days=90
            )
        sign_in(self.client, self.supervisor_a)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_the_page_labels_each_figure_check_against_your_moa_and_keeps_the_changes(self):
        sign_in(self.client, self.admin_a)
        page = self.client.get(self.url)
        self.assertContains(page, "Check against your MOA.", count=2)
        response = self.client.post(
            self.url + f"?agency={self.agency_a.public_id}",
            {"ice_referral_hours": "24", "investigation_target_days": "60"},
        )
        self.assertEqual(response.status_code, 302)
        self.client.post(
            self.url + f"?agency={self.agency_a.public_id}",
            {"ice_referral_hours": "36", "investigation_target_days": "60"},
        )
        page = self.client.get(self.url)
        self.assertEqual(len(page.context["history"]), 2)
        self.assertEqual(incident_settings_for(self.agency_a).ice_referral_hours, 36)

    def test_out_of_range_figures_are_refused_next_to_the_field(self):
        sign_in(self.client, self.admin_a)
        response = self.client.post(self.url, {"ice_referral_hours": "0", "investigation_target_days": "abc"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Ensure this value is greater than or equal to 1.")
        self.assertContains(response, "Enter a whole number.")
        self.assertFalse(IncidentSettings.objects.exists())
