"""The supervisor's queue (issue 11 item 6): filters, columns, order, overdue, query count, access log, log form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.core.models import AccessLog
from incidents.incident_log import services as incident_services
from incidents.incident_log.models import Incident, IncidentSettings, SubjectOfficer
from incidents.incident_log.selectors import CaseDeadlines, duration_text
from incidents.referrals.models import Referral
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import make_officer
from tests.incidents.helpers import local_datetime_post

NOW = datetime(2026, 5, 4, 15, 0, tzinfo=UTC)
URL = reverse("incidents:incident_list")


def make_case(agency, *, actor, title, received_at, **fields):
    """A case logged through the service, then moved (as the workflow would leave it) with a direct update."""
    incident = incident_services.incident_create(
        agency=agency,
        actor=actor,
        kind=fields.pop("kind", Incident.Kind.USE_OF_FORCE),
        severity=Incident.Severity.MEDIUM,
        title=title,
        occurred_at=received_at - timedelta(hours=1),
    )
    if fields.get("status") == Incident.Status.CLOSED:
        fields.setdefault("closure", Incident.Closure.REVIEWED)
        fields.setdefault("closed_at", received_at + timedelta(days=3))
    Incident.objects.filter(pk=incident.pk).update(received_at=received_at, **fields)
    incident.refresh_from_db()
    return incident


def titles(response) -> list[str]:
    return [row.incident.title for row in response.context["rows"]]


@time_machine.travel(NOW, tick=False)
class QueueTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.officer = make_officer(cls.agency_a, 1, last_name="Badgeholder")
        cls.other_officer = make_officer(cls.agency_a, 2, last_name="Elsewhere")
        cls.officer_b = make_officer(cls.agency_b, 3, last_name="Birchman")
        hours = timedelta(hours=1)
        days = timedelta(days=1)
        a, actor = cls.agency_a, cls.supervisor_a
        cls.fresh = make_case(
            a,
            actor=actor,
            title="Fresh public complaint",
            received_at=NOW - 2 * hours,
            kind=Incident.Kind.COMPLAINT,
            source=Incident.Source.PUBLIC,
            tracking_number="K7Q-4MX-29P",
            immigration_related=Incident.Immigration.YES,
        )
        # Agency A's settings: ICE within 24 h, close within 30 days.
        IncidentSettings.objects.create(agency=a, ice_referral_hours=24, investigation_target_days=30)
        cls.referral_late = make_case(
            a,
            actor=actor,
            title="Complaint not referred",
            received_at=NOW - 30 * hours,
            kind=Incident.Kind.COMPLAINT,
            source=Incident.Source.PUBLIC,
            tracking_number="ABC-DEF-GHJ",
            immigration_related=Incident.Immigration.YES,
            status=Incident.Status.UNDER_INVESTIGATION,
            investigator=cls.staff_a,
        )
        cls.referred = make_case(
            a,
            actor=actor,
            title="Complaint referred",
            received_at=NOW - 3 * days,
            kind=Incident.Kind.COMPLAINT,
            immigration_related=Incident.Immigration.YES,
            status=Incident.Status.SUPERVISOR_REVIEW,
            investigator=cls.supervisor_a,
        )
        Referral.objects.create(
            agency=a,
            incident=cls.referred,
            recipient=Referral.Recipient.ICE_OPR,
            referred_at=NOW - 3 * days + 2 * hours,
            recorded_by=actor,
        )
        cls.past_target = make_case(
            a, actor=actor, title="Old use of force", received_at=NOW - 31 * days, investigator=cls.staff_a
        )
        cls.closed = make_case(
            a,
            actor=actor,
            title="Closed long ago",
            received_at=NOW - 60 * days,
            immigration_related=Incident.Immigration.YES,  # never referred, but closed: not the queue's overdue
            status=Incident.Status.CLOSED,
            source=Incident.Source.RULE,
            kind=Incident.Kind.HOLD_VIOLATION,
        )
        cls.merged = make_case(
            a,
            actor=actor,
            title="Merged duplicate",
            received_at=NOW - 50 * days,
            status=Incident.Status.CLOSED,
            closure=Incident.Closure.MERGED,
            immigration_related=Incident.Immigration.YES,
        )
        SubjectOfficer.objects.create(incident=cls.past_target, officer=cls.officer, added_at=NOW, added_by=actor)
        SubjectOfficer.objects.create(incident=cls.fresh, officer=cls.officer, added_at=NOW, added_by=actor)
        SubjectOfficer.objects.create(incident=cls.fresh, officer=cls.other_officer, added_at=NOW, added_by=actor)
        # Agency B has no settings row: the defaults (48 h, 90 days) apply.
        cls.b_30h = make_case(
            cls.agency_b,
            actor=cls.supervisor_b,
            title="Birch complaint 30 h old",
            received_at=NOW - 30 * hours,
            immigration_related=Incident.Immigration.YES,
        )
        cls.b_60d = make_case(
            cls.agency_b, actor=cls.supervisor_b, title="Birch case 60 days", received_at=NOW - 60 * days
        )
        cls.b_91d = make_case(
            cls.agency_b, actor=cls.supervisor_b, title="Birch case 91 days", received_at=NOW - 91 * days
        )

    def get(self, user, **params):
        sign_in(self.client, user)
        response = self.client.get(URL, params)
        self.assertEqual(response.status_code, 200)
        return response

    def test_newest_received_first_only_the_users_agencies(self):
        response = self.get(self.staff_a)
        self.assertEqual(
            titles(response),
            [
                "Fresh public complaint",
                "Complaint not referred",
                "Complaint referred",
                "Old use of force",
                "Merged duplicate",
                "Closed long ago",
            ],
        )
        self.assertContains(response, "<strong>6</strong> cases.", html=False)

    def test_the_order_is_stable_when_cases_are_received_at_the_same_instant(self):
        same = [
            make_case(self.agency_a, actor=self.staff_a, title=f"Same instant {n}", received_at=NOW - timedelta(days=5))
            for n in range(3)
        ]
        response = self.get(self.staff_a, kind=Incident.Kind.USE_OF_FORCE)
        self.assertEqual(titles(response)[:3], [case.title for case in reversed(same)])  # newest pk first

    def test_stage_filter_each_stage_and_open(self):
        expected = {
            "received": ["Fresh public complaint", "Old use of force"],
            "under_investigation": ["Complaint not referred"],
            "supervisor_review": ["Complaint referred"],
            "closed": ["Merged duplicate", "Closed long ago"],
            "open": ["Fresh public complaint", "Complaint not referred", "Complaint referred", "Old use of force"],
        }
        for stage, wanted in expected.items():
            with self.subTest(stage=stage):
                self.assertEqual(titles(self.get(self.staff_a, status=stage)), wanted)

    def test_kind_source_and_assigned_to_me(self):
        self.assertEqual(titles(self.get(self.staff_a, kind="hold_violation")), ["Closed long ago"])
        self.assertEqual(
            titles(self.get(self.staff_a, source="public")), ["Fresh public complaint", "Complaint not referred"]
        )
        self.assertEqual(titles(self.get(self.staff_a, source="rule")), ["Closed long ago"])
        self.assertEqual(titles(self.get(self.staff_a, mine="1")), ["Complaint not referred", "Old use of force"])
        self.assertEqual(titles(self.get(self.supervisor_a, mine="on")), ["Complaint referred"])

    def test_subject_officer_filter_by_public_id(self):
        response = self.get(self.staff_a, officer=str(self.officer.public_id))
        self.assertEqual(titles(response), ["Fresh public complaint", "Old use of force"])  # once each
        self.assertEqual(
            titles(self.get(self.staff_a, officer=str(self.other_officer.public_id))), ["Fresh public complaint"]
        )
        # The choice lists agency A's officers by name and badge; agency B's officer is not offered.
        self.assertContains(response, f'<option value="{self.officer.public_id}" selected>Badgeholder, Robin · badge')
        self.assertNotContains(response, "Birchman")
        # Another agency's officer (or junk) is not a valid choice: ignored, the whole queue shows, no 500.
        for junk in (str(self.officer_b.public_id), "not-a-uuid", "Badgeholder"):
            with self.subTest(junk=junk):
                self.assertEqual(len(titles(self.get(self.staff_a, officer=junk))), 6)

    def test_overdue_uses_each_agencys_settings_or_the_defaults(self):
        # Agency A (24 h / 30 days): the 30-hour complaint has no ICE referral; the 31-day case is past target.
        # Closed cases are overdue for nothing (the queue is a work list; the report shows missed referrals).
        self.assertEqual(titles(self.get(self.staff_a, overdue="1")), ["Complaint not referred", "Old use of force"])
        # Agency B (no row: 48 h / 90 days): only the 91-day case.
        self.assertEqual(titles(self.get(self.staff_b, overdue="1")), ["Birch case 91 days"])
        # A supervisor of A sees which deadline in words, not colour alone.
        response = self.get(self.staff_a)
        rows = {row.incident.title: row for row in response.context["rows"]}
        self.assertTrue(rows["Complaint not referred"].referral_overdue)
        self.assertFalse(rows["Complaint not referred"].past_target)
        self.assertTrue(rows["Old use of force"].past_target)
        self.assertFalse(rows["Fresh public complaint"].overdue)  # 2 h < 24 h
        self.assertFalse(rows["Complaint referred"].overdue)
        self.assertFalse(rows["Merged duplicate"].overdue)
        self.assertContains(response, "Overdue</span> ICE referral", count=1, html=False)
        self.assertContains(response, "Overdue</span> past the investigation target", count=1, html=False)

    def test_overdue_combines_with_other_filters_and_another_setting(self):
        IncidentSettings.objects.filter(agency=self.agency_a).update(ice_referral_hours=48)
        self.assertEqual(titles(self.get(self.staff_a, overdue="1")), ["Old use of force"])
        self.assertEqual(titles(self.get(self.staff_a, overdue="1", status="closed")), [])

    def test_columns(self):
        response = self.get(self.staff_a, status="under_investigation")
        row = response.context["rows"][0]
        self.assertEqual(row.age_text, "1 day")
        html = response.content.decode()
        self.assertIn("2026-05-03 04:00 CDT", html)  # received 30 h before 10:00 CDT
        self.assertIn("<td>Complaint</td>", html)
        self.assertIn("<td>Under investigation</td>", html)
        self.assertIn("<td>Public complaint</td>", html)
        self.assertIn("<td>ABC-DEF-GHJ</td>", html)
        self.assertIn(f"<td>{self.staff_a.get_full_name() or self.staff_a.username}</td>", html)
        closed = self.get(self.staff_a, status="closed").context["rows"]
        self.assertEqual([row.age_text for row in closed], ["3 days", "3 days"])  # a closed case: time to close

    def test_duration_text(self):
        self.assertEqual(duration_text(timedelta(minutes=59)), "0 hours")
        self.assertEqual(duration_text(timedelta(hours=1, minutes=5)), "1 hour")
        self.assertEqual(duration_text(timedelta(hours=23, minutes=59)), "23 hours")
        self.assertEqual(duration_text(timedelta(days=1, hours=23)), "1 day")
        self.assertEqual(duration_text(timedelta(days=12)), "12 days")
        self.assertEqual(CaseDeadlines(), CaseDeadlines(48, 90))

    def test_bad_filter_values_are_ignored_never_a_server_error(self):
        response = self.get(self.staff_a, status="bogus", kind="x" * 500, source="\x00", page="-3")
        self.assertEqual(len(titles(response)), 6)

    def test_an_auditor_of_both_agencies_sees_both_and_one_access_log_row_per_agency(self):
        response = self.get(self.auditor)
        self.assertEqual(len(titles(response)), 9)
        self.assertTrue(response.context["several_agencies"])
        self.assertNotContains(response, "Log an incident")
        logged = dict(
            AccessLog.objects.filter(action=AccessLog.Action.LIST, path=URL).values_list("agency__name", "object_count")
        )
        self.assertEqual(logged, {self.agency_a.name: 6, self.agency_b.name: 3})

    def test_the_log_button_is_for_users_who_may_change(self):
        self.assertContains(self.get(self.staff_a), reverse("incidents:incident_create"))

    def follow(self, response, link: str):
        target = response.context["links"][link]
        self.assertIsNotNone(target, link)
        response = self.client.get(URL + target)
        self.assertEqual(response.status_code, 200)
        return response

    def test_every_page_read_from_either_end_is_the_same_order(self):
        # Ties on the received instant too: the order is total (received, then id), so both ends agree.
        for n in range(57):
            make_case(self.agency_a, actor=self.staff_a, title=f"Tie {n}", received_at=NOW - timedelta(days=n // 4))
        everything = list(
            Incident.objects.filter(agency=self.agency_a)
            .order_by("-received_at", "-pk")
            .values_list("title", flat=True)
        )
        self.assertEqual(len(everything), 63)
        first = self.get(self.staff_a)
        second = self.follow(first, "next")
        third = self.follow(second, "next")
        self.assertIsNone(third.context["links"]["next"])
        self.assertEqual(titles(first) + titles(second) + titles(third), everything)
        # "Last" reads from the end: the last 25 in the same order; "previous" from there walks back to the start.
        last = self.follow(first, "last")
        self.assertEqual(titles(last), everything[-25:])
        before_last = self.follow(last, "previous")
        self.assertEqual(titles(before_last), everything[-50:-25])
        start = self.follow(before_last, "previous")
        self.assertEqual(titles(start), everything[:13])  # pages are not aligned to the start: a short first page
        self.assertIsNone(start.context["links"]["previous"])

    def test_paging_links_keep_the_filters(self):
        for n in range(26):
            make_case(self.agency_a, actor=self.staff_a, title=f"Bulk {n}", received_at=NOW - timedelta(days=40))
        response = self.get(self.staff_a, overdue="1", kind="use_of_force")
        self.assertEqual(len(titles(response)), 25)
        self.assertIn("kind=use_of_force&overdue=1&cursor=", response.context["links"]["next"])
        self.assertContains(response, 'aria-label="Next page"')
        self.assertEqual(titles(response)[:2], ["Old use of force", "Bulk 25"])
        self.assertEqual(titles(self.follow(response, "next")), ["Bulk 1", "Bulk 0"])
        self.assertEqual(titles(self.follow(response, "last"))[-2:], ["Bulk 1", "Bulk 0"])


@time_machine.travel(NOW, tick=False)
class QueueQueryCountTests(BaseTestCase):
    """A fixed number of queries at any size: 1 case, then 40 with investigators, officers and referrals."""

    def count(self, params) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(URL, params)
        self.assertEqual(response.status_code, 200)
        return len(captured.captured_queries)

    def test_constant_query_count_one_vs_forty_cases(self):
        officer = make_officer(self.agency_a, 1)
        sign_in(self.client, self.auditor)
        # The one case matches every filter below but "mine" (the auditor investigates nothing), as the 40 will.
        only = make_case(
            self.agency_a,
            actor=self.staff_a,
            title="Only one",
            received_at=NOW - timedelta(days=3),
            kind=Incident.Kind.COMPLAINT,
            source=Incident.Source.PUBLIC,
            immigration_related=Incident.Immigration.YES,
        )
        SubjectOfficer.objects.create(incident=only, officer=officer, added_at=NOW, added_by=self.staff_a)
        variants = [
            {},
            {"status": "open"},
            {"overdue": "1"},
            {"officer": str(officer.public_id)},
            {"kind": "complaint", "source": "public", "mine": "1"},
            {"agency": str(self.agency_a.public_id)},
        ]
        self.client.get(URL)  # session warm
        small = [self.count(params) for params in variants]
        for n in range(40):
            agency = self.agency_a if n % 2 else self.agency_b
            case = make_case(
                agency,
                actor=self.supervisor_a,
                title=f"Case {n}",
                received_at=NOW - timedelta(days=n),
                investigator=self.staff_a if n % 3 else None,
                kind=Incident.Kind.COMPLAINT,
                source=Incident.Source.PUBLIC,
                immigration_related=Incident.Immigration.YES,
            )
            if agency == self.agency_a:
                SubjectOfficer.objects.create(incident=case, officer=officer, added_at=NOW, added_by=self.staff_a)
            if n % 4 == 0:
                Referral.objects.create(
                    agency=agency,
                    incident=case,
                    recipient=Referral.Recipient.ICE_OPR,
                    referred_at=NOW,
                    recorded_by=self.staff_a,
                )
        large = [self.count(params) for params in variants]
        self.assertEqual(small, large)
        self.assertEqual(len(self.client.get(URL).context["rows"]), 25)


@time_machine.travel(NOW, tick=False)
class LogFormTests(BaseTestCase):
    """Staff log an incident (or a complaint taken by phone); the form offers no stage and cannot close a case."""

    def test_the_form_offers_no_stage(self):
        sign_in(self.client, self.staff_a)
        response = self.client.get(reverse("incidents:incident_create"))
        self.assertNotIn("status", response.context["form"].fields)
        self.assertNotContains(response, 'name="status"')
        kinds = [value for value, _ in response.context["form"].fields["kind"].choices if value]
        self.assertEqual(
            kinds,
            ["complaint", "use_of_force", "hold_violation", "scope_violation", "citizenship_claim", "other"],
        )

    def test_a_post_with_status_closed_creates_a_received_case(self):
        sign_in(self.client, self.staff_a)
        data = {
            "kind": "complaint",
            "severity": "medium",
            "immigration_related": "yes",
            "title": "Complaint taken by phone",
            "status": "closed",
            "closure": "reviewed",
            "closed_at": "2026-05-01",
            "source": "public",
            **local_datetime_post("occurred_at", "2026-05-02", "14:30"),
        }
        response = self.client.post(reverse("incidents:incident_create"), data)
        incident = Incident.objects.get(title="Complaint taken by phone")
        self.assertRedirects(
            response, reverse("incidents:incident_detail", args=[incident.public_id]), fetch_redirect_response=False
        )
        self.assertEqual(incident.status, Incident.Status.RECEIVED)
        self.assertEqual(incident.closure, "")
        self.assertIsNone(incident.closed_at)
        self.assertEqual(incident.source, Incident.Source.STAFF)
        self.assertEqual(incident.received_at, NOW)
