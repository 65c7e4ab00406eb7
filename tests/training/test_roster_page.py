"""The roster page a supervisor works from: filters, search, sort, pagination, bulk actions, query count."""

from datetime import UTC, date, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.core.models import Agreement, AgreementModel
from compliance.core.roles import Role
from tests.base import BaseTestCase, make_user, sign_in
from tests.training.helpers import make_certification, make_course, make_officer, roster_search
from training.lifecycle.models import OfficerStatusChange
from training.roster.models import Officer

NOW = datetime(2026, 6, 1, 15, tzinfo=UTC)  # 2026-06-01 in agency A
CHECKLIST_DONE = {
    "us_citizen": True,
    "lea_background_check_on": date(2024, 1, 5),
    "ice_background_check_on": date(2024, 2, 5),
    "privacy_waiver_on_file": True,
    "service_commitment_signed": True,
    "ice_credential_id": "ICE-0001",
    "ice_credential_issued_on": date(2024, 4, 1),
}


@time_machine.travel(NOW, tick=False)
class RosterPageTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.wso_a = Agreement.objects.create(agency=cls.agency_a, model=AgreementModel.WSO, signed_on=date(2020, 1, 6))
        cls.supervisor_a2 = make_user("supervisor_a2", agency=cls.agency_a, role=Role.SUPERVISOR)
        cls.iadp = make_course(cls.agency_a, "IADP", validity_months=24)
        cls.online = make_course(cls.agency_a, "ONLINE", validity_months=12, required=False)
        # Current (expires 2027-05-01), JEM, supervised by supervisor_a.
        cls.alvarez = make_officer(
            cls.agency_a, "A-1", last="Alvarez", first="Rosa", supervisor=cls.supervisor_a, agreement=cls.agreement_a
        )
        make_certification(cls.alvarez, cls.iadp, date(2025, 5, 1))
        make_certification(cls.alvarez, cls.online, date(2026, 1, 10))
        # Expired (last valid day 2026-03-01), WSO, no supervisor.
        cls.brooks = make_officer(cls.agency_a, "A-2", last="Brooks", first="Sam", agreement=cls.wso_a)
        make_certification(cls.brooks, cls.iadp, date(2024, 3, 1))
        # Expiring (2026-07-01), JEM, supervised by supervisor_a2.
        cls.chen = make_officer(
            cls.agency_a, "A-3", last="Chen", first="Li", supervisor=cls.supervisor_a2, agreement=cls.agreement_a
        )
        make_certification(cls.chen, cls.iadp, date(2024, 7, 1))
        # Missing training, no agreement.
        cls.diaz = make_officer(cls.agency_a, "A-4", last="Diaz", first="Eva", agreement=None)
        cls.birch = make_officer(cls.agency_b, "B-1", last="Birchown", first="Bea")

    def login(self, user):
        self.client.logout()
        sign_in(self.client, user)

    def names(self, **params) -> list[str]:
        response = self.client.get(reverse("training:roster"), roster_search(self.client, params))
        self.assertEqual(response.status_code, 200)
        return [officer.last_name for officer in response.context["page_obj"]]


class FilterSearchSortTests(RosterPageTestCase):
    def setUp(self):
        self.login(self.supervisor_a)

    def test_it_filters_by_training_status(self):
        self.assertEqual(self.names(status="expired"), ["Brooks"])
        self.assertEqual(self.names(status="expiring"), ["Chen"])
        self.assertEqual(self.names(status="missing"), ["Diaz"])

    def test_it_filters_by_agreement_model(self):
        self.assertEqual(self.names(model="JEM"), ["Alvarez", "Chen"])
        self.assertEqual(self.names(model="WSO"), ["Brooks"])
        self.assertEqual(self.names(model="TFM"), [])

    def test_it_filters_by_supervisor_or_none(self):
        self.assertEqual(self.names(supervisor=self.supervisor_a2.pk), ["Chen"])
        self.assertEqual(self.names(supervisor="none"), ["Brooks", "Diaz"])

    def test_it_filters_by_completed_course_and_shows_that_courses_expiry(self):
        response = self.client.get(reverse("training:roster"), {"course": self.online.public_id})
        self.assertEqual([o.last_name for o in response.context["page_obj"]], ["Alvarez"])
        self.assertContains(response, "ONLINE last valid day")
        self.assertContains(response, "2027-01-10")

    def test_it_searches_by_name_or_badge(self):
        self.assertEqual(self.names(q="che"), ["Chen"])
        self.assertEqual(self.names(q="A-2"), ["Brooks"])
        self.assertEqual(self.names(q="rosa alv"), ["Alvarez"])

    def test_it_sorts_by_name_badge_status_and_next_expiry(self):
        self.assertEqual(self.names(sort="name"), ["Alvarez", "Brooks", "Chen", "Diaz"])
        self.assertEqual(self.names(sort="-name"), ["Diaz", "Chen", "Brooks", "Alvarez"])
        self.assertEqual(self.names(sort="-badge"), ["Diaz", "Chen", "Brooks", "Alvarez"])
        self.assertEqual(self.names(sort="status"), ["Diaz", "Brooks", "Chen", "Alvarez"])
        # Soonest next expiry first; an officer with no expiry (nothing held) last, either way.
        self.assertEqual(self.names(sort="expiry"), ["Brooks", "Chen", "Alvarez", "Diaz"])
        self.assertEqual(self.names(sort="-expiry"), ["Alvarez", "Chen", "Brooks", "Diaz"])

    def test_filters_combine_and_the_header_links_keep_them(self):
        self.assertContains(self.client.get(reverse("training:roster")), "?sort=-name&amp;agency=")  # default: name
        response = self.client.get(reverse("training:roster"), {"model": "JEM", "sort": "name"})
        self.assertContains(response, "model=JEM&amp;sort=-name")  # clicking "Officer" again reverses
        self.assertContains(response, 'aria-sort="ascending"')
        self.assertEqual(self.names(model="JEM", status="expiring"), ["Chen"])

    def test_an_unknown_filter_value_shows_the_whole_roster_with_the_error(self):
        response = self.client.get(reverse("training:roster"), {"sort": "salary"})
        self.assertEqual(len(response.context["page_obj"]), 4)
        self.assertContains(response, "Select a valid choice")

    def test_pagination_keeps_the_filters(self):
        for n in range(55):
            make_officer(self.agency_a, f"P-{n:02d}", last=f"Pagetest{n:02d}", agreement=self.agreement_a)
        response = self.client.get(reverse("training:roster"), {"model": "JEM", "sort": "badge", "page": 2})
        self.assertContains(response, "Page 2 of 2")
        self.assertContains(response, "model=JEM&amp;sort=badge&amp;agency=")
        self.assertEqual(len(response.context["page_obj"]), 7)  # 57 JEM officers

    def test_the_authorized_today_column_follows_part_a_rule(self):
        response = self.client.get(reverse("training:roster"))
        authorized = {o.last_name: o.authorized_today for o in response.context["page_obj"]}
        self.assertFalse(authorized["Brooks"])  # expired
        self.assertFalse(authorized["Diaz"])  # missing training
        self.assertTrue(authorized["Alvarez"])


class AccessTests(RosterPageTestCase):
    def test_other_agency_gets_404(self):
        self.login(self.staff_a)
        self.assertEqual(
            self.client.get(reverse("training:roster"), {"agency": self.agency_b.public_id}).status_code, 404
        )

    def test_outsider_gets_404(self):
        self.login(self.outsider)
        self.assertEqual(self.client.get(reverse("training:roster")).status_code, 404)
        self.assertEqual(self.client.post(reverse("training:roster"), {}).status_code, 404)

    def test_auditor_sees_no_bulk_form_and_cannot_post(self):
        self.login(self.auditor_a)
        response = self.client.get(reverse("training:roster"))
        self.assertNotContains(response, 'id="bulk-form"')
        post = self.client.post(
            reverse("training:roster"),
            {
                "bulk-action": "assign_supervisor",
                "bulk-officers": [self.diaz.public_id],
                "bulk-supervisor": self.supervisor_a.pk,
            },
        )
        self.assertEqual(post.status_code, 404)
        self.diaz.refresh_from_db()
        self.assertIsNone(self.diaz.supervisor)

    def test_staff_may_assign_supervisors_but_not_suspend(self):
        self.login(self.staff_a)
        actions = [
            key for key, _ in self.client.get(reverse("training:roster")).context["bulk_form"].fields["action"].choices
        ]
        self.assertEqual(actions, ["assign_supervisor"])
        response = self.client.post(
            reverse("training:roster"), {"bulk-action": "suspend", "bulk-officers": [self.alvarez.public_id]}
        )
        self.assertContains(response, "Select a valid choice")
        self.alvarez.refresh_from_db()
        self.assertEqual(self.alvarez.status, Officer.Status.DESIGNATED)


class QueryCountTests(RosterPageTestCase):
    def test_the_query_count_does_not_grow_with_the_roster(self):
        self.login(self.supervisor_a)
        params = {"model": "JEM", "sort": "expiry", "course": self.iadp.public_id}
        self.client.get(reverse("training:roster"), params)  # warm the session
        with CaptureQueriesContext(connection) as small:
            response = self.client.get(reverse("training:roster"), params)
        self.assertEqual(len(response.context["page_obj"]), 2)
        for n in range(60):
            officer = make_officer(
                self.agency_a,
                f"Q-{n}",
                last=f"Querycount{n}",
                supervisor=self.supervisor_a if n % 2 else self.supervisor_a2,
                agreement=self.agreement_a,
            )
            make_certification(officer, self.iadp, date(2025, 1, 1))
            make_certification(officer, self.online, date(2025, 6, 1))
        with self.assertNumQueries(len(small)):
            response = self.client.get(reverse("training:roster"), params)
        self.assertEqual(len(response.context["page_obj"]), 50)
        self.assertContains(response, "62 officers")

    def test_the_page_reads_the_supervisors_once_and_the_users_permissions_once(self):
        """The bulk form shows the supervisors the filter already read (no second read of the choices), and every
        "may … in this agency" of the page, header and nav comes from one read of the user's permissions
        (``compliance.core.access``'s request memo)."""
        self.login(self.supervisor_a)
        self.client.get(reverse("training:roster"))  # the session saved: the next request within a minute is not
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse("training:roster"))
        self.assertContains(response, 'data-testid="bulk-form"')
        statements = [query["sql"] for query in queries.captured_queries]
        supervisor_reads = [sql for sql in statements if 'FROM "compliance_user" WHERE' in sql and "ORDER BY" in sql]
        self.assertEqual(len(supervisor_reads), 1, "\n".join(statements))
        self.assertEqual(sum("guardian_userobjectpermission" in sql for sql in statements), 2)  # mine; supervisors
        self.assertFalse([sql for sql in statements if "django_session" in sql and not sql.startswith("SELECT")])


@time_machine.travel(NOW, tick=False)
class BulkActionTests(RosterPageTestCase):
    def post(self, action, officers, **fields):
        data = {"bulk-action": action, "bulk-officers": [o.public_id for o in officers]}
        data.update({f"bulk-{key}": value for key, value in fields.items()})
        return self.client.post(f"{reverse('training:roster')}?model=JEM", data)

    def test_assign_a_supervisor_to_several_officers_in_one_go(self):
        self.login(self.supervisor_a)
        response = self.post("assign_supervisor", [self.brooks, self.diaz], supervisor=self.supervisor_a2.pk)
        self.assertRedirects(
            response,
            f"{reverse('training:roster')}?model=JEM&agency={self.agency_a.public_id}",
            fetch_redirect_response=False,
        )
        for officer in (self.brooks, self.diaz):
            officer.refresh_from_db()
            self.assertEqual(officer.supervisor, self.supervisor_a2)
            entry = officer.history.latest()
            self.assertEqual(
                (entry.history_user, entry.history_change_reason),
                (self.supervisor_a, "Roster bulk action: assign supervisor"),
            )
        self.assertContains(self.client.get(response.url), "Done: 2 officers changed.")

    def test_every_refused_officer_is_reported_at_once_and_nothing_changes(self):
        separated = make_officer(self.agency_a, "S-1", last="Gone", first="Pat", status=Officer.Status.SEPARATED)
        disqualified = make_officer(self.agency_a, "S-2", last="Out", first="Max", status=Officer.Status.DISQUALIFIED)
        self.login(self.supervisor_a)
        response = self.post(
            "assign_supervisor", [self.diaz, separated, disqualified], supervisor=self.supervisor_a2.pk
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Nothing was changed: 2 officers refused")
        self.assertContains(response, "Gone, Pat (#S-1) is separated: no longer on the roster.")
        self.assertContains(response, "Out, Max (#S-2) is disqualified: no longer on the roster.")
        self.diaz.refresh_from_db()
        self.assertIsNone(self.diaz.supervisor)
        self.assertEqual(self.diaz.history.count(), 1)

    def test_a_supervisor_of_another_agency_is_not_a_choice(self):
        self.login(self.supervisor_a)
        response = self.post("assign_supervisor", [self.diaz], supervisor=self.supervisor_b.pk)
        self.assertContains(response, "Select a valid choice")
        self.diaz.refresh_from_db()
        self.assertIsNone(self.diaz.supervisor)

    def test_an_officer_of_another_agency_gets_404_and_nothing_changes(self):
        self.login(self.supervisor_a)
        response = self.post("assign_supervisor", [self.diaz, self.birch], supervisor=self.supervisor_a2.pk)
        self.assertEqual(response.status_code, 404)
        self.diaz.refresh_from_db()
        self.assertIsNone(self.diaz.supervisor)

    def test_nothing_ticked_says_so_next_to_the_form(self):
        self.login(self.supervisor_a)
        response = self.post("assign_supervisor", [], supervisor=self.supervisor_a2.pk)
        self.assertContains(response, "Tick at least one officer.")

    def test_suspend_then_reinstate_through_the_status_history(self):
        for officer in (self.alvarez, self.chen):
            for name, value in CHECKLIST_DONE.items():
                setattr(officer, name, value)
            officer.save()
        self.login(self.supervisor_a)

        self.post("suspend", [self.alvarez, self.chen], effective_on="2026-05-30", note="Policy review")

        changes = OfficerStatusChange.objects.filter(officer__in=[self.alvarez, self.chen]).order_by(
            "officer__badge_number"
        )
        self.assertEqual(
            [(c.officer.badge_number, c.status, c.effective_on, c.recorded_by, c.note) for c in changes],
            [
                ("A-1", "suspended", date(2026, 5, 30), self.supervisor_a, "Policy review"),
                ("A-3", "suspended", date(2026, 5, 30), self.supervisor_a, "Policy review"),
            ],
        )
        response = self.post("reinstate", [self.alvarez, self.chen])
        self.assertEqual(response.status_code, 302)
        self.alvarez.refresh_from_db()
        self.assertEqual(self.alvarez.status, Officer.Status.DESIGNATED)
        latest = self.alvarez.status_changes.order_by("-pk").first()
        self.assertEqual((latest.status, latest.effective_on), ("designated", date(2026, 6, 1)))  # blank: agency today

    def test_reinstating_refuses_every_problem_at_once(self):
        for name, value in CHECKLIST_DONE.items():
            setattr(self.alvarez, name, value)
        self.alvarez.status = Officer.Status.SUSPENDED
        self.alvarez.save()
        self.chen.status = Officer.Status.SUSPENDED
        self.chen.us_citizen = False  # the checklist was never complete
        self.chen.save()
        self.login(self.supervisor_a)

        response = self.post("reinstate", [self.alvarez, self.chen, self.brooks])

        self.assertContains(response, "Nothing was changed: 2 officers refused")
        self.assertContains(response, "Chen, Li (#A-3)")
        self.assertContains(response, "nomination checklist is incomplete")
        self.assertContains(response, "Brooks, Sam (#A-2) is not suspended")
        self.alvarez.refresh_from_db()
        self.assertEqual(self.alvarez.status, Officer.Status.SUSPENDED)  # the valid one was rolled back too
        self.assertFalse(OfficerStatusChange.objects.exists())
