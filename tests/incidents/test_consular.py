"""Consular notification: the country list, the duty, 24 h warning and 72 h finding (DOMAIN.md R5.4–R5.7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from compliance.core.models import Finding
from incidents.consular import services as consular
from incidents.consular.models import ConsularCountry, ConsularCountryList
from incidents.detainers.models import Detainer
from incidents.tasks import sweep_consular_notifications_task
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import make_officer
from tests.incidents.helpers import make_detainer

BOOKED = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
RECEIVED = BOOKED + timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def findings_of(detainer) -> int:
    return Finding.objects.filter(
        content_type=ContentType.objects.get_for_model(Detainer),
        object_id=detainer.pk,
        kind=Finding.Kind.CONSULAR_NOTIFICATION_OVERDUE,
    ).count()


class CountryListTests(BaseTestCase):
    def test_the_list_is_shipped_as_data_with_its_source_and_date(self):
        country_list = ConsularCountryList.objects.get(version="CNA-5th-2018-09")
        self.assertEqual(
            country_list.source, "U.S. Department of State, Consular Notification and Access manual, 5th ed., Sept 2018"
        )
        self.assertEqual(country_list.published_on, date(2018, 9, 1))
        self.assertFalse(country_list.confirmed)  # [U] until checked against the manual
        self.assertEqual(country_list.countries.count(), 55)

    def test_examples_from_domain_md(self):
        country_list = consular.country_list_at(date(2026, 3, 2))
        for name in ("China", "Russia", "United Kingdom", "Nigeria", "Philippines", "CN", "hong kong", "UK"):
            with self.subTest(name=name):
                self.assertIsNotNone(consular.mandatory_country(name, country_list))
        for name in ("Mexico", "MX", "Guatemala", ""):
            with self.subTest(name=name):
                self.assertIsNone(consular.mandatory_country(name, country_list))

    def test_the_list_in_effect_at_the_arrest_decides(self):
        newer = ConsularCountryList.objects.create(
            version="invented-2026", source="Invented", published_on=date(2026, 1, 1), effective_from=date(2026, 1, 1)
        )
        ConsularCountry.objects.create(country_list=newer, code="MX", name="Mexico")
        self.assertEqual(consular.country_list_at(date(2025, 12, 31)).version, "CNA-5th-2018-09")
        self.assertEqual(consular.country_list_at(date(2026, 1, 1)), newer)
        self.assertEqual(consular.country_list_at(date(2001, 1, 1)).version, "CNA-5th-2018-09")  # earliest held


@time_machine.travel(BOOKED + timedelta(hours=2), tick=False)
class ConsularRecordTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(self.agency_a, actor=self.staff_a, booked_at=BOOKED, received_at=RECEIVED)
        self.officer = make_officer(self.agency_a, 7)

    def record(self, **values):
        return consular.consular_record(detainer=self.detainer, actor=self.staff_a, **values)

    def test_mandatory_country_is_derived_from_the_list(self):
        saved = self.record(nationality="Nigeria")
        self.assertTrue(saved.consular_mandatory)
        self.assertEqual(saved.consular_country_list.version, "CNA-5th-2018-09")
        self.assertFalse(self.record(nationality="Mexico").consular_mandatory)

    def test_mandatory_country_must_be_notified_whatever_the_person_wants(self):
        saved = self.record(nationality="China", advised_of_right_at=BOOKED, requested=False)
        self.assertIsNotNone(consular.duty_outstanding(saved))
        saved = self.record(
            nationality="China",
            advised_of_right_at=BOOKED,
            requested=False,
            notified_at=BOOKED + MINUTE,
            method=Detainer.ConsularMethod.FAX,
            officer=self.officer,
        )
        self.assertIsNone(consular.duty_outstanding(saved))

    def test_other_country_notified_only_if_requested(self):
        advised = {"nationality": "Mexico", "advised_of_right_at": BOOKED}
        self.assertIsNone(consular.duty_outstanding(self.record(**advised, requested=False)))
        self.assertIsNotNone(consular.duty_outstanding(self.record(**advised, requested=True)))
        # Not yet advised: telling the person is the outstanding duty.
        self.assertIn("Tell the person", consular.duty_outstanding(self.record(nationality="Mexico")))

    def test_a_us_nationality_is_refused(self):
        for value in ("US", "United States", "usa"):
            with self.subTest(value=value), self.assertRaises(ValidationError) as raised:
                self.record(nationality=value)
            self.assertEqual(raised.exception.message_dict["nationality"], [consular.US_NATIONALITY_MESSAGE])

    def test_notification_needs_a_method_and_an_officer_of_the_agency(self):
        with self.assertRaises(ValidationError) as raised:
            self.record(nationality="China", notified_at=BOOKED)
        self.assertEqual(set(raised.exception.message_dict), {"method", "officer"})
        with self.assertRaises(ValidationError) as raised:
            self.record(nationality="China", notified_at=BOOKED, method="fax", officer=make_officer(self.agency_b, 8))
        self.assertEqual(raised.exception.message_dict["officer"], [consular.OFFICER_AGENCY_MESSAGE])

    def test_an_answer_needs_the_advice_first(self):
        with self.assertRaises(ValidationError) as raised:
            self.record(nationality="Mexico", requested=True)
        self.assertIn("requested", raised.exception.message_dict)

    def test_future_times_are_refused(self):
        with self.assertRaises(ValidationError) as raised:
            self.record(nationality="Mexico", advised_of_right_at=BOOKED + timedelta(days=1))
        self.assertIn("advised_of_right_at", raised.exception.message_dict)


class ConsularSweepTests(BaseTestCase):
    def setUp(self):
        with time_machine.travel(BOOKED + timedelta(hours=2), tick=False):
            self.detainer = make_detainer(self.agency_a, actor=self.staff_a, booked_at=BOOKED, received_at=RECEIVED)
            self.detainer = consular.consular_record(detainer=self.detainer, actor=self.staff_a, nationality="China")
        mail.outbox.clear()

    def sweep(self, after: timedelta) -> dict:
        return consular.sweep_consular_notifications(now=BOOKED + after)

    def test_no_warning_at_23h59(self):
        self.assertEqual(self.sweep(timedelta(hours=24) - MINUTE)["warnings_sent"], 0)
        self.assertEqual(len(mail.outbox), 0)

    def test_one_warning_at_24h_however_often_the_sweep_runs(self):
        self.assertEqual(self.sweep(timedelta(hours=24))["warnings_sent"], 1)
        self.assertEqual(self.sweep(timedelta(hours=24, minutes=15))["warnings_sent"], 0)
        self.assertEqual(self.sweep(timedelta(hours=48))["warnings_sent"], 0)
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["admin_a@example.test", "supervisor_a@example.test"])  # review_records holders
        self.assertIn(str(self.detainer.public_id), message.body)
        self.assertNotIn(self.detainer.subject_last_name, message.body + message.subject)
        self.assertNotIn("China", message.body)
        self.detainer.refresh_from_db()
        self.assertEqual(self.detainer.consular_warned_at, BOOKED + timedelta(hours=24))

    def test_no_finding_at_71h59_and_one_finding_at_72h(self):
        self.assertEqual(self.sweep(timedelta(hours=72) - MINUTE)["findings_opened"], 0)
        self.assertEqual(findings_of(self.detainer), 0)
        self.assertEqual(self.sweep(timedelta(hours=72))["findings_opened"], 1)
        self.assertEqual(self.sweep(timedelta(hours=80))["findings_opened"], 0)
        finding = Finding.objects.get(kind=Finding.Kind.CONSULAR_NOTIFICATION_OVERDUE)
        self.assertEqual(finding.severity, Finding.Severity.HIGH)
        self.assertEqual(finding.opened_at, BOOKED + timedelta(hours=72))
        self.assertIn("R5.5", finding.rule)
        self.assertEqual(finding.agency, self.agency_a)

    def test_a_notified_consulate_needs_nothing(self):
        with time_machine.travel(BOOKED + timedelta(hours=3), tick=False):
            consular.consular_record(
                detainer=self.detainer,
                actor=self.staff_a,
                nationality="China",
                advised_of_right_at=BOOKED + timedelta(hours=2),
                notified_at=BOOKED + timedelta(hours=2),
                method="email",
                officer=make_officer(self.agency_a, 9),
            )
        self.assertEqual(
            self.sweep(timedelta(hours=100)),
            {"warnings_sent": 0, "warnings_without_recipient": 0, "findings_opened": 0},
        )

    def test_a_non_mandatory_national_who_declined_needs_nothing(self):
        with time_machine.travel(BOOKED + timedelta(hours=3), tick=False):
            consular.consular_record(
                detainer=self.detainer,
                actor=self.staff_a,
                nationality="Mexico",
                advised_of_right_at=BOOKED + timedelta(hours=1),
                requested=False,
            )
        self.assertEqual(self.sweep(timedelta(hours=100))["findings_opened"], 0)

    def test_a_non_mandatory_national_who_asked_is_swept(self):
        with time_machine.travel(BOOKED + timedelta(hours=3), tick=False):
            consular.consular_record(
                detainer=self.detainer,
                actor=self.staff_a,
                nationality="Mexico",
                advised_of_right_at=BOOKED + timedelta(hours=1),
                requested=True,
            )
        self.assertEqual(self.sweep(timedelta(hours=24))["warnings_sent"], 1)
        self.assertEqual(self.sweep(timedelta(hours=72))["findings_opened"], 1)

    def test_a_released_detainer_is_still_swept_the_duty_ran_from_booking(self):
        # Formerly "not swept": the duty does not end with custody (R5.4–R5.5). More in test_consular_released.py.
        self.detainer.outcome = Detainer.Outcome.RELEASED
        self.detainer.save()
        self.assertEqual(self.sweep(timedelta(hours=100))["findings_opened"], 1)
        self.assertEqual(self.sweep(timedelta(hours=101))["findings_opened"], 0)

    def test_a_detainer_without_nationality_is_not_swept(self):
        make_detainer(self.agency_a, actor=self.staff_a, number=2, booked_at=BOOKED, received_at=RECEIVED)
        self.assertEqual(self.sweep(timedelta(hours=100))["findings_opened"], 1)  # only the Chinese national

    def test_the_clock_falls_back_to_receipt_without_a_booking_time(self):
        Detainer.objects.filter(pk=self.detainer.pk).update(booked_at=None)  # test setup, not an audited change
        self.assertEqual(self.sweep(timedelta(hours=24))["warnings_sent"], 0)
        self.assertEqual(self.sweep(timedelta(hours=25))["warnings_sent"], 1)

    @override_settings(CONSULAR_NOTIFICATION_WARN_HOURS=12, CONSULAR_NOTIFICATION_FINDING_HOURS=36)
    def test_the_hours_are_settings(self):
        self.assertEqual(self.sweep(timedelta(hours=12))["warnings_sent"], 1)
        self.assertEqual(self.sweep(timedelta(hours=36) - MINUTE)["findings_opened"], 0)
        self.assertEqual(self.sweep(timedelta(hours=36))["findings_opened"], 1)

    def test_the_task_runs_the_sweep(self):
        with time_machine.travel(BOOKED + timedelta(hours=73), tick=False):
            result = sweep_consular_notifications_task.delay().get()
        self.assertEqual(result["findings_opened"], 1)

    def test_the_record_shows_the_status_and_check(self):
        from incidents.detainers import checks

        found = {c.name: c for c in checks.detainer_checks(self.detainer, at=BOOKED + timedelta(hours=72))}
        self.assertIs(found["Consular notification"].passed, False)
        self.assertFalse(found["Consular notification"].blocks_hold)
        status = consular.consular_status(self.detainer, now=BOOKED + timedelta(hours=24))
        self.assertEqual(status.state, "warning")
        self.assertEqual(
            consular.consular_status(self.detainer, now=BOOKED + timedelta(hours=23, minutes=59)).state, "due"
        )


class ConsularViewTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(self.agency_a, actor=self.staff_a, booked_at=BOOKED, received_at=RECEIVED)
        self.url = reverse("incidents:detainer_consular", args=[self.detainer.public_id])

    def test_staff_records_the_notification(self):
        officer = make_officer(self.agency_a, 3)
        sign_in(self.client, self.staff_a)
        self.assertContains(self.client.get(self.url), 'data-testid="consular-protection-note"')
        response = self.client.post(
            self.url,
            {
                "nationality": "Philippines",
                "advised_of_right_at_0": "2026-03-02",
                "advised_of_right_at_1": "09:00",
                "requested": "unknown",
                "notified_at_0": "2026-03-02",
                "notified_at_1": "09:30",
                "method": "phone",
                "officer": officer.pk,
            },
        )
        self.assertRedirects(response, reverse("incidents:detainer_detail", args=[self.detainer.public_id]))
        self.detainer.refresh_from_db()
        self.assertTrue(self.detainer.consular_mandatory)
        self.assertEqual(self.detainer.consular_notified_at, datetime(2026, 3, 2, 15, 30, tzinfo=UTC))  # CST
        self.assertEqual(self.detainer.consular_officer, officer)

    def test_errors_show_next_to_the_field(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(self.url, {"nationality": "USA", "requested": "unknown"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, consular.US_NATIONALITY_MESSAGE)

    def test_the_detainer_page_carries_the_protection_claim_note(self):
        sign_in(self.client, self.staff_a)
        response = self.client.get(reverse("incidents:detainer_detail", args=[self.detainer.public_id]))
        self.assertContains(response, "asylum or fear of return")

    def test_other_agency_gets_404_and_auditors_read_only(self):
        sign_in(self.client, self.staff_b)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        sign_in(self.client, self.auditor_a)
        self.assertEqual(self.client.get(self.url).status_code, 403)
