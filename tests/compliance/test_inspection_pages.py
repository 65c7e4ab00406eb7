"""The inspection-readiness pages (issue #15 item 2): who may read and request, hostile periods, query count.

Reading the page needs ``view_records`` in the agreement's agency, requesting the PDF ``export_reports`` (as every
report request: re-authentication, the export limit); another agency's agreement is 404. A period that is not a
date, reversed, in the agency's future or longer than three years is refused next to its field, never a 500. The
page's queries do not grow with findings, documents or history rows, and grow per requirement only by the
evaluator's own queries (``requirement_evidence``).
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from compliance.core.models import Clause, Finding, Report
from compliance.moa.evidence import Period, requirement_evidence
from compliance.reports.forms import ERR_ORDER, ERR_SPAN
from tests.base import BaseTestCase, sign_in
from tests.compliance import inspection_fixtures as fx
from tests.compliance.helpers import make_incident

PERIOD = {"start": "2026-01-01", "end": "2026-03-31"}


def setUpModule():
    fx.register_test_evaluator()


def tearDownModule():
    fx.unregister_test_evaluator()


class PageCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        fx.build(cls)

    def page(self, user, agreement=None, params=PERIOD):
        sign_in(self.client, user)
        return self.client.get(reverse("reports:inspection", args=[(agreement or self.agreement_a).public_id]), params)

    def post(self, user, agreement=None, body=PERIOD):
        sign_in(self.client, user)
        url = reverse("reports:inspection_request", args=[(agreement or self.agreement_a).public_id])
        return self.client.post(url, body)


class PermissionTests(PageCase):
    def test_anyone_who_may_view_the_agency_reads_the_page(self):
        for user in (self.staff_a, self.supervisor_a, self.auditor_a, self.admin_a, self.auditor):
            response = self.page(user)
            self.assertEqual(response.status_code, 200, user.username)
            self.assertContains(response, "Complaint procedure published")

    def test_the_request_button_is_shown_only_to_who_may_export(self):
        self.assertNotContains(self.page(self.staff_a), 'data-testid="inspection-request"')
        self.assertContains(self.page(self.supervisor_a), 'data-testid="inspection-request"')

    def test_another_agencys_agreement_and_an_outsider_get_404(self):
        self.assertEqual(self.page(self.staff_a, self.agreement_b).status_code, 404)
        self.assertEqual(self.page(self.supervisor_b).status_code, 404)
        self.assertEqual(self.page(self.outsider).status_code, 404)
        self.assertEqual(self.post(self.supervisor_b).status_code, 404)

    def test_requesting_the_pdf_needs_export(self):
        self.assertEqual(self.post(self.staff_a).status_code, 404)
        self.assertFalse(Report.objects.exists())

    def test_the_request_goes_through_the_reports_service_with_the_agreement_as_parameter(self):
        response = self.post(self.supervisor_a)
        self.assertRedirects(response, reverse("reports:list"), fetch_redirect_response=False)
        report = Report.objects.get()
        self.assertEqual(
            (report.kind, report.agency, report.period_start, report.as_of, report.basis, report.parameters),
            (
                Report.Kind.INSPECTION_READINESS,
                self.agency_a,
                date(2026, 1, 1),
                date(2026, 3, 31),
                "effective",
                {"agreement": str(self.agreement_a.public_id)},
            ),
        )
        self.assertEqual(report.requested_by, self.supervisor_a)

    def test_the_index_lists_only_agreements_one_may_view(self):
        sign_in(self.client, self.staff_a)
        response = self.client.get(reverse("reports:inspection_index"))
        self.assertContains(response, reverse("reports:inspection", args=[self.agreement_a.public_id]))
        self.assertNotContains(response, str(self.agreement_b.public_id))

    def test_the_generic_request_form_does_not_offer_the_kind_without_its_agreement(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get(reverse("reports:request"))
        self.assertNotContains(response, 'value="inspection_readiness"')


class PageContentTests(PageCase):
    def test_the_page_shows_what_the_pdf_shows(self):
        response = self.page(self.supervisor_a)
        for expected in (
            "Agreement signed and in force",
            "Section XX",
            "The agreement expires on 2026-06-01",
            "Complaint policy 2026",
            "Complaints referred on time",
            "4 of 4",
            "Referred to ICE OPR on 2026-02-19.",
            "Roll call training held (invented).",
            "Second complaint not referred in 48 h.",
            "No valid document is attached.",
            "Not yet checked against the signed MOA",
        ):
            self.assertContains(response, expected)
        for absent in ("Inactive media clause", "Birch media clause", "Birch finding.", "Unrelated finding."):
            self.assertNotContains(response, absent)

    def test_without_a_period_the_page_shows_the_last_twelve_months(self):
        response = self.page(self.supervisor_a, params={})
        self.assertEqual(response.status_code, 200)
        inspection = response.context["inspection"]
        self.assertEqual((inspection.period.end - inspection.period.start).days, 364)


class HostilePeriodTests(PageCase):
    def assert_refused(self, params, field, message=None):
        response = self.page(self.supervisor_a, params=params)
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["inspection"])
        self.assertIn(field, response.context["form"].errors)
        if message:
            self.assertIn(message, response.context["form"].errors[field])

    def test_a_reversed_period_is_refused_at_its_start(self):
        self.assert_refused({"start": "2026-03-31", "end": "2026-01-01"}, "start", ERR_ORDER.format(end="2026-01-01"))

    def test_a_period_over_three_years_is_refused(self):
        self.assert_refused({"start": "2020-01-01", "end": "2026-03-31"}, "start", ERR_SPAN.format(years=3))

    def test_a_last_day_in_the_future_is_refused(self):
        self.assert_refused({"start": "2026-01-01", "end": "2199-12-31"}, "end")

    def test_dates_outside_the_calendar_and_garbage_are_refused(self):
        for value in ("9999-12-31", "0001-01-01", "2026-02-30", "today", "\x00", "x" * 10_000, "2026-01-01'--"):
            self.assert_refused({"start": value, "end": "2026-03-31"}, "start")

    def test_a_bad_period_posted_gives_the_page_back_with_the_message(self):
        response = self.post(self.supervisor_a, body={"start": "2026-03-31", "end": "2026-01-01"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, ERR_ORDER.format(end="2026-01-01"), status_code=400)
        self.assertFalse(Report.objects.exists())


class HostilePeriodFuzzTests(HypothesisTestCase, PageCase):
    @settings(max_examples=40, deadline=None)
    @given(
        start=st.one_of(st.text(max_size=30), st.dates().map(str)),
        end=st.one_of(st.text(max_size=30), st.dates().map(str)),
        basis=st.one_of(st.just("effective"), st.just("recorded"), st.text(max_size=10)),
    )
    def test_any_period_gives_a_page_never_a_server_error(self, start, end, basis):
        response = self.page(self.staff_a, params={"start": start, "end": end, "basis": basis})
        self.assertEqual(response.status_code, 200)


class QueryCountTests(PageCase):
    def count(self) -> int:
        sign_in(self.client, self.supervisor_a)
        url = reverse("reports:inspection", args=[self.agreement_a.public_id])
        self.client.get(url, PERIOD)  # warm caches (content types, the session)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url, PERIOD)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_findings_documents_and_status_changes_add_no_query(self):
        before = self.count()
        for number in range(20, 30):
            fx.finding_on(
                make_incident(self.agency_a, number),
                Finding.Kind.REFERRAL_OVERDUE,
                fx.utc(2026, 2, 10, 15),
                summary=f"Extra finding {number}.",
            )
            fx.document(self.cases, f"Extra document {number}", at=fx.utc(2026, 2, 10, 15), actor=self.supervisor_a)
            fx.status_change(
                self.policy,
                "at_risk" if number % 2 else "met",
                "Flapping.",
                at=fx.utc(2026, 2, 11, number - 19),
                actor=self.supervisor_a,
            )
        self.assertEqual(self.count(), before)

    def test_each_requirement_adds_only_its_evaluators_own_queries(self):
        before = self.count()
        added = []
        for number in range(5):
            added.append(
                fx.requirement(
                    self.agreement_a,
                    f"extra-{number}",
                    clause=Clause.OTHER,
                    evidence="agreement_term",
                    position=10 + number,
                    title=f"Extra requirement {number}",
                    actor=self.admin_a,
                )
            )
        # What requirement_evidence alone costs for one of them (the agreement already loaded, as the page does).
        one = type(added[0]).objects.get(pk=added[0].pk)
        one.agreement = self.agreement_a
        with CaptureQueriesContext(connection) as own:
            requirement_evidence(one, period=Period(date(2026, 1, 1), date(2026, 3, 31), fx.utc(2026, 4, 1, 5)))
        self.assertEqual(self.count(), before + 5 * len(own))
