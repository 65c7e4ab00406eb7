"""The supervisor dashboard: figures in the agency's zone, agency switch, constant query count."""

import re
from datetime import UTC, date, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.dashboard import quarter_bounds
from incidents.corrective_actions.models import CorrectiveAction
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Incident
from incidents.referrals.case_settings import incident_settings_save
from incidents.referrals.models import Referral
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import (
    figure,
    make_certification,
    make_course,
    make_detainer,
    make_incident,
    make_officer,
    make_outreach,
)


class DashboardTrainingFiguresTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        course = make_course(cls.agency_a, months=24)
        # Expires 2026-02-27 (completed 2024-02-27, 24 months).
        make_certification(make_officer(cls.agency_a, 1), course, date(2024, 2, 27))
        make_certification(make_officer(cls.agency_a, 2), course, date(2025, 6, 1))  # current
        make_officer(cls.agency_a, 3)  # missing the course
        make_certification(make_officer(cls.agency_b, 1), make_course(cls.agency_b), date(2020, 1, 1))

    def test_case_T1_expiring_today_is_not_expired_in_the_agency_zone(self):
        sign_in(self.client, self.supervisor_a)
        # 2026-02-27 19:30 CST is already 2026-02-28 in UTC.
        with time_machine.travel(datetime(2026, 2, 28, 1, 30, tzinfo=UTC), tick=False):
            response = self.client.get("/")
        self.assertEqual(figure(response, "dashboard-today"), "2026-02-27")
        self.assertEqual(figure(response, "officers-expiring-today"), "1")
        self.assertEqual(figure(response, "officers-expiring"), "1")
        self.assertEqual(figure(response, "officers-expired"), "0")
        self.assertEqual(figure(response, "officers-current"), "1")
        self.assertEqual(figure(response, "officers-missing"), "1")

    def test_case_T1_expired_one_minute_after_local_midnight(self):
        sign_in(self.client, self.supervisor_a)
        with time_machine.travel(datetime(2026, 2, 28, 6, 1, tzinfo=UTC), tick=False):  # 00:01 CST
            response = self.client.get("/")
        self.assertEqual(figure(response, "officers-expired"), "1")
        self.assertEqual(figure(response, "officers-expiring-today"), "0")

    def test_it_shows_a_roster_chart_without_scripts(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get("/")
        chart = response.content.decode().split('data-testid="roster-chart"')[1].split("</figure>")[0]
        self.assertIn("<svg", chart)
        self.assertNotIn("<script", chart)


@time_machine.travel(datetime(2026, 4, 12, 12, 0, tzinfo=UTC), tick=False)
class DashboardDetainerAndIncidentTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Case D4: released 2026-04-10 10:00 CDT → deadline 2026-04-12 15:00 UTC (10:00 CDT).
        make_detainer(cls.agency_a, 1, released_at=datetime(2026, 4, 10, 15, 0, tzinfo=UTC), booking_number="BK-NEAR")
        make_detainer(cls.agency_a, 2, released_at=datetime(2026, 4, 11, 15, 0, tzinfo=UTC), booking_number="BK-LATER")
        make_detainer(cls.agency_a, 3, released_at=datetime(2026, 4, 10, 6, 0, tzinfo=UTC), booking_number="BK-PAST")
        make_detainer(
            cls.agency_a,
            4,
            released_at=datetime(2026, 4, 9, 6, 0, tzinfo=UTC),
            outcome=Detainer.Outcome.TRANSFERRED,
            booking_number="BK-DONE",
        )
        make_detainer(cls.agency_a, 5, booking_number="BK-NO-RELEASE-YET")
        make_detainer(cls.agency_b, 1, released_at=datetime(2026, 4, 10, 6, 0, tzinfo=UTC), booking_number="BK-B")

        make_incident(cls.agency_a, 1, severity=Incident.Severity.CRITICAL)
        make_incident(cls.agency_a, 2, severity=Incident.Severity.HIGH, status=Incident.Status.SUPERVISOR_REVIEW)
        make_incident(cls.agency_a, 3, severity=Incident.Severity.LOW)
        make_incident(cls.agency_a, 4, severity=Incident.Severity.LOW)
        make_incident(cls.agency_a, 5, severity=Incident.Severity.MEDIUM, status=Incident.Status.CLOSED)
        make_incident(cls.agency_b, 1, severity=Incident.Severity.MEDIUM)

    def test_it_lists_nearest_hold_deadlines_in_the_agency_zone(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get("/")
        self.assertEqual(figure(response, "detainers-upcoming"), "2")
        self.assertEqual(figure(response, "detainer-deadline"), "2026-04-12 10:00 CDT")
        self.assertEqual(figure(response, "detainer-remaining"), "3 h 00 min")
        html = response.content.decode()
        self.assertLess(html.index("BK-NEAR"), html.index("BK-LATER"))
        self.assertNotIn("BK-DONE", html)
        self.assertNotIn("BK-B", html)

    def test_it_counts_detainers_past_deadline_with_no_outcome(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get("/")
        self.assertEqual(figure(response, "detainers-overdue"), "1")
        self.assertContains(response, "BK-PAST")
        self.assertContains(response, "overdue by 6 h 00 min")

    def test_it_counts_open_incidents_by_severity(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get("/")
        self.assertEqual(figure(response, "incidents-open-critical"), "1")
        self.assertEqual(figure(response, "incidents-open-high"), "1")
        self.assertEqual(figure(response, "incidents-open-medium"), "0")
        self.assertEqual(figure(response, "incidents-open-low"), "2")
        self.assertEqual(figure(response, "incidents-open-total"), "4")
        # Each figure links to the queue filtered to the same cases.
        html = response.content.decode()
        for testid in ("incidents-open-critical", "incidents-open-low", "incidents-open-total"):
            with self.subTest(figure=testid):
                link = re.search(rf'<a href="([^"]+)"[^>]*data-testid="{testid}"', html).group(1)
                listed = self.client.get(link.replace("&amp;", "&"))
                self.assertContains(listed, f"<strong>{figure(response, testid)}</strong> case")


def overdue_action(incident, owner, due_on=date(2026, 4, 10), status=CorrectiveAction.Status.OPEN):
    return CorrectiveAction.objects.create(
        agency=incident.agency,
        incident=incident,
        kind=CorrectiveAction.Kind.TRAINING,
        description="Invented",
        owner=owner,
        due_on=due_on,
        status=status,
        created_by=owner,
    )


# 2026-04-12 03:00 UTC is still 2026-04-11 in Chicago (agency A).
@time_machine.travel(datetime(2026, 4, 12, 3, 0, tzinfo=UTC), tick=False)
class DashboardCaseDeadlineTests(BaseTestCase):
    """Issue #11 items 4–5: overdue corrective actions, cases past the investigation target, referrals overdue."""

    def setUp(self):
        # Received 2026-01-05 (tests.compliance.helpers.RECEIVED): 96 days before now, past the 90-day target.
        self.old = make_incident(self.agency_a, 1)
        self.closed = make_incident(self.agency_a, 2, status=Incident.Status.CLOSED)
        self.recent = make_incident(self.agency_a, 3)
        Incident.objects.filter(pk=self.recent.pk).update(received_at=datetime(2026, 4, 10, 12, 0, tzinfo=UTC))
        Incident.objects.filter(pk__in=[self.old.pk, self.recent.pk]).update(immigration_related="yes")
        make_incident(self.agency_b, 1)
        overdue_action(self.old, self.staff_a, due_on=date(2026, 4, 10))
        overdue_action(self.old, self.staff_a, due_on=date(2026, 4, 11))  # due today (agency date): not overdue
        overdue_action(self.old, self.staff_a, due_on=date(2026, 4, 1), status=CorrectiveAction.Status.DONE)

    def figures(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get("/")
        return response, [
            figure(response, key) for key in ("corrective-actions-overdue", "cases-past-target", "referrals-overdue")
        ]

    def test_it_counts_overdue_actions_cases_past_target_and_referrals_overdue(self):
        response, counts = self.figures()
        # The recent case is 39 hours old: its 48-hour ICE deadline has not passed.
        self.assertEqual(counts, ["1", "1", "1"])
        self.assertContains(response, f"/corrective-actions/?agency={self.agency_a.public_id}&amp;show=all")
        self.assertContains(response, f"/findings/?agency={self.agency_a.public_id}&amp;kind=referral_overdue")

    def test_only_the_agency_administrator_gets_the_case_settings_link(self):
        self.assertNotContains(self.figures()[0], 'data-testid="case-settings-link"')
        sign_in(self.client, self.admin_a)
        self.assertContains(self.client.get("/"), f"/incidents/settings/?agency={self.agency_a.public_id}")

    def test_a_referral_to_ice_clears_the_referral_figure_and_the_settings_count(self):
        Referral.objects.create(
            agency=self.agency_a,
            incident=self.old,
            recipient=Referral.Recipient.ICE_OPR,
            referred_at=datetime(2026, 4, 1, tzinfo=UTC),
            recorded_by=self.supervisor_a,
        )
        incident_settings_save(
            agency=self.agency_a, actor=self.admin_a, ice_referral_hours=24, investigation_target_days=120
        )
        self.assertEqual(self.figures()[1], ["1", "0", "1"])  # the recent case is past a 24-hour deadline


class DashboardOutreachQuarterTests(BaseTestCase):
    def test_quarter_bounds(self):
        self.assertEqual(quarter_bounds(date(2026, 3, 31)), (date(2026, 1, 1), date(2026, 3, 31)))
        self.assertEqual(quarter_bounds(date(2026, 11, 1)), (date(2026, 10, 1), date(2026, 12, 31)))
        self.assertEqual(quarter_bounds(date(2024, 5, 15)), (date(2024, 4, 1), date(2024, 6, 30)))

    def test_it_counts_outreach_in_the_agency_local_quarter(self):
        make_outreach(self.agency_a, date(2025, 12, 31), 1)
        make_outreach(self.agency_a, date(2026, 1, 1), 2)
        make_outreach(self.agency_a, date(2026, 3, 31), 3)
        make_outreach(self.agency_a, date(2026, 4, 1), 4)
        make_outreach(self.agency_b, date(2026, 2, 1), 5)
        sign_in(self.client, self.staff_a)
        # 2026-04-01 03:00 UTC is still 2026-03-31 (Q1) in Chicago.
        with time_machine.travel(datetime(2026, 4, 1, 3, 0, tzinfo=UTC), tick=False):
            response = self.client.get("/")
            self.assertEqual(figure(response, "outreach-quarter"), "2")
            html = response.content.decode()
            link = re.search(r'<a href="([^"]+)" data-testid="outreach-quarter-link"', html).group(1)
            self.assertIn("held_from=2026-01-01&amp;held_to=2026-03-31", link)
            listed = self.client.get(link.replace("&amp;", "&")).content.decode()
        self.assertEqual(listed.count('data-testid="outreach-row"'), 2)  # the list shows the same events


class DashboardAccessTests(BaseTestCase):
    def test_it_shows_the_home_agency_by_default(self):
        sign_in(self.client, self.staff_b)
        response = self.client.get("/")
        self.assertEqual(figure(response, "dashboard-agency"), self.agency_b.name)

    def test_an_auditor_of_several_agencies_can_switch(self):
        sign_in(self.client, self.auditor)
        response = self.client.get("/", {"agency": str(self.agency_b.public_id)})
        self.assertEqual(figure(response, "dashboard-agency"), self.agency_b.name)
        self.assertContains(response, 'data-testid="agency-switch"')

    def test_a_single_agency_user_sees_no_switch(self):
        sign_in(self.client, self.staff_a)
        self.assertNotContains(self.client.get("/"), 'data-testid="agency-switch"')

    def test_other_agency_gets_404(self):
        sign_in(self.client, self.staff_a)
        response = self.client.get("/", {"agency": str(self.agency_b.public_id)})
        self.assertEqual(response.status_code, 404)

    def test_a_malformed_agency_id_gets_404(self):
        sign_in(self.client, self.auditor)
        self.assertEqual(self.client.get("/", {"agency": "not-a-uuid"}).status_code, 404)

    def test_a_user_without_agency_sees_a_notice(self):
        sign_in(self.client, self.outsider)
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="no-agency"')

    def test_anonymous_is_sent_to_login(self):
        self.assertRedirects(self.client.get("/"), "/accounts/login/?next=/", fetch_redirect_response=False)


@time_machine.travel(datetime(2026, 4, 12, 12, 0, tzinfo=UTC), tick=False)
class DashboardQueryCountTests(BaseTestCase):
    def _add_data(self, start: int, count: int):
        course = make_course(self.agency_a, f"C{start}")
        for n in range(start, start + count):
            officer = make_officer(self.agency_a, n)
            make_certification(officer, course, date(2025, 1, 1))
            make_detainer(self.agency_a, n, released_at=datetime(2026, 4, 11, n % 24, 0, tzinfo=UTC))
            make_detainer(self.agency_a, 1000 + n, released_at=datetime(2026, 4, 9, n % 24, 0, tzinfo=UTC))
            incident = make_incident(self.agency_a, n, severity=Incident.Severity.values[n % 4])
            Incident.objects.filter(pk=incident.pk).update(immigration_related=Incident.Immigration.YES)
            overdue_action(incident, self.staff_a)
            make_outreach(self.agency_a, date(2026, 4, 1 + n % 10), n)

    def test_query_count_does_not_grow_with_data(self):
        sign_in(self.client, self.supervisor_a)
        self._add_data(1, 2)
        with CaptureQueriesContext(connection) as small:
            self.assertEqual(self.client.get("/").status_code, 200)
        self._add_data(100, 30)
        with self.assertNumQueries(len(small.captured_queries)):
            response = self.client.get("/")
        self.assertEqual(figure(response, "detainers-overdue"), "32")
        self.assertEqual(figure(response, "corrective-actions-overdue"), "32")
        self.assertEqual(figure(response, "cases-past-target"), "32")
        self.assertEqual(figure(response, "referrals-overdue"), "32")
