"""Issue 9 point 5: the consular clock starts from what the agency already knows (DOMAIN.md R5.4–R5.6).

A subject whose citizenship on the detainer is a mandatory-notification country (e.g. a national
of Poland) owes notification from booking even if nobody opened the consular section
(incidents.consular.services.known_nationality / consular_derive).
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

import time_machine
from django.apps import apps as django_apps
from django.core import mail
from django.urls import reverse

from compliance.core.models import Finding
from incidents.consular import services as consular
from incidents.detainers import services
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import make_detainer

BOOKED = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 08:00 CST
RECEIVED = BOOKED + timedelta(hours=1)


def consular_findings(detainer) -> int:
    return Finding.objects.filter(object_id=detainer.pk, kind=Finding.Kind.CONSULAR_NOTIFICATION_OVERDUE).count()


class ConsularFromCitizenshipTests(BaseTestCase):
    def setUp(self):
        traveller = time_machine.travel(RECEIVED, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def log(self, country: str, **fields) -> Detainer:
        values = {"booked_at": BOOKED, "received_at": RECEIVED, "subject_country_of_citizenship": country}
        values.update(fields)
        return make_detainer(self.agency_a, actor=self.staff_a, **values)

    def test_point_5_a_polish_national_owes_notification_from_booking_though_nobody_opened_the_consular_section(self):
        detainer = self.log("PL")
        self.assertEqual(detainer.consular_nationality, "")  # nobody typed anything in the consular section
        self.assertIs(detainer.consular_mandatory, True)
        self.assertEqual(detainer.consular_country_list.version, "CNA-5th-2018-09")
        status = consular.consular_status(detainer, now=BOOKED + timedelta(hours=1))
        self.assertEqual(status.state, "due")
        self.assertEqual(
            status.todo, "Mandatory-notification country: notify the consulate, whatever the person wants."
        )
        self.assertEqual(status.finding_at, BOOKED + timedelta(hours=72))  # from booking, not from receipt

    def test_point_5_the_sweep_warns_at_24_hours_and_opens_the_finding_at_72_hours_after_booking(self):
        detainer = self.log("PL", subject_last_name="Zawadzkowa", booking_number="AC-7007")
        self.assertEqual(
            consular.sweep_consular_notifications(now=BOOKED + timedelta(hours=23, minutes=59)),
            {"warnings_sent": 0, "warnings_without_recipient": 0, "findings_opened": 0},
        )
        self.assertEqual(consular.sweep_consular_notifications(now=BOOKED + timedelta(hours=24))["warnings_sent"], 1)
        self.assertEqual(consular_findings(detainer), 0)
        result = consular.sweep_consular_notifications(now=BOOKED + timedelta(hours=72))
        self.assertEqual(result["findings_opened"], 1)
        self.assertEqual(consular_findings(detainer), 1)
        [warning] = mail.outbox
        for secret in ("Zawadzkowa", "AC-7007", "Poland", "PL"):
            self.assertNotIn(secret, warning.body)

    def test_point_5_a_national_of_a_country_off_the_list_is_owed_the_advice(self):
        detainer = self.log("MX")
        self.assertIs(detainer.consular_mandatory, False)
        status = consular.consular_status(detainer, now=BOOKED + timedelta(hours=1))
        self.assertEqual(status.state, "due")
        self.assertIn("Tell the person without delay", status.todo)

    def test_point_5_the_nationality_recorded_in_the_consular_section_is_better_information(self):
        detainer = self.log("PL")
        detainer = consular.consular_record(detainer=detainer, actor=self.staff_a, nationality="Mexico")
        self.assertIs(detainer.consular_mandatory, False)
        # Clearing it there falls back on the detainer's country of citizenship.
        detainer = consular.consular_record(detainer=detainer, actor=self.staff_a, nationality="")
        self.assertIs(detainer.consular_mandatory, True)

    def test_point_5_correcting_the_country_of_citizenship_moves_the_duty(self):
        detainer = self.log("MX")
        detainer = services.detainer_update(detainer=detainer, actor=self.staff_a, subject_country_of_citizenship="PL")
        self.assertIs(detainer.consular_mandatory, True)
        detainer = services.detainer_update(detainer=detainer, actor=self.staff_a, subject_country_of_citizenship="")
        self.assertIsNone(detainer.consular_mandatory)
        self.assertIsNone(consular.duty_outstanding(detainer))

    def test_point_5_a_us_citizenship_on_the_detainer_owes_no_consular_duty(self):
        detainer = self.log("US")
        self.assertIsNone(detainer.consular_mandatory)
        self.assertEqual(consular.consular_status(detainer, now=BOOKED + timedelta(hours=80)).state, "not_recorded")
        self.assertEqual(consular.sweep_consular_notifications(now=BOOKED + timedelta(hours=80))["findings_opened"], 0)

    def test_point_5_the_detainer_page_names_where_the_nationality_comes_from(self):
        detainer = self.log("PL")
        sign_in(self.client, self.staff_a)
        response = self.client.get(reverse("incidents:detainer_detail", args=[detainer.public_id]))
        self.assertContains(
            response,
            '<dd data-testid="consular-nationality">PL <span class="usa-hint">(the detainer\'s country of '
            "citizenship, R5.4)</span> — <strong>mandatory-notification country</strong>",
        )

    def test_point_5_detainers_stored_before_get_the_duty_in_the_migration(self):
        detainer = self.log("PL")
        Detainer.objects.filter(pk=detainer.pk).update(consular_mandatory=None, consular_country_list=None)
        migration = importlib.import_module("incidents.migrations.0020_consular_duty_from_detainer_citizenship")
        migration.derive(django_apps, None)
        detainer.refresh_from_db()
        self.assertIs(detainer.consular_mandatory, True)
        self.assertEqual(detainer.consular_country_list.version, "CNA-5th-2018-09")
        self.assertEqual(detainer.history.first().history_change_reason, migration.REASON)


class ConsularCheckDueTests(BaseTestCase):
    """A duty still within its time reads "Due" on the detainer page, never "Does not apply" (R5.4–R5.5)."""

    def setUp(self):
        traveller = time_machine.travel(RECEIVED, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def test_a_mexican_national_is_owed_the_advice_so_the_check_is_due_not_does_not_apply(self):
        from incidents.consular.checks import check_consular_notification

        detainer = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            booked_at=BOOKED,
            received_at=RECEIVED,
            subject_country_of_citizenship="MX",
        )
        check = check_consular_notification(detainer, RECEIVED)
        self.assertEqual((check.passed, check.due, check.status), (None, True, "due"))
        sign_in(self.client, self.staff_a)
        page = self.client.get(reverse("incidents:detainer_detail", args=[detainer.public_id]))
        self.assertContains(page, 'data-testid="check-due">Due</span>', count=1)

    def test_a_us_citizen_owes_nothing_so_the_check_does_not_apply(self):
        from incidents.consular.checks import check_consular_notification

        detainer = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            booked_at=BOOKED,
            received_at=RECEIVED,
            subject_country_of_citizenship="US",
        )
        check = check_consular_notification(detainer, RECEIVED)
        self.assertEqual((check.passed, check.due, check.status), (None, False, "n/a"))
