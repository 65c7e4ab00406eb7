"""Audit history pages and the attribution rules behind them (cases H2, H3)."""

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from celery import shared_task
from django.conf import settings
from django.core.management import call_command

from compliance.core.audit import acting_as
from compliance.core.models import AccessLog, Agency, Finding, User
from compliance.core.system_account import system_user
from incidents.incident_log.models import Incident
from incidents.tasks import sweep_hold_deadlines_task
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import make_detainer, make_incident, make_officer


@shared_task
def _review_incident_task(incident_id: int, actor_id: int) -> None:
    """A task that acts on behalf of a person: ids in, attribution by acting_as."""
    incident = Incident.objects.get(pk=incident_id)
    with acting_as(User.objects.get(pk=actor_id), reason="Review started from a task"):
        incident.status = Incident.Status.SUPERVISOR_REVIEW
        incident.save()


class HistoryPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.supervisor_a.first_name, cls.supervisor_a.last_name = "Lee", "Marchbanks"
        cls.supervisor_a.save()
        with acting_as(cls.staff_a, reason="Roster import: roster.csv"):
            cls.officer = make_officer(cls.agency_a, 1, last_name="Historian")
        with acting_as(cls.supervisor_a, reason="Moved to warrants"):
            cls.officer.unit = "Warrants"
            cls.officer.status = "suspended"
            cls.officer.save()
        cls.officer_b = make_officer(cls.agency_b, 1)

    def url(self, record, label="training.officer"):
        return f"/history/{label}/{record.public_id}/"

    def test_it_shows_who_when_type_reason_and_each_field(self):
        sign_in(self.client, self.auditor_a)
        response = self.client.get(self.url(self.officer))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="history-entry"', count=2)
        html = response.content.decode()
        # Newest first.
        self.assertLess(html.index("Lee Marchbanks"), html.index("staff_a"))
        self.assertContains(response, "Moved to warrants")
        self.assertContains(response, "Roster import: roster.csv")
        self.assertContains(response, "<ins>Warrants</ins>", html=False)
        self.assertContains(response, "<ins>Suspended</ins>", html=False)  # choice label, not the stored value
        self.assertContains(response, "Created")
        self.assertNotContains(response, "Updated at")

    def test_times_are_shown_in_the_agency_zone(self):
        # History rows are append-only (SECURITY.md D5): make a change at that instant instead of rewriting one.
        with time_machine.travel(datetime(2026, 3, 9, 15, 0, tzinfo=UTC), tick=False):
            self.officer.unit = "Night shift"
            self.officer.save()
        sign_in(self.client, self.staff_a)
        self.assertContains(self.client.get(self.url(self.officer)), "2026-03-09 10:00 CDT")

    def test_other_agency_gets_404(self):
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.get(self.url(self.officer_b)).status_code, 404)

    def test_outsider_gets_404(self):
        sign_in(self.client, self.outsider)
        self.assertEqual(self.client.get(self.url(self.officer)).status_code, 404)

    def test_a_model_not_on_the_allow_list_gets_404(self):
        sign_in(self.client, self.admin_a)
        for label in ("compliance.user", "auth.group", "compliance.accesslog", "nonsense", "training.nosuchmodel"):
            with self.subTest(label=label):
                self.assertEqual(self.client.get(self.url(self.officer, label)).status_code, 404)

    def test_a_wrong_model_for_the_id_gets_404(self):
        sign_in(self.client, self.admin_a)
        self.assertEqual(self.client.get(self.url(self.officer, "incidents.detainer")).status_code, 404)

    def test_an_agency_history_is_scoped_to_the_agency(self):
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.get(self.url(self.agency_a, "compliance.agency")).status_code, 200)
        self.assertEqual(self.client.get(self.url(self.agency_b, "compliance.agency")).status_code, 404)

    def test_a_detainer_history_view_is_access_logged(self):
        detainer = make_detainer(self.agency_a, 1)
        sign_in(self.client, self.auditor_a)
        self.assertEqual(self.client.get(self.url(detainer, "incidents.detainer")).status_code, 200)
        log = AccessLog.objects.get(user=self.auditor_a)
        self.assertEqual((log.action, log.object_id, log.agency), (AccessLog.Action.VIEW, detainer.pk, self.agency_a))

    def test_anonymous_goes_to_login(self):
        response = self.client.get(self.url(self.officer))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/accounts/login/"))


class NoPhantomChangeTests(BaseTestCase):
    def test_case_H2_saving_unchanged_three_times_writes_no_history(self):
        incident = make_incident(self.agency_a, 1)
        self.assertEqual(incident.history.count(), 1)
        for _ in range(3):
            incident = Incident.objects.get(pk=incident.pk)
            incident.save()
        self.assertEqual(incident.history.count(), 1)

    def test_case_H2_a_real_change_still_writes_one_row(self):
        incident = make_incident(self.agency_a, 1)
        incident.title = "Renamed (invented)"
        incident.save()
        incident.save()
        self.assertEqual(incident.history.count(), 2)


class AttributionOutsideRequestsTests(BaseTestCase):
    def test_case_H3_a_task_on_behalf_of_a_supervisor_is_attributed_to_them(self):
        incident = make_incident(self.agency_a, 1)
        _review_incident_task.delay(incident.pk, self.supervisor_a.pk)
        latest = incident.history.latest("history_date")
        self.assertEqual(latest.history_user, self.supervisor_a)
        self.assertEqual(latest.history_change_reason, "Review started from a task")

    def test_case_H3_a_failed_acting_as_block_does_not_leak(self):
        incident = make_incident(self.agency_a, 1)
        with pytest.raises(RuntimeError), acting_as(self.supervisor_a, reason="will fail"):
            raise RuntimeError("the task failed")
        incident.title = "Changed after the failure (invented)"
        incident.save()
        latest = incident.history.latest("history_date")
        self.assertIsNone(latest.history_user)
        self.assertIsNone(latest.history_change_reason)

    def test_case_H3_nested_acting_as_restores_the_outer_user(self):
        incident = make_incident(self.agency_a, 1)
        with acting_as(self.supervisor_a):
            with acting_as(self.admin_a):
                pass
            incident.title = "Changed in the outer block (invented)"
            incident.save()
        self.assertEqual(incident.history.latest("history_date").history_user, self.supervisor_a)

    def test_case_H3_a_scheduled_job_is_attributed_to_the_system_user(self):
        make_detainer(self.agency_a, 1, released_at=datetime(2020, 1, 1, tzinfo=UTC))
        sweep_hold_deadlines_task.delay()
        finding = Finding.objects.get(agency=self.agency_a)
        self.assertEqual(finding.history.earliest("history_date").history_user, system_user())

    def test_case_H3_a_command_is_attributed_to_the_user_it_runs_as(self):
        path = self._small_list()
        call_command("import_agencies", str(path), "--as", "admin_a", stdout=_Null(), stderr=_Null())
        agency = Agency.objects.get(name="Nowhere Flats Police Department")
        entry = agency.history.get()
        self.assertEqual(entry.history_user, self.admin_a)
        self.assertEqual(entry.history_change_reason, f"Agency list import: {path.name}")

    def test_case_H3_a_command_without_as_is_attributed_to_the_system_user(self):
        call_command("import_agencies", str(self._small_list()), stdout=_Null(), stderr=_Null())
        agency = Agency.objects.get(name="Nowhere Flats Police Department")
        self.assertEqual(agency.history.get().history_user, system_user())
        self.assertEqual(agency.history.get().history_user.username, settings.SYSTEM_USERNAME)

    def test_case_H3_deleting_a_user_is_refused(self):
        with self.assertRaises(PermissionError):
            self.staff_a.delete()
        with self.assertRaises(PermissionError):
            User.objects.filter(pk=self.staff_a.pk).delete()
        self.assertTrue(User.objects.filter(pk=self.staff_a.pk).exists())

    def _small_list(self) -> Path:
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        path = folder / "invented-list.csv"
        path.write_text(
            "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA\n"
            "NEVADA,Nowhere Flats Police Department,Municipality,#N/A,Task Force Model,2025-04-01 00:00:00,link\n",
            encoding="utf-8",
        )
        return path


class _Null:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


class FailedRequestTests(BaseTestCase):
    def test_case_H3_a_failed_request_does_not_leak_its_user(self):
        from tests.compliance.failing_request_urls import FAILING_TITLE

        incident = make_incident(self.agency_a, 1)
        client = self.client_class(raise_request_exception=False)
        sign_in(client, self.supervisor_a)
        with self.settings(ROOT_URLCONF="tests.compliance.failing_request_urls"):
            response = client.get(f"/save-then-fail/{incident.pk}/")
        self.assertEqual(response.status_code, 500)
        incident.refresh_from_db()
        self.assertEqual(incident.title, FAILING_TITLE)
        # Inside the request the change was the supervisor's ...
        self.assertEqual(incident.history.latest("history_date").history_user, self.supervisor_a)
        # ... and a later change on the same thread, outside any request and any acting_as block, is nobody's
        # (compliance.core.audit: only scheduled jobs and commands fall back to the system user, explicitly).
        incident.title = "Changed after the failed request (invented)"
        incident.save()
        self.assertEqual(incident.history.count(), 3)
        latest = incident.history.latest("history_date")
        self.assertEqual(latest.title, "Changed after the failed request (invented)")
        self.assertIsNone(latest.history_user)
        self.assertIsNone(latest.history_change_reason)


class ChangeReasonLengthTests(BaseTestCase):
    def test_a_reason_longer_than_the_history_column_is_cut_not_refused(self):
        from datetime import UTC, datetime

        from compliance.core.audit import CHANGE_REASON_MAX, acting_as
        from incidents.incident_log.models import Incident

        incident = Incident.objects.create(
            agency=self.agency_a,
            kind=Incident.Kind.COMPLAINT,
            severity="low",
            title="Invented",
            description="Invented.",
            occurred_at=datetime(2026, 5, 1, 18, 0, tzinfo=UTC),
        )
        reason = "Reopened: " + "the corrective action did not hold " * 10
        with acting_as(self.supervisor_a, reason=reason):
            incident.title = "Invented, changed"
            incident.save()
        row = incident.history.order_by("-history_id").first()
        self.assertEqual(len(row.history_change_reason), CHANGE_REASON_MAX)
        self.assertEqual(row.history_change_reason, reason[: CHANGE_REASON_MAX - 1] + "…")
