"""The daily steering-committee sweep: a missed meeting → a finding; minutes unapproved past the set days → reminders.

Agency A keeps Chicago time, agency B Phoenix. Agency A's agreement was signed 2026-01-15 with a meeting
required every 3 months: the first due day is 2026-04-15, missed from 2026-04-16 on Chicago's calendar
(05:00 UTC, midnight CDT).
"""

from __future__ import annotations

from datetime import date

import time_machine
from django.core import mail

from community.steering_committee import selectors, services
from community.steering_committee.models import CommitteeRequirement, MinutesReminder
from community.steering_committee.sweep import RULE, sweep_steering_committee
from compliance.core.models import Finding
from compliance.core.system_account import system_user
from tests.base import BaseTestCase
from tests.community.committee_data import add_member, at, hold, require_committee, schedule
from training.reminders.models import Notification


def missed_findings():
    return Finding.objects.filter(kind=Finding.Kind.COMMITTEE_MEETING_MISSED)


class MissedMeetingTests(BaseTestCase):
    def setUp(self):
        self.requirement = require_committee(self.agreement_a, self.admin_a)
        self.member = add_member(self.agency_a, self.staff_a, "Invented Member")

    def test_the_due_day_itself_is_in_time_on_the_agencys_calendar(self):
        # 2026-04-16 04:59 UTC is still 2026-04-15 23:59 CDT.
        sweep_steering_committee(now=at(2026, 4, 16, 4, 59))
        self.assertFalse(missed_findings().exists())

    def test_the_day_after_the_due_day_opens_one_finding_on_the_requirement(self):
        result = sweep_steering_committee(now=at(2026, 4, 16, 5, 0))
        self.assertEqual(result["opened"], 1)
        finding = missed_findings().get()
        self.assertEqual(
            (finding.agency, finding.record, finding.severity, finding.rule, finding.status),
            (self.agency_a, self.requirement, "medium", RULE, "open"),
        )
        self.assertIn("did not meet by 2026-04-15", finding.summary)
        self.assertNotIn("Invented Member", finding.summary)
        self.assertEqual(finding.history.get().history_user, system_user())
        again = sweep_steering_committee(now=at(2026, 4, 17, 12))
        self.assertEqual((again["opened"], missed_findings().count()), (0, 1))

    def test_a_meeting_held_in_time_prevents_the_finding(self):
        with time_machine.travel(at(2026, 4, 10, 20), tick=False):
            hold(schedule(self.agency_a, self.staff_a, at(2026, 4, 10, 15)), self.staff_a, [self.member])
        sweep_steering_committee(now=at(2026, 4, 20))
        self.assertFalse(missed_findings().exists())
        # The next one is due three months after the meeting: 2026-07-10.
        sweep_steering_committee(now=at(2026, 7, 11, 4, 59))
        self.assertFalse(missed_findings().exists())
        sweep_steering_committee(now=at(2026, 7, 11, 5, 0))
        self.assertEqual(missed_findings().count(), 1)

    def test_a_meeting_held_later_resolves_the_finding_by_the_system_and_a_new_miss_reopens_it(self):
        sweep_steering_committee(now=at(2026, 4, 20))
        with time_machine.travel(at(2026, 5, 2, 20), tick=False):
            hold(schedule(self.agency_a, self.staff_a, at(2026, 5, 2, 15)), self.staff_a, [self.member])
        finding = missed_findings().get()
        self.assertEqual((finding.status, finding.resolved_by), ("resolved", system_user()))
        self.assertIn("meeting was held on 2026-05-02", finding.resolution_note)
        sweep_steering_committee(now=at(2026, 6, 1))
        self.assertEqual(missed_findings().get().status, "resolved")
        result = sweep_steering_committee(now=at(2026, 8, 3, 12))  # due 2026-08-02
        self.assertEqual(result["reopened"], 1)
        self.assertEqual((missed_findings().count(), missed_findings().get().status), (1, "open"))

    def test_no_finding_when_not_required_unsigned_expired_or_not_in_force(self):
        services.requirement_save(agreement=self.agreement_a, actor=self.admin_a, required=False)
        sweep_steering_committee(now=at(2026, 6, 1))
        self.assertFalse(missed_findings().exists())
        services.requirement_save(agreement=self.agreement_a, actor=self.admin_a, required=True)
        self.agreement_a.expires_on = date(2026, 5, 31)
        self.agreement_a.save()
        sweep_steering_committee(now=at(2026, 6, 1, 12))
        self.assertFalse(missed_findings().exists())
        self.agreement_a.expires_on = None
        self.agreement_a.status = self.agreement_a.Status.TERMINATED
        self.agreement_a.save()
        sweep_steering_committee(now=at(2026, 6, 1, 12))
        self.assertFalse(missed_findings().exists())

    def test_an_unsigned_agreement_counts_from_the_day_the_requirement_was_recorded_and_opens_no_finding(self):
        # 2026-02-11 05:00 UTC is 2026-02-10 22:00 in Phoenix (UTC−7): recorded on the 10th there.
        with time_machine.travel(at(2026, 2, 11, 5), tick=False):
            CommitteeRequirement.objects.create(agreement=self.agreement_b, meeting_interval_months=1)
        requirement = selectors.requirements_of(self.agency_b)[0]
        self.assertEqual(requirement.recorded_on, date(2026, 2, 10))
        self.assertEqual(selectors.next_due(requirement, None), date(2026, 3, 10))
        # The sweep counts only signed agreements in force (agreement B has no signed day).
        sweep_steering_committee(now=at(2026, 6, 1))
        self.assertFalse(missed_findings().filter(agency=self.agency_b).exists())


class MinutesReminderTests(BaseTestCase):
    def setUp(self):
        require_committee(self.agreement_a, self.admin_a, minutes_approval_days=30)
        with time_machine.travel(at(2026, 3, 2, 20), tick=False):
            self.meeting = hold(schedule(self.agency_a, self.staff_a, at(2026, 3, 2, 15)), self.staff_a, [])
        mail.outbox.clear()

    def test_no_reminder_within_the_approval_days(self):
        result = sweep_steering_committee(now=at(2026, 4, 1, 20))  # 30 days after 2026-03-02
        self.assertEqual(result["reminders"], 0)
        self.assertEqual(len(mail.outbox), 0)

    def test_the_supervisors_are_reminded_once_a_week_in_app_and_by_mail(self):
        result = sweep_steering_committee(now=at(2026, 4, 2, 20))
        self.assertEqual((result["reminders"], result["emails"]), (2, 2))  # supervisor_a and admin_a
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["admin_a@example.test", "supervisor_a@example.test"])
        message = mail.outbox[0]
        self.assertIn("meeting of 2026-03-02 await approval", message.body)
        self.assertIn(f"/outreach/committee/meetings/{self.meeting.public_id}/", message.body)
        notice = Notification.objects.get(recipient=self.supervisor_a)
        self.assertEqual(notice.link, f"/outreach/committee/meetings/{self.meeting.public_id}/")
        self.assertNotIn("Invented minutes", notice.text + message.body)
        sweep_steering_committee(now=at(2026, 4, 2, 22))
        sweep_steering_committee(now=at(2026, 4, 8, 20))
        self.assertEqual(len(mail.outbox), 2)
        sweep_steering_committee(now=at(2026, 4, 9, 20))
        self.assertEqual(len(mail.outbox), 4)
        self.assertEqual(MinutesReminder.objects.filter(recipient=self.supervisor_a).count(), 2)

    def test_approved_minutes_are_not_reminded(self):
        with time_machine.travel(at(2026, 3, 3), tick=False):
            services.minutes_approve(meeting=self.meeting, actor=self.supervisor_a)
        sweep_steering_committee(now=at(2026, 5, 1))
        self.assertEqual(len(mail.outbox), 0)

    def test_the_smallest_setting_among_required_agreements_applies(self):
        services.requirement_save(agreement=self.agreement_a, actor=self.admin_a, minutes_approval_days=10)
        sweep_steering_committee(now=at(2026, 3, 13, 20))  # 11 days
        self.assertEqual(len(mail.outbox), 2)
