"""The dashboard's figures of issue #13 item 7: open findings by severity and age, the review queue, training
currency per course and model (GAO-21-186), 12-month trends on the agency's clock, their links and cache, and
a query count that does not grow with the data (cold and warm)."""

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.core.models import Agreement, AgreementModel, Finding
from compliance.dashboard import dashboard_figures
from compliance.dashboard.cache import dashboard_changed
from compliance.dashboard.trends import trend_months
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Incident
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import figure, make_course, make_detainer, make_incident, make_officer
from training.requirements.currency import course_currency
from training.requirements.models import TrainingRequirement
from training.roster.authorization import officer_trainings
from training.roster.models import Certification, Officer
from training.roster.rules import certification_expires_on

NOW = datetime(2026, 4, 12, 12, 0, tzinfo=UTC)  # 07:00 CDT in agency A (America/Chicago)


def make_finding(agency, record, *, opened_at, severity=Finding.Severity.LOW, status=Finding.Status.OPEN, **fields):
    return Finding.objects.create(
        agency=agency,
        kind=fields.pop("kind", Finding.Kind.OTHER),
        severity=severity,
        status=status,
        rule="Invented rule",
        summary="Invented finding.",
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        opened_at=opened_at,
        **fields,
    )


def certify(officer, course, completed_on: date, *, months: int = 24) -> Certification:
    return Certification.objects.create(
        agency=officer.agency,
        officer=officer,
        course=course,
        completed_on=completed_on,
        expires_on=certification_expires_on(completed_on, months),
    )


@time_machine.travel(NOW, tick=False)
class FindingsBySeverityAndAgeTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        records = [make_detainer(cls.agency_a, n) for n in range(1, 9)]
        cls.young = make_finding(
            cls.agency_a, records[0], opened_at=NOW - timedelta(days=1), severity=Finding.Severity.CRITICAL
        )
        # Exactly 7 days old: the first day of "7 to 30 days"; a second younger is still "under 7 days".
        cls.seven = make_finding(cls.agency_a, records[1], opened_at=NOW - timedelta(days=7), severity="high")
        cls.almost_seven = make_finding(
            cls.agency_a, records[2], opened_at=NOW - timedelta(days=7) + timedelta(seconds=1), severity="high"
        )
        cls.acknowledged = make_finding(
            cls.agency_a,
            records[3],
            opened_at=NOW - timedelta(days=45),
            severity=Finding.Severity.MEDIUM,
            status=Finding.Status.ACKNOWLEDGED,
        )
        cls.oldest = make_finding(cls.agency_a, records[4], opened_at=NOW - timedelta(days=200))
        cls.old = make_finding(cls.agency_a, records[5], opened_at=NOW - timedelta(days=120))
        make_finding(  # resolved: not open
            cls.agency_a,
            records[6],
            opened_at=NOW - timedelta(days=300),
            status=Finding.Status.RESOLVED,
            resolved_at=NOW - timedelta(days=3),
        )
        make_finding(cls.agency_b, make_detainer(cls.agency_b, 1), opened_at=NOW - timedelta(days=400))

    def test_it_counts_open_findings_by_severity_and_age(self):
        figures = dashboard_figures(agency=self.agency_a, now=NOW)
        rows = {row.severity: row.counts for row in figures.findings_by_severity}
        self.assertEqual([row.severity for row in figures.findings_by_severity], ["critical", "high", "medium", "low"])
        self.assertEqual(rows["critical"], [1, 0, 0, 0])
        self.assertEqual(rows["high"], [1, 1, 0, 0])
        self.assertEqual(rows["medium"], [0, 0, 1, 0])
        self.assertEqual(rows["low"], [0, 0, 0, 2])
        self.assertEqual(figures.findings_age_totals, [2, 1, 1, 2])
        self.assertEqual(figures.findings_open_total, 6)

    def test_it_lists_the_five_oldest_open_findings_oldest_first(self):
        figures = dashboard_figures(agency=self.agency_a, now=NOW)
        self.assertEqual(
            figures.findings_oldest, [self.oldest, self.old, self.acknowledged, self.seven, self.almost_seven]
        )

    def test_the_page_shows_the_figures_with_links_to_the_filtered_findings_list(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get("/")
        html = response.content.decode()
        agency = self.agency_a.public_id
        self.assertIn(f'/findings/?agency={agency}&amp;severity=high&amp;age=7to30">1</a>', html)
        self.assertIn(f'/findings/?agency={agency}&amp;severity=low&amp;age=gt90">2</a>', html)
        self.assertEqual(figure(response, "findings-age-gt90"), "2")
        self.assertEqual(figure(response, "findings-open-total"), "6")
        oldest = html.split('data-testid="findings-oldest"')[1].split("</ol>")[0]
        self.assertLess(oldest.index(str(self.oldest.public_id)), oldest.index(str(self.old.public_id)))
        self.assertEqual(oldest.count('data-testid="finding-oldest-row"'), 5)

    def test_the_findings_list_filters_by_age(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get("/findings/", {"agency": str(self.agency_a.public_id), "age": "7to30"})
        self.assertContains(response, str(self.seven.public_id))
        self.assertNotContains(response, str(self.almost_seven.public_id))
        self.assertNotContains(response, str(self.old.public_id))
        response = self.client.get("/findings/", {"agency": str(self.agency_a.public_id), "age": "lt7"})
        self.assertContains(response, str(self.almost_seven.public_id))
        self.assertContains(response, str(self.young.public_id))
        self.assertNotContains(response, str(self.seven.public_id))

    def test_an_unknown_age_is_a_message_next_to_the_field_not_an_error(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get("/findings/", {"age": "forever"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Select a valid choice")
        self.assertContains(response, str(self.seven.public_id))  # the other filters (defaults) still apply


@time_machine.travel(NOW, tick=False)
class ReviewQueueTests(BaseTestCase):
    def test_it_counts_cases_awaiting_supervisor_sign_off_with_a_link_to_the_queue(self):
        make_incident(self.agency_a, 1, status=Incident.Status.SUPERVISOR_REVIEW, severity=Incident.Severity.HIGH)
        make_incident(self.agency_a, 2, status=Incident.Status.SUPERVISOR_REVIEW)
        make_incident(self.agency_a, 3, status=Incident.Status.UNDER_INVESTIGATION)
        make_incident(self.agency_a, 4, status=Incident.Status.CLOSED)
        make_incident(self.agency_b, 1, status=Incident.Status.SUPERVISOR_REVIEW)
        sign_in(self.client, self.supervisor_a)
        response = self.client.get("/")
        self.assertEqual(figure(response, "review-queue"), "2")
        self.assertContains(response, f"/incidents/?agency={self.agency_a.public_id}&amp;status=supervisor_review")
        queue = self.client.get("/incidents/", {"agency": str(self.agency_a.public_id), "status": "supervisor_review"})
        self.assertEqual(queue.status_code, 200)


@time_machine.travel(NOW, tick=False)
class TrainingCurrencyTests(BaseTestCase):
    """Today in Chicago is 2026-04-12."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        agency = cls.agency_a
        cls.basic = make_course(agency, "BASIC", months=24, required=False)
        cls.refresher = make_course(agency, "REFR", months=24, required=False)
        cls.annual = make_course(agency, "ANNUAL", months=12, required=False)
        for course, kind in (
            (cls.basic, TrainingRequirement.Kind.BASIC),
            (cls.refresher, TrainingRequirement.Kind.REFRESHER),
            (cls.annual, TrainingRequirement.Kind.ANNUAL),
        ):
            TrainingRequirement.objects.create(
                agency=agency, agreement=cls.agreement_a, course=course, kind=kind, validity_months=24
            )
        # Current in everything: basic long ago, a refresher last year renews the chain, annual course this year.
        cls.current = make_officer(agency, 1)
        certify(cls.current, cls.basic, date(2020, 3, 1))
        certify(cls.current, cls.refresher, date(2025, 6, 1))
        certify(cls.current, cls.annual, date(2026, 1, 15), months=12)
        # Basic course only, in 2020: the chain lapsed on 2022-02-28; annual course expired on 2026-04-11.
        cls.lapsed = make_officer(agency, 2)
        certify(cls.lapsed, cls.basic, date(2020, 3, 1))
        certify(cls.lapsed, cls.annual, date(2025, 4, 11), months=12)  # last valid day 2026-04-11
        # Nothing at all.
        cls.untrained = make_officer(agency, 3)
        # Not designated: not counted.
        make_officer(agency, 4, status=Officer.Status.IN_TRAINING)
        # A WSO agreement of the same agency with only the basic course (completed in the future: not yet held).
        wso = Agreement.objects.create(agency=agency, model=AgreementModel.WSO)
        TrainingRequirement.objects.create(
            agency=agency, agreement=wso, course=cls.basic, kind=TrainingRequirement.Kind.BASIC, validity_months=24
        )
        cls.wso_officer = make_officer(agency, 5, agreement=wso)
        certify(cls.wso_officer, cls.basic, date(2026, 4, 13))
        # Agency B: no agreement requirements, so its required courses (the legacy rule).
        legacy_course = make_course(cls.agency_b, "LEGACY", months=24)
        make_certification_b = make_officer(cls.agency_b, 1)
        certify(make_certification_b, legacy_course, date(2025, 1, 1))
        make_officer(cls.agency_b, 2)

    def test_it_counts_required_and_current_officers_per_model_and_course(self):
        rows = course_currency(agency=self.agency_a, today=date(2026, 4, 12))
        self.assertEqual(
            [(row.model, row.course_code, row.kind, row.required, row.current) for row in rows],
            [
                ("JEM", "BASIC", "basic", 3, 2),
                ("JEM", "REFR", "refresher", 3, 1),
                ("JEM", "ANNUAL", "annual", 3, 1),
                ("WSO", "BASIC", "basic", 1, 0),
            ],
        )
        self.assertEqual(rows[1].not_current, 2)
        self.assertEqual(rows[1].percent, 33)

    def test_the_day_the_annual_course_expires_it_is_still_current(self):
        rows = course_currency(agency=self.agency_a, today=date(2026, 4, 11))
        annual = next(row for row in rows if row.course_code == "ANNUAL")
        self.assertEqual(annual.current, 2)

    def test_an_officer_current_in_every_required_course_is_exactly_one_the_rule_finds_trained(self):
        today = date(2026, 4, 12)
        officers = list(Officer.objects.filter(agency=self.agency_a, status=Officer.Status.DESIGNATED))
        trainings = officer_trainings(officers)
        trained = {officer.pk for officer in officers if trainings[officer.pk].trained_on(today)}
        self.assertEqual(trained, {self.current.pk})
        # Currency counts each course: the one trained officer is the only one current in all three JEM courses.
        rows = [row for row in course_currency(agency=self.agency_a, today=today) if row.model == "JEM"]
        self.assertEqual(min(row.current for row in rows), len(trained))

    def test_officers_without_agreement_requirements_count_under_the_agencys_required_courses(self):
        rows = course_currency(agency=self.agency_b, today=date(2026, 4, 12))
        self.assertEqual(
            [(row.model, row.course_code, row.required, row.current) for row in rows], [("", "LEGACY", 2, 1)]
        )

    def test_the_page_shows_the_table_with_roster_links(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get("/")
        self.assertEqual(figure(response, "currency-required"), "3")
        self.assertEqual(figure(response, "currency-current"), "2 (67%)")
        self.assertEqual(figure(response, "currency-not-current"), "1")
        self.assertContains(
            response,
            f"/roster/?agency={self.agency_a.public_id}&amp;officer_status=designated&amp;"
            f"course={self.refresher.public_id}&amp;model=JEM",
        )


@time_machine.travel(NOW, tick=False)
class TrendTests(BaseTestCase):
    """Agency A is in Chicago: 2026-04-01 04:30 UTC is still 31 March there (CDT, UTC−5)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        a = cls.agency_a
        received = [
            datetime(2026, 4, 1, 4, 30, tzinfo=UTC),  # 2026-03-31 23:30 CDT: March
            datetime(2026, 4, 1, 5, 30, tzinfo=UTC),  # 2026-04-01 00:30 CDT: April
            datetime(2026, 4, 10, 12, 0, tzinfo=UTC),  # April
            datetime(2025, 5, 1, 5, 0, tzinfo=UTC),  # 2025-05-01 00:00 CDT: the first month of the window
            datetime(2025, 5, 1, 4, 59, tzinfo=UTC),  # 2025-04-30 23:59 CDT: before the window
        ]
        cls.detainers = [make_detainer(a, n, received_at=at) for n, at in enumerate(received, start=1)]
        # March: released 2026-04-02 10:00 UTC → deadline 2026-04-04 10:00 UTC; transferred 3 hours late.
        march = cls.detainers[0]
        march.would_be_released_at = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
        march.hold_deadline = datetime(2026, 4, 4, 10, 0, tzinfo=UTC)
        march.outcome = Detainer.Outcome.TRANSFERRED
        march.outcome_at = datetime(2026, 4, 4, 13, 0, tzinfo=UTC)
        march.save()
        # April: still held, deadline passed an hour ago (pending).
        april = cls.detainers[2]
        april.would_be_released_at = NOW - timedelta(hours=49)
        april.hold_deadline = NOW - timedelta(hours=1)
        april.save()
        # April: deadline ahead: not past.
        ahead = cls.detainers[1]
        ahead.would_be_released_at = NOW - timedelta(hours=10)
        ahead.hold_deadline = NOW + timedelta(hours=38)
        ahead.save()
        make_detainer(cls.agency_b, 1, received_at=datetime(2026, 4, 5, tzinfo=UTC))
        # Findings: opened 2026-03-31 23:30 CDT (March), resolved 2026-04-01 00:30 CDT (April).
        make_finding(
            a,
            cls.detainers[0],
            opened_at=datetime(2026, 4, 1, 4, 30, tzinfo=UTC),
            status=Finding.Status.RESOLVED,
            resolved_at=datetime(2026, 4, 1, 5, 30, tzinfo=UTC),
        )
        make_finding(
            a,
            cls.detainers[1],
            opened_at=datetime(2026, 2, 10, tzinfo=UTC),
            status=Finding.Status.FALSE_POSITIVE,
            resolved_at=datetime(2026, 2, 11, tzinfo=UTC),
        )
        make_finding(a, cls.detainers[2], opened_at=datetime(2026, 4, 11, tzinfo=UTC))

    def test_trend_months_are_the_last_twelve_local_months(self):
        months = trend_months(date(2026, 4, 12))
        self.assertEqual(months[0], (date(2025, 5, 1), date(2025, 5, 31)))
        self.assertEqual(months[-1], (date(2026, 4, 1), date(2026, 4, 30)))
        self.assertEqual(len(months), 12)
        self.assertEqual(trend_months(date(2024, 2, 29))[-2], (date(2024, 1, 1), date(2024, 1, 31)))

    def test_monthly_figures_follow_the_agency_local_month(self):
        trends = {month.label: month for month in dashboard_figures(agency=self.agency_a, now=NOW).trends}
        self.assertEqual(list(trends)[0], "2025-05")
        self.assertEqual(list(trends)[-1], "2026-04")
        self.assertEqual(trends["2026-03"].detainers_received, 1)
        self.assertEqual(trends["2026-04"].detainers_received, 2)
        self.assertEqual(trends["2025-05"].detainers_received, 1)
        self.assertEqual(sum(month.detainers_received for month in trends.values()), 4)
        self.assertEqual(trends["2026-03"].holds_past_deadline, 1)  # transferred after the deadline
        self.assertEqual(trends["2026-04"].holds_past_deadline, 1)  # still held past it; the other is ahead
        self.assertEqual(trends["2026-03"].findings_opened, 1)
        self.assertEqual(trends["2026-04"].findings_opened, 1)
        self.assertEqual(trends["2026-02"].findings_opened, 1)
        self.assertEqual(trends["2026-04"].findings_closed, 1)
        self.assertEqual(trends["2026-02"].findings_closed, 1)
        self.assertEqual(trends["2026-03"].findings_closed, 0)

    def test_the_page_draws_three_accessible_charts_with_tables_and_links(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get("/")
        html = response.content.decode()
        self.assertEqual(html.count('data-testid="trend-chart"'), 3)
        self.assertEqual(html.count('data-testid="trend-table"'), 3)
        charts = html.split('data-testid="trend-chart"')[1:]
        for chart in charts:
            self.assertIn("<svg", chart)
            self.assertIn("<title>", chart)
            self.assertNotIn("<script", chart.split("</section>")[0])
        agency = self.agency_a.public_id
        march = f"/detainers/?agency={agency}&amp;received_from=2026-03-01&amp;received_to=2026-03-31"
        self.assertIn(f'{march}" data-testid="detainers-received-2026-03">1</a>', html)
        self.assertIn(f'{march}&amp;hold=past_deadline" data-testid="holds-past-2026-03">1</a>', html)
        self.assertEqual(figure(response, "findings-opened-2026-03"), "1")
        self.assertEqual(figure(response, "findings-closed-2026-04"), "1")

    def test_the_charts_carry_their_list_links_for_the_page_and_the_review_packet(self):
        figures = dashboard_figures(agency=self.agency_a, now=NOW)
        self.assertEqual(len(figures.charts), 4)
        agency = self.agency_a.public_id
        self.assertEqual(
            figures.charts[2].link,
            f"/detainers/?agency={agency}&received_from=2025-05-01&received_to=2026-04-30&hold=past_deadline",
        )
        self.assertTrue(all(chart.svg.startswith("<svg") for chart in figures.charts))

    def test_the_detainer_log_filters_holds_past_the_deadline(self):
        sign_in(self.client, self.supervisor_a)
        params = {"agency": str(self.agency_a.public_id), "hold": "past_deadline"}
        response = self.client.get("/detainers/", params)
        shown = {d.pk for d in response.context["detainers"]}
        self.assertEqual(shown, {self.detainers[0].pk, self.detainers[2].pk})
        params |= {"received_from": "2026-03-01", "received_to": "2026-03-31"}
        response = self.client.get("/detainers/", params)
        self.assertEqual({d.pk for d in response.context["detainers"]}, {self.detainers[0].pk})
        self.assertEqual(self.client.get("/detainers/", {"hold": "sometimes"}).status_code, 200)

    def test_cached_trends_are_rebuilt_after_a_change(self):
        sign_in(self.client, self.supervisor_a)
        self.client.get("/")
        with CaptureQueriesContext(connection) as warm:
            self.client.get("/")
        make_detainer(self.agency_a, 99, received_at=datetime(2026, 3, 15, tzinfo=UTC))  # bumps the version
        with CaptureQueriesContext(connection) as cold:
            response = self.client.get("/")
        self.assertGreater(len(cold), len(warm))
        self.assertIn('data-testid="detainers-received-2026-03">2</a>', response.content.decode())


@time_machine.travel(NOW, tick=False)
class DashboardQueryCountAtTwoSizesTests(BaseTestCase):
    """The page's queries, cold (cached part stale) and warm, are the same with little and with more data."""

    def _add_data(self, start: int, count: int):
        basic = self.basic
        for n in range(start, start + count):
            officer = make_officer(self.agency_a, n)
            certify(officer, basic, date(2025, 1, 1))
            detainer = make_detainer(
                self.agency_a,
                n,
                released_at=NOW - timedelta(hours=n % 90),
                received_at=NOW - timedelta(days=n % 400),
            )
            make_finding(
                self.agency_a,
                detainer,
                opened_at=NOW - timedelta(days=n % 200),
                severity=Finding.Severity.values[n % 4],
            )
            make_incident(self.agency_a, n, status=Incident.Status.SUPERVISOR_REVIEW)

    def _counts(self) -> tuple[int, int]:
        dashboard_changed(self.agency_a.pk)
        with CaptureQueriesContext(connection) as cold:
            self.assertEqual(self.client.get("/").status_code, 200)
        with CaptureQueriesContext(connection) as warm:
            self.assertEqual(self.client.get("/").status_code, 200)
        return len(cold), len(warm)

    def test_query_count_does_not_grow_with_data(self):
        self.basic = make_course(self.agency_a, "BASIC", required=False)
        TrainingRequirement.objects.create(
            agency=self.agency_a,
            agreement=self.agreement_a,
            course=self.basic,
            kind=TrainingRequirement.Kind.BASIC,
            validity_months=24,
        )
        sign_in(self.client, self.supervisor_a)
        self._add_data(1, 2)
        small = self._counts()
        self._add_data(100, 30)
        self.assertEqual(self._counts(), small)
        self.assertLess(small[1], small[0])  # warm reads the cached part without a query
        response = self.client.get("/")
        self.assertEqual(figure(response, "review-queue"), "32")
        self.assertEqual(figure(response, "findings-open-total"), "32")
        self.assertEqual(figure(response, "currency-required"), "32")
