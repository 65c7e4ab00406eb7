"""Dates at the far ends of the calendar (``9999-12-31``, ``0001-01-01``) in filters and forms.

Django reads both as dates; adding a day, the hold's 48 hours or an agency's UTC offset then
leaves Python's calendar (OverflowError), a server error after the form had validated. Every
form and filter now refuses a date outside 1900-01-01–2199-12-31 next to its field
(``compliance.core.forms.BoundedDateField``) and writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.urls import reverse

from community.models import OutreachEvent
from compliance.core.local_days import DAY_OUT_OF_RANGE_MESSAGE
from compliance.core.models import Agreement, Report, User
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import local_datetime_post, make_detainer

FAR = ("9999-12-31", "0001-01-01")


class FarDateFilterTests(BaseTestCase):
    def setUp(self):
        sign_in(self.client, self.supervisor_a)

    def assertRefusedAtField(self, url: str, field: str, day: str, *, context_key: str):
        response = self.client.get(url, {field: day})
        self.assertEqual(response.status_code, 200, f"{url}?{field}={day}")
        self.assertEqual(response.context[context_key].errors[field], [DAY_OUT_OF_RANGE_MESSAGE])
        self.assertContains(response, DAY_OUT_OF_RANGE_MESSAGE)

    def test_the_access_log_refuses_far_dates_next_to_the_field(self):
        for day in FAR:
            for field in ("start", "end"):
                self.assertRefusedAtField(reverse("access_log"), field, day, context_key="filters")

    def test_the_detainer_log_refuses_far_dates_next_to_the_field(self):
        for day in FAR:
            for field in ("received_from", "received_to"):
                self.assertRefusedAtField(reverse("incidents:detainer_list"), field, day, context_key="form")

    def test_the_offense_level_page_refuses_far_dates_next_to_the_field(self):
        for day in FAR:
            for field in ("start", "end"):
                self.assertRefusedAtField(reverse("incidents:offense_levels"), field, day, context_key="form")

    def test_the_detainer_export_answers_400_naming_the_field(self):
        for day in FAR:
            response = self.client.get(reverse("incidents:detainer_export"), {"received_to": day})
            self.assertEqual(response.status_code, 400)
            self.assertContains(response, f"received_to: {DAY_OUT_OF_RANGE_MESSAGE}", status_code=400)


class FarDateFormTests(BaseTestCase):
    def setUp(self):
        sign_in(self.client, self.supervisor_a)

    def test_a_report_as_of_year_1_is_refused_and_not_requested(self):
        # The detainer log covers the 90 days before the date: year 1 minus 89 days does not exist.
        response = self.client.post(
            reverse("reports:request"),
            {"agency": self.agency_a.public_id, "kind": Report.Kind.DETAINER_LOG, "as_of": "0001-01-01"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].errors["as_of"], [DAY_OUT_OF_RANGE_MESSAGE])
        self.assertFalse(Report.objects.exists())

    def test_a_release_time_on_the_last_day_of_year_9999_is_refused_and_nothing_saved(self):
        # The hold deadline is 48 hours later; the time is 10000-01-01 in UTC.
        data = {
            "subject_last_name": "Farout",
            "subject_first_name": "Kim",
            "booking_number": "BK-FAR",
            "underlying_charge": "Burglary (invented)",
            "form": "I-247A",
            **local_datetime_post("received_at", "2026-01-05", "09:00"),
            **local_datetime_post("would_be_released_at", "9999-12-31", "23:59"),
        }
        response = self.client.post(reverse("incidents:detainer_create"), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn(DAY_OUT_OF_RANGE_MESSAGE, response.context["form"].errors["would_be_released_at"])
        self.assertFalse(Detainer.objects.exists())
        self.assertFalse(Detainer.history.exists())

    def test_a_quick_action_dated_in_year_9999_is_refused_next_to_the_field(self):
        detainer = make_detainer(
            self.agency_a, actor=self.supervisor_a, received_at=datetime(2026, 1, 5, 15, tzinfo=UTC)
        )
        url = reverse("incidents:custody_action", args=[detainer.public_id, "release"])
        response = self.client.post(url, local_datetime_post("outcome_at", "9999-12-31", "23:59"))
        self.assertEqual(response.status_code, 200)
        self.assertIn(DAY_OUT_OF_RANGE_MESSAGE, response.context["form"].errors["outcome_at"])
        detainer.refresh_from_db()
        self.assertEqual(detainer.outcome, Detainer.Outcome.PENDING)

    def test_an_outreach_event_held_in_year_1_is_refused(self):
        data = {"kind": OutreachEvent.Kind.COMMUNITY_MEETING, "title": "Town hall", "held_on": "0001-01-01"}
        response = self.client.post(reverse("community:outreach_create"), data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].errors["held_on"], [DAY_OUT_OF_RANGE_MESSAGE])
        self.assertFalse(OutreachEvent.objects.exists())


class FarDateAdminTests(BaseTestCase):
    def test_the_site_admin_refuses_an_agreement_that_expires_in_year_9999(self):
        # Every page that asks "is this agreement in force" adds a day to its expiry.
        admin = User.objects.create_superuser("site-admin", "site-admin@example.test", "not-a-real-password")
        sign_in(self.client, admin)
        url = reverse("admin:compliance_agreement_change", args=[self.agreement_a.pk])
        form = self.client.get(url).context["adminform"].form
        data = {name: value for name, value in form.initial.items() if value is not None}
        data.update({"agency": self.agency_a.pk, "expires_on": "9999-12-31", "signed_on": "2025-01-02"})
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["adminform"].form.errors["expires_on"], [DAY_OUT_OF_RANGE_MESSAGE])
        self.assertIsNone(Agreement.objects.get(pk=self.agreement_a.pk).expires_on)
