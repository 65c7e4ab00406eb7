"""The notice log on the officer page, and the in-app notifications page with its header badge."""

from datetime import UTC, date, datetime

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.core.roles import Role
from tests.base import BaseTestCase, make_user, sign_in
from tests.training.helpers import make_certification, make_course, make_officer
from training.reminders.models import Notification
from training.reminders.notices import notice_log_for_officer
from training.reminders.services import send_certification_reminders

RUN_AT = datetime(2026, 5, 1, 12, tzinfo=UTC)  # 07:00 CDT


class NoticeTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.course = make_course(cls.agency_a, "IADP")
        cls.officer = make_officer(
            cls.agency_a, "A-7", last="Quill", email="quill@agency.example", supervisor=cls.supervisor_a
        )
        make_certification(cls.officer, cls.course, date(2024, 6, 30), expires_on=date(2026, 6, 30))
        cls.other = make_officer(cls.agency_a, "A-8", email="other@agency.example")
        make_certification(cls.other, cls.course, date(2024, 6, 30), expires_on=date(2026, 6, 30))

    def login(self, user):
        sign_in(self.client, user)


class NoticeLogTests(NoticeTestCase):
    def test_it_lists_each_notice_with_roles_not_addresses(self):
        send_certification_reminders(now=datetime(2026, 4, 1, 12, tzinfo=UTC))  # 90-day
        send_certification_reminders(now=RUN_AT)  # 60-day

        [sixty, ninety] = notice_log_for_officer(officer=self.officer)

        self.assertEqual((sixty.threshold_days, sixty.sent_for_date, sixty.sent_at), (60, date(2026, 5, 1), RUN_AT))
        self.assertEqual((sixty.course_code, sixty.expires_on), ("IADP", date(2026, 6, 30)))
        self.assertEqual(sixty.roles, {"Officer": 1, "Supervisor": 1, "Agency administrator": 1})
        self.assertEqual(sixty.recipient_count, 3)
        self.assertEqual(sixty.delivered_at, RUN_AT)
        self.assertEqual(
            sixty.summary,
            "60-day expiry notice for IADP (last valid day 2026-06-30) sent to officer, supervisor, "
            "agency administrator.",
        )
        self.assertEqual(ninety.threshold_days, 90)
        self.assertNotIn("@", repr(sixty))

    def test_a_notice_nobody_received_says_so(self):
        lonely = make_officer(self.agency_b, "B-7")
        make_certification(lonely, make_course(self.agency_b, "WSO"), date(2024, 6, 30), expires_on=date(2026, 6, 30))
        send_certification_reminders(now=RUN_AT)
        [entry] = notice_log_for_officer(officer=lonely)
        self.assertEqual((entry.roles, entry.delivered_at), ({}, None))
        self.assertIn("sent to nobody yet", entry.summary)

    def test_two_queries_whatever_the_number_of_notices(self):
        send_certification_reminders(now=RUN_AT)
        with self.assertNumQueries(2):
            notice_log_for_officer(officer=self.officer)

    def test_the_officer_page_shows_the_notices_section(self):
        send_certification_reminders(now=RUN_AT)
        self.login(self.auditor_a)
        response = self.client.get(reverse("training:officer_detail", args=[self.officer.public_id]))
        self.assertContains(response, '<h2 id="notices">Notices</h2>', html=True)
        self.assertContains(response, "2026-05-01 07:00 CDT")
        self.assertContains(response, "60-day")
        self.assertContains(response, "officer, supervisor, agency administrator")
        self.assertNotContains(response, "supervisor_a@example.test")

    def test_the_officer_page_of_another_agency_is_404(self):
        self.login(self.staff_b)
        response = self.client.get(reverse("training:officer_detail", args=[self.officer.public_id]))
        self.assertEqual(response.status_code, 404)


class NotificationPageTests(NoticeTestCase):
    def setUp(self):
        send_certification_reminders(now=RUN_AT)
        mail.outbox.clear()

    def test_the_supervisor_sees_their_notifications_and_a_badge(self):
        self.login(self.supervisor_a)
        response = self.client.get(reverse("training:notification_list"))
        self.assertContains(response, "The IADP certification of an officer you supervise expires in 60 days")
        self.assertContains(response, reverse("training:officer_detail", args=[self.officer.public_id]))
        self.assertContains(response, "2026-05-01 07:00 CDT")
        self.assertContains(response, '<span class="usa-tag bg-secondary" aria-label="1 unread">1</span>', html=True)
        self.assertNotContains(response, "Quill")

    def test_the_administrator_sees_the_whole_agency(self):
        self.login(self.admin_a)
        response = self.client.get(reverse("training:notification_list"))
        self.assertContains(response, "an officer of Alder County Sheriff", count=2)

    def test_mark_one_as_read_then_all(self):
        self.login(self.admin_a)
        first, second = Notification.objects.filter(recipient=self.admin_a)
        response = self.client.post(reverse("training:notification_read", args=[first.public_id]))
        self.assertRedirects(response, reverse("training:notification_list"))
        first.refresh_from_db()
        self.assertIsNotNone(first.read_at)
        response = self.client.get(reverse("training:notification_list"), {"show": "unread"})
        self.assertContains(response, 'aria-label="1 unread"')
        self.assertEqual(len(response.context["page_obj"]), 1)
        response = self.client.post(reverse("training:notifications_read_all"), follow=True)
        self.assertContains(response, "1 notification marked as read.")
        self.assertFalse(Notification.objects.filter(recipient=self.admin_a, read_at__isnull=True).exists())
        self.assertNotContains(response, 'aria-label="1 unread"')

    def test_someone_elses_notification_is_404_and_stays_unread(self):
        notification = Notification.objects.filter(recipient=self.supervisor_a).first()
        for user in (self.admin_a, self.staff_b, self.outsider):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.post(reverse("training:notification_read", args=[notification.public_id]))
                self.assertEqual(response.status_code, 404)
        notification.refresh_from_db()
        self.assertIsNone(notification.read_at)

    def test_a_user_of_another_agency_sees_none_of_them(self):
        self.login(self.staff_b)
        response = self.client.get(reverse("training:notification_list"))
        self.assertContains(response, "No notification.")

    def test_notifications_of_an_agency_the_user_left_are_hidden(self):
        from compliance.core.roles import role_revoke

        role_revoke(user=self.supervisor_a, agency=self.agency_a)
        self.login(self.supervisor_a)
        response = self.client.get(reverse("training:notification_list"))
        self.assertContains(response, "No notification.")

    def test_mark_as_read_needs_post_and_sign_in(self):
        notification = Notification.objects.filter(recipient=self.supervisor_a).first()
        url = reverse("training:notification_read", args=[notification.public_id])
        self.assertEqual(self.client.post(url).status_code, 302)  # to the sign-in page
        self.login(self.supervisor_a)
        self.assertEqual(self.client.get(url).status_code, 405)

    def test_the_page_query_count_does_not_grow_with_notifications(self):
        self.login(self.admin_a)
        self.client.get(reverse("training:notification_list"))
        with CaptureQueriesContext(connection) as small:
            self.client.get(reverse("training:notification_list"))
        for n in range(30):
            Notification.objects.create(
                recipient=self.admin_a, agency=self.agency_a, text=f"Notice {n}", link="/roster/", created_at=RUN_AT
            )
        with self.assertNumQueries(len(small)):
            response = self.client.get(reverse("training:notification_list"))
        self.assertContains(response, "Notice 29")

    def test_a_user_without_notifications_has_no_badge(self):
        user = make_user("quiet", agency=self.agency_a, role=Role.STAFF)
        self.login(user)
        response = self.client.get(reverse("training:notification_list"))
        self.assertContains(response, 'data-testid="header-notifications">Notifications</a>', html=False)
