"""Detainers by offense level and minor-offense-only detainers (R3.3; GAO-09-109 finding 1)."""

import re
from datetime import UTC, date, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.detainers.forms import DetainerForm
from incidents.detainers.models import Detainer
from incidents.offense_levels.selectors import offense_level_shares
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import figure
from tests.incidents.helpers import make_detainer
from tests.incidents.test_detainer_views import detainer_post

URL = reverse("incidents:offense_levels")


class OffenseLevelSharesTests(BaseTestCase):
    def _make(self, number: int, level, *, minor: bool = False, agency=None, **fields):
        return make_detainer(
            agency or self.agency_a,
            actor=self.staff_a if agency in (None, self.agency_a) else self.staff_b,
            number=number,
            offense_level=level,
            minor_offense_only=minor,
            **fields,
        )

    def test_no_detainers_gives_zero_counts_and_zero_shares(self):
        shares = offense_level_shares(agency=self.agency_a)
        self.assertEqual(shares.total, 0)
        self.assertEqual(
            [(row.key, row.count, row.share) for row in shares.levels],
            [
                ("1", 0, 0.0),
                ("2", 0, 0.0),
                ("3", 0, 0.0),
                ("unknown", 0, 0.0),
            ],
        )
        self.assertEqual((shares.minor_count, shares.minor_share), (0, 0.0))

    def test_counts_and_shares_by_level_with_unknown_and_minor(self):
        self._make(1, 1)
        self._make(2, 1)
        self._make(3, 2)
        self._make(4, 3, minor=True)  # speeding, level 3
        self._make(5, None, minor=True)  # minor, level not recorded
        self._make(6, None)
        self._make(7, 1, agency=self.agency_b, minor=True)  # another agency: not counted
        shares = offense_level_shares(agency=self.agency_a)
        self.assertEqual(shares.total, 6)
        self.assertEqual(
            [(row.key, row.count) for row in shares.levels], [("1", 2), ("2", 1), ("3", 1), ("unknown", 2)]
        )
        self.assertAlmostEqual(shares.levels[0].share, 2 / 6)
        self.assertEqual(shares.levels[0].percent, 33.3)
        self.assertEqual(shares.levels[1].percent, 16.7)
        self.assertEqual(sum(row.count for row in shares.levels), shares.total)
        self.assertEqual((shares.minor_count, shares.minor_percent), (2, 33.3))

    def test_all_minor_offense_is_a_full_share(self):
        self._make(1, 3, minor=True)
        shares = offense_level_shares(agency=self.agency_a)
        self.assertEqual((shares.minor_count, shares.minor_share), (1, 1.0))
        self.assertEqual(shares.levels[2].share, 1.0)

    def test_date_range_uses_agency_local_days_inclusive(self):
        # agency_a is America/Chicago (CST, UTC-6 in February/March 2026).
        self._make(1, 1, received_at=datetime(2026, 3, 1, 5, 59, tzinfo=UTC))  # 2026-02-28 23:59 local
        self._make(2, 2, received_at=datetime(2026, 3, 1, 6, 0, tzinfo=UTC))  # 2026-03-01 00:00 local
        self._make(3, 3, received_at=datetime(2026, 3, 2, 5, 59, tzinfo=UTC), minor=True)  # 03-01 23:59 local
        self._make(4, 3, received_at=datetime(2026, 3, 2, 6, 0, tzinfo=UTC))  # 2026-03-02 00:00 local
        one_day = offense_level_shares(agency=self.agency_a, start=date(2026, 3, 1), end=date(2026, 3, 1))
        self.assertEqual(one_day.total, 2)
        self.assertEqual([row.count for row in one_day.levels], [0, 1, 1, 0])
        self.assertEqual(one_day.minor_count, 1)
        self.assertEqual(offense_level_shares(agency=self.agency_a, end=date(2026, 2, 28)).total, 1)
        self.assertEqual(offense_level_shares(agency=self.agency_a, start=date(2026, 3, 2)).total, 1)
        self.assertEqual(offense_level_shares(agency=self.agency_a).total, 4)

    def test_start_after_end_is_refused(self):
        with self.assertRaisesMessage(ValueError, "start date is after the end date"):
            offense_level_shares(agency=self.agency_a, start=date(2026, 3, 2), end=date(2026, 3, 1))

    def test_one_query_whatever_the_data(self):
        with self.assertNumQueries(1):
            offense_level_shares(agency=self.agency_a, start=date(2026, 1, 1), end=date(2026, 12, 31))
        for n in range(20):
            self._make(n, [1, 2, 3, None][n % 4], minor=n % 3 == 0)
        with self.assertNumQueries(1):
            offense_level_shares(agency=self.agency_a, start=date(2026, 1, 1), end=date(2026, 12, 31))


class MinorOffenseFieldTests(BaseTestCase):
    def test_detainer_form_offers_the_flag_with_help_text(self):
        form = DetainerForm(agencies=[self.agency_a])
        field = form.fields["minor_offense_only"]
        self.assertFalse(field.required)
        self.assertIn("traffic or other minor offense", field.help_text)

    @time_machine.travel(datetime(2026, 3, 9, 12, 0, tzinfo=UTC), tick=False)
    def test_logging_a_detainer_through_the_form_saves_the_flag(self):
        sign_in(self.client, self.staff_a)
        post = detainer_post(offense_level="3", minor_offense_only="on", underlying_charge="Speeding (invented)")
        response = self.client.post(reverse("incidents:detainer_create"), post)
        detainer = Detainer.objects.get(booking_number="BK-20001")
        self.assertEqual(response.status_code, 302)
        self.assertEqual((detainer.offense_level, detainer.minor_offense_only), (3, True))
        self.assertEqual(detainer.history.first().minor_offense_only, True)

    def test_detail_page_shows_the_flag(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a, minor_offense_only=True)
        sign_in(self.client, self.staff_a)
        response = self.client.get(reverse("incidents:detainer_detail", args=[detainer.public_id]))
        self.assertContains(
            response, '<dd data-testid="minor-offense-only"><span class="usa-tag bg-gold text-ink">Yes</span></dd>'
        )


class OffenseLevelPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_detainer(cls.agency_a, actor=cls.staff_a, number=1, offense_level=1)
        make_detainer(cls.agency_a, actor=cls.staff_a, number=2, offense_level=3, minor_offense_only=True)
        make_detainer(cls.agency_b, actor=cls.staff_b, number=3, offense_level=2)

    def test_shows_table_chart_and_minor_offense_warning(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(figure(response, "offense-total"), "2")
        self.assertEqual(figure(response, "offense-level-1"), "1")
        self.assertEqual(figure(response, "offense-level-2"), "0")
        self.assertEqual(figure(response, "offense-level-unknown"), "0")
        self.assertEqual(figure(response, "offense-share-3"), "50.0%")
        self.assertEqual(figure(response, "offense-level-minor"), "1")
        self.assertContains(response, 'data-testid="minor-offense-warning"')
        chart = re.search(r'data-testid="offense-level-chart"[^>]*>(.*?)</figure>', response.content.decode(), re.S)
        self.assertIn("<svg", chart.group(1))
        self.assertIn("Minor offense only</text>", chart.group(1))
        self.assertNotIn("<script", chart.group(1))  # pygal's inline config script is stripped

    def test_no_warning_without_minor_offenses(self):
        sign_in(self.client, self.supervisor_b)
        response = self.client.get(URL)
        self.assertEqual(figure(response, "offense-total"), "1")
        self.assertEqual(figure(response, "offense-minor-count"), "0")
        self.assertNotContains(response, 'data-testid="minor-offense-warning"')

    def test_period_filters_and_is_shown(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get(URL, {"start": "2027-01-01", "end": "2027-12-31"})
        self.assertEqual(figure(response, "offense-total"), "0")
        self.assertContains(response, "from 2027-01-01 through 2027-12-31")

    def test_end_before_start_is_refused_next_to_the_field(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get(URL, {"start": "2026-03-02", "end": "2026-03-01"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="id_end-error"')
        self.assertContains(response, "The end date must be on or after the start date.")
        self.assertEqual(figure(response, "offense-total"), "2")  # figures for the whole log, labelled so
        self.assertContains(response, "All detainers logged")

    def test_other_agency_gets_404(self):
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.get(URL, {"agency": str(self.agency_b.public_id)}).status_code, 404)
        self.assertEqual(self.client.get(URL, {"agency": "not-a-uuid"}).status_code, 404)

    def test_user_without_agency_gets_404(self):
        sign_in(self.client, self.outsider)
        self.assertEqual(self.client.get(URL).status_code, 404)

    def test_auditor_of_both_agencies_chooses_with_agency_parameter(self):
        sign_in(self.client, self.auditor)
        response = self.client.get(URL, {"agency": str(self.agency_b.public_id)})
        self.assertEqual(figure(response, "offense-total"), "1")
        self.assertEqual(figure(response, "offense-level-2"), "1")
        self.assertContains(response, 'id="agency-select"')

    def test_anonymous_is_sent_to_login(self):
        self.assertRedirects(self.client.get(URL), f"/accounts/login/?next={URL}", fetch_redirect_response=False)

    def test_linked_from_the_detainer_list_and_the_dashboard(self):
        sign_in(self.client, self.supervisor_a)
        self.assertContains(self.client.get(reverse("incidents:detainer_list")), f'href="{URL}"')
        self.assertContains(self.client.get("/"), f'href="{URL}?agency={self.agency_a.public_id}"')

    def test_dashboard_shows_the_minor_offense_figure(self):
        sign_in(self.client, self.supervisor_a)
        self.assertEqual(figure(self.client.get("/"), "detainers-minor-offense"), "1")
        sign_in(self.client, self.supervisor_b)
        self.assertEqual(figure(self.client.get("/"), "detainers-minor-offense"), "0")


class OffenseLevelPageQueryCountTests(BaseTestCase):
    def test_query_count_does_not_grow_with_data(self):
        sign_in(self.client, self.supervisor_a)
        make_detainer(self.agency_a, actor=self.staff_a, number=1, offense_level=1)
        with CaptureQueriesContext(connection) as small:
            self.assertEqual(self.client.get(URL).status_code, 200)
        for n in range(2, 40):
            make_detainer(
                self.agency_a,
                actor=self.staff_a,
                number=n,
                offense_level=[1, 2, 3, None][n % 4],
                minor_offense_only=n % 5 == 0,
            )
        with self.assertNumQueries(len(small.captured_queries)):
            response = self.client.get(URL)
        self.assertEqual(figure(response, "offense-total"), "39")
        self.assertEqual(figure(response, "offense-level-minor"), "7")
