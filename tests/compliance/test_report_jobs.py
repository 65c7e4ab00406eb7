"""Report jobs a user can see and trust (issue #13 items 5 and 6): progress, failure, try again, the sweep.

The reports page shows each unfinished report's progress (parts rendered of parts planned) and polls a
status partial only while one of the viewer's own reports is unfinished; the poll is a passive request, so
it never keeps an idle session alive. A failed report shows its reason and a "Try again" button. With the
broker down a request answers at once with a clear message and the report stays queued; the report sweep
(``compliance.reports.sweep``) hands it over later, restarts or fails reports stuck rendering, and bounds
the attempts. The same faults with a real Redis and worker: ``test_report_faults.py``.
"""

import time
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance.celery import app as celery_app
from compliance.core.models import Agency, Report, ReportPart
from compliance.core.roles import Role
from compliance.reports import rendering
from compliance.reports.services import (
    ERR_RETRIED,
    NOTICE_BROKER_DOWN,
    NOTICE_FAILED,
    NOTICE_QUEUED,
    NOTICE_READY,
    report_request,
    report_requested_notice,
    report_retry,
)
from compliance.reports.sweep import reports_sweep
from tests.base import BaseTestCase, make_user, sign_in
from tests.compliance.broker import broker_at, closed_port_url
from tests.compliance.helpers import make_certification, make_course, make_officer, make_ready_report

LIST = "/reports/"
STATUS = "/reports/status/"
POLL = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{LIST}"}
T0 = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def make_report(agency, user, status=Report.Status.QUEUED, **fields) -> Report:
    return Report.objects.create(
        agency=agency,
        kind=Report.Kind.TRAINING_ROSTER,
        as_of=date(2026, 3, 1),
        requested_by=user,
        status=status,
        **fields,
    )


class ReportPageProgressTests(BaseTestCase):
    def test_a_rendering_report_shows_an_accessible_progress_bar_with_parts_done_of_total(self):
        make_report(self.agency_a, self.supervisor_a, Report.Status.RENDERING, parts_total=12, parts_done=3)
        sign_in(self.client, self.supervisor_a)
        response = self.client.get(LIST)
        self.assertContains(
            response,
            '<progress class="app-progress" max="12" value="3" aria-label="Training roster and certification status: '
            '3 of 12 parts rendered" data-testid="report-progress">3 of 12 parts</progress>',
            html=False,
        )
        self.assertContains(response, '<span class="font-body-3xs" data-testid="report-progress-text">3 of 12 parts')

    def test_a_queued_report_says_it_waits_and_a_ready_one_shows_its_full_sha256_and_who_asked_when(self):
        make_report(self.agency_a, self.supervisor_a)
        ready = make_ready_report(self.agency_a, self.supervisor_a)
        Report.objects.filter(pk=ready.pk).update(sha256=SHA, created_at=datetime(2026, 3, 2, 15, 5, tzinfo=UTC))
        sign_in(self.client, self.supervisor_a)
        response = self.client.get(LIST)
        self.assertContains(response, "Waiting for the report service")
        self.assertContains(response, f'<code class="app-hash font-mono-3xs" data-testid="report-sha256">{SHA}</code>')
        self.assertContains(response, "2026-03-02 09:05 CST")  # Agency A is in Chicago
        self.assertContains(response, f"by {self.supervisor_a.get_full_name() or self.supervisor_a.username}")

    def test_the_page_polls_the_status_partial_while_the_viewers_own_report_is_unfinished(self):
        make_report(self.agency_a, self.supervisor_a, Report.Status.RENDERING, parts_total=2)
        sign_in(self.client, self.supervisor_a)
        response = self.client.get(LIST, {"page": "1"})
        self.assertContains(
            response,
            f'<div id="report-table" data-testid="report-table-region" hx-get="{STATUS}?page=1" '
            'hx-trigger="every 5s" hx-swap="outerHTML" data-polling="true">',
            html=False,
        )

    def test_no_polling_when_only_someone_elses_report_is_unfinished_or_all_are_finished(self):
        make_report(self.agency_a, self.staff_a)  # unfinished, but not the auditor's
        failed = make_report(self.agency_a, self.auditor_a, Report.Status.FAILED, error="Rendering failed (X).")
        make_ready_report(self.agency_a, self.auditor_a)
        sign_in(self.client, self.auditor_a)
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "hx-trigger")
        self.assertNotContains(response, "data-polling")
        self.assertContains(response, 'data-testid="report-table-region">')
        self.assertTrue(failed.pk)

    def test_the_status_partial_is_the_table_alone_and_drops_its_trigger_once_the_report_finished(self):
        report = make_report(self.agency_a, self.supervisor_a, Report.Status.RENDERING, parts_total=4, parts_done=1)
        sign_in(self.client, self.supervisor_a)
        running = self.client.get(STATUS, headers=POLL)
        body = running.content.decode()
        self.assertTrue(body.lstrip().startswith('<div id="report-table"'), body[:120])
        self.assertNotIn("<html", body)
        self.assertIn('hx-trigger="every 5s"', body)
        self.assertIn("1 of 4 parts", body)
        Report.objects.filter(pk=report.pk).update(status=Report.Status.READY, sha256=SHA)
        finished = self.client.get(STATUS, headers=POLL)
        self.assertNotContains(finished, "hx-trigger")
        self.assertNotContains(finished, "hx-get")
        self.assertContains(finished, SHA)
        self.assertEqual(finished["Cache-Control"], "max-age=0, no-cache, no-store, must-revalidate, private")

    def test_the_status_partial_shows_only_reports_in_the_viewers_scope(self):
        make_report(self.agency_b, self.supervisor_b, Report.Status.RENDERING, parts_total=9, parts_done=7)
        sign_in(self.client, self.supervisor_a)
        response = self.client.get(STATUS, headers=POLL)
        self.assertNotContains(response, "7 of 9")
        self.assertContains(response, 'data-testid="no-reports"')

    def test_the_page_and_its_poll_cost_the_same_queries_for_3_and_for_20_reports(self):
        def count(url):
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url, headers=POLL).status_code, 200)
            return len(queries)

        sign_in(self.client, self.supervisor_a)
        for _ in range(3):
            make_report(self.agency_a, self.supervisor_a, Report.Status.RENDERING, parts_total=3)
        small = (count(LIST), count(STATUS))
        for _ in range(17):
            make_report(self.agency_a, self.staff_a, Report.Status.FAILED, error="Rendering failed (X).")
        self.assertEqual((count(LIST), count(STATUS)), small)


class PollingIsNotActivityTests(BaseTestCase):
    def setUp(self):
        make_report(self.agency_a, self.supervisor_a, Report.Status.RENDERING, parts_total=5, parts_done=2)
        with time_machine.travel(T0, tick=False):
            sign_in(self.client, self.supervisor_a)
            self.client.get(LIST)

    def expiry(self) -> datetime:
        return Session.objects.get(session_key=self.client.session.session_key).expire_date

    def poll(self, minutes: int):
        with time_machine.travel(T0 + timedelta(minutes=minutes), tick=False):
            return self.client.get(STATUS, headers=POLL)

    def test_a_poll_does_not_move_the_sessions_expiry_nor_set_a_cookie(self):
        before = self.expiry()
        self.assertEqual(before, T0 + timedelta(seconds=settings.SESSION_COOKIE_AGE))
        response = self.poll(10)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(settings.SESSION_COOKIE_NAME, response.cookies)
        self.assertEqual(self.expiry(), before)

    def test_an_idle_session_that_only_polls_still_expires_and_the_page_goes_to_sign_in(self):
        for minute in (5, 10, 15, 20, 25, 29):
            self.assertEqual(self.poll(minute).status_code, 200, minute)
        response = self.poll(31)
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["HX-Redirect"], "/accounts/login/?next=/reports/")
        self.assertEqual(response.content, b"")

    def test_opening_the_page_itself_still_counts_as_activity(self):
        self.poll(10)
        with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
            self.client.get(LIST)
        self.assertEqual(self.expiry(), T0 + timedelta(minutes=50))


class TryAgainTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        course = make_course(cls.agency_a, "IADP", months=24)
        make_certification(make_officer(cls.agency_a, 1, last_name="Retrywell"), course, date(2025, 6, 1))

    def setUp(self):
        self.failed = make_report(
            self.agency_a,
            self.supervisor_a,
            Report.Status.FAILED,
            period_start=date(2026, 1, 1),
            basis=Report.Basis.EFFECTIVE,
            parameters={"note": "kept"},
            attempts=3,
            error="The renderer stopped 3 times without finishing.",
        )

    def test_a_failed_report_shows_its_reason_and_a_try_again_button_that_posts_with_csrf(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.get(LIST)
        self.assertContains(
            response,
            '<span class="text-secondary-dark app-typed" data-testid="report-error">'
            "The renderer stopped 3 times without finishing.</span>",
            html=False,
        )
        html = response.content.decode()
        form = html[html.index(f'action="/reports/{self.failed.public_id}/retry/"') - 30 :]
        form = form[: form.index("</form>")]
        self.assertIn('method="post"', form)
        self.assertIn('name="csrfmiddlewaretoken"', form)
        self.assertIn(">Try again</button>", form)

    @time_machine.travel(datetime(2026, 3, 9, 18, 0, tzinfo=UTC), tick=False)
    def test_try_again_requests_the_same_report_anew_and_it_renders(self):
        sign_in(self.client, self.supervisor_a)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/reports/{self.failed.public_id}/retry/")
        self.assertRedirects(response, LIST, fetch_redirect_response=False)
        again = Report.objects.exclude(pk=self.failed.pk).get()
        self.assertEqual(
            (again.kind, again.agency, again.as_of, again.period_start, again.basis, again.parameters),
            (
                Report.Kind.TRAINING_ROSTER,
                self.agency_a,
                date(2026, 3, 1),
                None,  # the roster is a picture of one day: a start date is not kept (ReportKind.snapshot)
                "effective",
                {"note": "kept"},
            ),
        )
        self.assertEqual(
            (again.status, again.attempts, again.requested_by), (Report.Status.READY, 1, self.supervisor_a)
        )
        self.failed.refresh_from_db()
        self.assertEqual(self.failed.status, Report.Status.FAILED)  # the failed one stays, with its reason
        page = self.client.get(LIST)
        # The notice was written inside the request, before the test ran the on-commit hand-over.
        self.assertContains(page, NOTICE_QUEUED)
        # The failed row now points at its newer request instead of offering "Try again" a second time.
        self.assertEqual(again.retry_of, self.failed)
        self.assertContains(page, 'data-testid="report-retried"', count=1)
        self.assertNotContains(page, f'action="/reports/{self.failed.public_id}/retry/"')
        response = self.client.post(f"/reports/{self.failed.public_id}/retry/", follow=True)
        self.assertContains(response, ERR_RETRIED)
        self.assertEqual(Report.objects.count(), 2)

    def test_a_report_already_rendered_when_the_notice_is_written_says_it_is_ready(self):
        # In-process tasks (``make run``): the hand-over renders the report before the page's message is chosen.
        self.assertEqual(
            report_requested_notice(make_ready_report(self.agency_a, self.supervisor_a)), (True, NOTICE_READY)
        )
        self.assertEqual(report_requested_notice(self.failed), (False, NOTICE_FAILED))

    def test_a_report_of_today_tried_again_answers_at_the_same_instant(self):
        self.failed.checked_at = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)  # requested on its own day, at 11:30 CST
        self.failed.save(update_fields=["checked_at"])
        with time_machine.travel(datetime(2026, 3, 9, 18, 0, tzinfo=UTC), tick=False):
            again = report_retry(actor=self.supervisor_a, report=self.failed)
        self.assertEqual(again.checked_at, datetime(2026, 3, 1, 17, 30, tzinfo=UTC))

    def test_try_again_is_a_post_only_and_404_outside_the_users_export_scope(self):
        sign_in(self.client, self.supervisor_b)
        self.assertEqual(self.client.post(f"/reports/{self.failed.public_id}/retry/").status_code, 404)
        sign_in(self.client, self.supervisor_a)
        self.assertEqual(self.client.get(f"/reports/{self.failed.public_id}/retry/").status_code, 405)
        self.assertEqual(Report.objects.count(), 1)

    def test_try_again_on_a_report_that_did_not_fail_says_so_and_requests_nothing(self):
        ready = make_ready_report(self.agency_a, self.supervisor_a)
        sign_in(self.client, self.supervisor_a)
        response = self.client.post(f"/reports/{ready.public_id}/retry/", follow=True)
        self.assertContains(response, "Only a report that failed can be tried again.")
        self.assertEqual(Report.objects.count(), 2)

    def test_the_service_rechecks_permission(self):
        with self.assertRaises(PermissionDenied):
            report_retry(actor=self.supervisor_b, report=self.failed)
        with self.assertRaises(ValidationError):
            report_retry(actor=self.supervisor_a, report=make_ready_report(self.agency_a, self.supervisor_a))


class BrokerDownAtRequestTests(BaseTestCase):
    @time_machine.travel(datetime(2026, 3, 9, 18, 0, tzinfo=UTC), tick=False)
    def test_the_request_commits_a_queued_row_that_was_not_handed_over_and_says_so(self):
        with broker_at(closed_port_url()), self.captureOnCommitCallbacks(execute=True):
            report = report_request(
                actor=self.supervisor_a, agency=self.agency_a, kind=Report.Kind.TRAINING_ROSTER, as_of=date(2026, 3, 1)
            )
        self.assertEqual(report_requested_notice(report), (False, NOTICE_BROKER_DOWN))
        report.refresh_from_db()
        self.assertEqual((report.status, report.dispatched_at, report.attempts), (Report.Status.QUEUED, None, 0))
        self.assertEqual(
            NOTICE_BROKER_DOWN,
            "Queued. The report service is not reachable right now; it will start automatically when it is back.",
        )

    def test_the_broker_connection_is_bounded(self):
        options = celery_app.conf.broker_transport_options
        self.assertLessEqual(celery_app.conf.broker_connection_timeout, 2)
        self.assertLessEqual(options["socket_connect_timeout"], 2)
        self.assertLessEqual(options["socket_timeout"], 3)
        self.assertLessEqual(options["max_retries"], 1)

    def test_the_sweep_runs_every_minute_in_the_beat_schedule(self):
        entry = celery_app.conf.beat_schedule["report-sweep"]
        self.assertEqual(entry["task"], "compliance.tasks.sweep_reports_task")
        self.assertEqual(entry["schedule"].minute, set(range(60)))


@override_settings(REPORT_REDISPATCH_MINUTES=10, REPORT_RENDER_LIMIT_MINUTES=15)
class ReportSweepTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        course = make_course(cls.agency_a, "IADP", months=24)
        make_certification(make_officer(cls.agency_a, 1, last_name="Sweepington"), course, date(2025, 6, 1))

    def at(self, report, **fields):
        Report.objects.filter(pk=report.pk).update(**fields)
        report.refresh_from_db()
        return report

    def test_a_queued_report_never_handed_over_is_handed_over_and_renders(self):
        now = timezone.now()
        lost = self.at(make_report(self.agency_a, self.supervisor_a), created_at=now - timedelta(minutes=2))
        fresh = make_report(self.agency_a, self.supervisor_a)  # its own request is handing it over right now
        counts = reports_sweep(now=now)
        self.assertEqual(counts, {"dispatched": 1, "restarted": 0, "failed": 0, "broker_down": 0})
        lost.refresh_from_db()
        fresh.refresh_from_db()
        self.assertEqual((lost.status, lost.attempts), (Report.Status.READY, 1), lost.error)
        self.assertEqual(lost.dispatched_at, now)
        self.assertEqual((fresh.status, fresh.dispatched_at), (Report.Status.QUEUED, None))

    def test_a_queued_report_handed_over_long_ago_and_never_started_is_handed_over_again(self):
        now = timezone.now()
        old = make_report(self.agency_a, self.supervisor_a)
        self.at(old, created_at=now - timedelta(minutes=30), dispatched_at=now - timedelta(minutes=11))
        recent = make_report(self.agency_a, self.supervisor_a)
        self.at(recent, created_at=now - timedelta(minutes=30), dispatched_at=now - timedelta(minutes=9))
        self.assertEqual(reports_sweep(now=now)["dispatched"], 1)
        old.refresh_from_db()
        recent.refresh_from_db()
        self.assertEqual(old.status, Report.Status.READY)
        self.assertEqual(recent.status, Report.Status.QUEUED)

    def test_a_report_stuck_rendering_past_its_limit_is_restarted_and_counts_an_attempt(self):
        now = timezone.now()
        stuck = make_report(self.agency_a, self.supervisor_a, Report.Status.RENDERING, attempts=1, parts_total=2)
        self.at(stuck, updated_at=now - timedelta(minutes=16), started_at=now - timedelta(minutes=20))
        busy = make_report(self.agency_a, self.supervisor_a, Report.Status.RENDERING, attempts=1, parts_total=2)
        self.at(busy, updated_at=now - timedelta(minutes=14))
        self.assertEqual(reports_sweep(now=now), {"dispatched": 0, "restarted": 1, "failed": 0, "broker_down": 0})
        stuck.refresh_from_db()
        busy.refresh_from_db()
        self.assertEqual((stuck.status, stuck.attempts), (Report.Status.READY, 2), stuck.error)
        self.assertEqual((busy.status, busy.attempts), (Report.Status.RENDERING, 1))

    def test_a_report_stuck_rendering_with_no_attempts_left_is_failed_with_a_reason(self):
        now = timezone.now()
        stuck = make_report(self.agency_a, self.supervisor_a, Report.Status.RENDERING, attempts=rendering.MAX_ATTEMPTS)
        self.at(stuck, updated_at=now - timedelta(minutes=16))
        self.assertEqual(reports_sweep(now=now)["failed"], 1)
        stuck.refresh_from_db()
        self.assertEqual(stuck.status, Report.Status.FAILED)
        self.assertIn("The renderer stopped 3 times without finishing", stuck.error)

    def test_a_second_sweep_right_after_does_nothing(self):
        now = timezone.now()
        self.at(make_report(self.agency_a, self.supervisor_a), created_at=now - timedelta(minutes=2))
        self.assertEqual(reports_sweep(now=now)["dispatched"], 1)
        self.assertEqual(reports_sweep(now=now), {"dispatched": 0, "restarted": 0, "failed": 0, "broker_down": 0})

    def test_with_the_broker_down_the_sweep_leaves_reports_queued_for_the_next_one(self):
        now = timezone.now()
        first = self.at(make_report(self.agency_a, self.supervisor_a), created_at=now - timedelta(minutes=3))
        second = self.at(make_report(self.agency_a, self.supervisor_a), created_at=now - timedelta(minutes=2))
        with broker_at(closed_port_url()):
            counts = reports_sweep(now=now)
        self.assertEqual(counts, {"dispatched": 0, "restarted": 0, "failed": 0, "broker_down": 2})
        for report in (first, second):
            report.refresh_from_db()
            self.assertEqual((report.status, report.dispatched_at), (Report.Status.QUEUED, None))
        self.assertEqual(reports_sweep(now=now)["dispatched"], 2)  # the broker is back (eager here)

    def test_run_jobs_runs_the_sweep(self):
        from io import StringIO

        from django.core.management import call_command

        self.at(make_report(self.agency_a, self.supervisor_a), created_at=timezone.now() - timedelta(minutes=2))
        out = StringIO()
        call_command("run_jobs", stdout=out)
        self.assertIn("Report sweep: 1 handed to the report service again, 0 restarted", out.getvalue())


class AttemptBoundTests(BaseTestCase):
    def test_a_redelivered_part_counts_an_attempt_and_the_third_loss_fails_the_report(self):
        report = make_report(self.agency_a, self.supervisor_a, Report.Status.RENDERING, attempts=1, parts_total=2)
        # Two re-deliveries (the worker was lost twice while rendering): attempts 2 and 3.
        self.assertTrue(rendering.report_part_restart(report_id=report.pk))
        self.assertTrue(rendering.report_part_restart(report_id=report.pk))
        # The third re-delivery is refused: the report fails with the reason, and nothing renders.
        self.assertFalse(rendering.report_part_render(report_id=report.pk, number=0, redelivered=True))
        report.refresh_from_db()
        self.assertEqual((report.status, report.attempts), (Report.Status.FAILED, 3))
        self.assertEqual(
            report.error,
            "The renderer stopped 3 times without finishing (its worker was lost or ran out of time). "
            "Try again; if it stops again, tell the administrator.",
        )
        self.assertFalse(ReportPart.objects.filter(report=report).exists())

    def test_a_duplicate_start_leaves_a_rendering_report_alone_and_a_redelivered_one_restarts_it(self):
        report = make_report(self.agency_a, self.supervisor_a, Report.Status.RENDERING, attempts=1)
        self.assertIsNone(rendering.report_claim(report_id=report.pk))
        report.refresh_from_db()
        self.assertEqual(report.attempts, 1)
        claimed = rendering.report_claim(report_id=report.pk, redelivered=True)
        self.assertEqual((claimed.status, claimed.attempts), (Report.Status.RENDERING, 2))
        self.assertGreaterEqual(claimed.parts_total, 1)


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_try_again_answers_at_once_queued_with_a_clear_message(client):
    """Committed for real (no outer test transaction): the hand-over runs on commit, inside the request."""
    agency = Agency.objects.create(name="Birch County Sheriff's Office", state="TX", time_zone="America/Chicago")
    supervisor = make_user("retry_supervisor", agency=agency, role=Role.SUPERVISOR)
    failed = make_report(agency, supervisor, Report.Status.FAILED, error="Rendering failed (ValueError).")
    sign_in(client, supervisor)
    with broker_at(closed_port_url()):
        started = time.monotonic()
        response = client.post(f"/reports/{failed.public_id}/retry/", follow=True)
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 10  # not a speed figure: a hang check (connection refused, no retries)
    assert NOTICE_BROKER_DOWN in response.content.decode()
    again = Report.objects.exclude(pk=failed.pk).get()
    assert (again.status, again.dispatched_at) == (Report.Status.QUEUED, None)
