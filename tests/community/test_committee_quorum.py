"""Quorum warnings of the steering committee (issue #12 trial): a set quorum above the voting members serving,
agreements with different values, a meeting held without its quorum; and the membership changes list."""

from __future__ import annotations

from datetime import date

import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from community.steering_committee import selectors
from community.steering_committee.models import CommitteeMember, CommitteeRequirement
from compliance.core.models import Agreement, AgreementModel
from tests.base import BaseTestCase, sign_in
from tests.community.committee_data import SIGNED, add_member, at, hold, require_committee, schedule

NOW = at(2026, 5, 20, 18)


def url(name: str, record=None) -> str:
    return reverse(f"community:{name}", args=[record.public_id] if record is not None else [])


@time_machine.travel(NOW, tick=False)
class QuorumWarningTests(BaseTestCase):
    def setUp(self):
        self.members = [add_member(self.agency_a, self.staff_a, f"Invented {n}") for n in range(3)]
        add_member(self.agency_a, self.staff_a, "Invented non-voting", voting=False)

    def test_a_quorum_above_the_voting_members_serving_saves_with_a_warning_on_both_pages(self):
        require_committee(self.agreement_a, self.admin_a)
        sign_in(self.client, self.admin_a)
        data = {"required": "on", "meeting_interval_months": "3", "minutes_approval_days": "30", "quorum": "10"}
        response = self.client.post(url("committee_requirement", self.agreement_a), data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(CommitteeRequirement.objects.get(agreement=self.agreement_a).quorum, 10)
        texts = [str(m) for m in get_messages(response.wsgi_request)]
        warning = "The quorum is 10 but only 3 voting members serve today"
        self.assertTrue(any(text.startswith(warning) for text in texts), texts)
        page = self.client.get(url("committee_requirement", self.agreement_a))
        self.assertContains(page, warning)
        overview = self.client.get(url("committee"))
        self.assertTrue(overview.context["required_rows"][0]["quorum_unreachable"])
        self.assertContains(overview, "More than the 3 voting members serving")

    def test_a_reachable_quorum_or_a_majority_gives_no_warning(self):
        require_committee(self.agreement_a, self.admin_a, quorum=3)
        sign_in(self.client, self.admin_a)
        self.assertNotContains(self.client.get(url("committee_requirement", self.agreement_a)), "quorum-warning")
        overview = self.client.get(url("committee"))
        self.assertFalse(overview.context["required_rows"][0]["quorum_unreachable"])
        self.assertNotContains(overview, "quorum-unreachable")

    def test_the_overview_says_which_values_apply_when_agreements_differ(self):
        require_committee(self.agreement_a, self.admin_a, quorum=2, minutes_approval_days=30)
        sign_in(self.client, self.admin_a)
        self.assertNotContains(self.client.get(url("committee")), "settings-differ")
        second = Agreement.objects.create(
            agency=self.agency_a, model=AgreementModel.WSO, status=Agreement.Status.ACTIVE, signed_on=SIGNED
        )
        require_committee(second, self.admin_a, quorum=3, minutes_approval_days=14, meeting_interval_months=6)
        overview = self.client.get(url("committee"))
        self.assertTrue(overview.context["settings_differ"])
        self.assertEqual((overview.context["applied_quorum"], overview.context["applied_minutes_days"]), (3, 14))
        self.assertContains(overview, "the largest quorum (3 voting members present)")
        self.assertContains(overview, "the shortest time to approve minutes (14 days)")

    def test_a_meeting_without_its_quorum_counts_as_held_but_is_tagged_and_warned_at_approval(self):
        require_committee(self.agreement_a, self.admin_a)
        short = hold(schedule(self.agency_a, self.staff_a, at(2026, 5, 2)), self.staff_a, self.members[:1])
        full = hold(schedule(self.agency_a, self.staff_a, at(2026, 4, 2)), self.staff_a, self.members[:2])
        requirements = selectors.requirements_of(self.agency_a)
        self.assertEqual(selectors.last_held_day(self.agency_a), date(2026, 5, 2))
        quorums = selectors.meeting_quorums(self.agency_a, [short, full], quorum=None)
        self.assertEqual((quorums[short.pk].met, quorums[full.pk].met), (False, True))
        self.assertEqual(quorums[short.pk], selectors.meeting_quorum(short, quorum=None))
        self.assertEqual(selectors.next_due(requirements[0], date(2026, 5, 2)), date(2026, 8, 2))
        sign_in(self.client, self.supervisor_a)
        overview = self.client.get(url("committee"))
        tagged = [m.pk for m in overview.context["earlier"] if m.quorum and not m.quorum.met]
        self.assertEqual(tagged, [short.pk])
        self.assertContains(overview, "Quorum not met", count=1)
        self.assertContains(self.client.get(url("committee_meeting", short)), "Quorum not met")
        self.assertNotContains(self.client.get(url("committee_meeting", full)), "Quorum not met")
        approve = self.client.get(url("committee_minutes_approve", short))
        self.assertContains(approve, "Decisions taken without a quorum")
        self.assertContains(approve, "1 of 3 voting members present, 2 needed")
        self.assertNotContains(self.client.get(url("committee_minutes_approve", full)), "Decisions taken without")


@time_machine.travel(NOW, tick=False)
class MembershipChangeTests(BaseTestCase):
    def test_a_term_ended_through_the_edit_form_is_listed_as_a_change(self):
        member = add_member(self.agency_a, self.staff_a, "Invented Member")
        sign_in(self.client, self.staff_a)
        data = {"name": "Invented Member", "role": "member", "voting": "on", "term_start": "2026-01-01"}
        response = self.client.post(url("committee_member_edit", member), data | {"term_end": "2026-05-01"})
        self.assertEqual(response.status_code, 302)
        self.client.post(url("committee_member_edit", member), data | {"term_end": "2026-05-10"})
        self.client.post(url("committee_member_edit", member), data | {"term_end": "2026-06-30", "role": "chair"})
        overview = self.client.get(url("committee"))
        self.assertEqual(
            [change["what"] for change in overview.context["changes"]],
            [
                "Term end moved from 2026-05-10 to 2026-06-30; Role changed from member to chair",
                "Term end moved from 2026-05-01 to 2026-05-10",
                "Term ended on 2026-05-01",
                "Added as member",
            ],
        )

    def test_a_fixed_term_at_creation_and_a_future_end_are_worded_by_the_agency_today(self):
        add_member(self.agency_a, self.staff_a, "Invented Fixed", end=date(2026, 12, 31), role="chair")
        member = add_member(self.agency_a, self.staff_a, "Invented Open")
        sign_in(self.client, self.staff_a)
        self.client.post(url("committee_member_end", member), {"term_end": "2026-05-20"})
        changes = self.client.get(url("committee")).context["changes"]
        whats = [(change["name"], change["what"]) for change in changes]
        self.assertIn(("Invented Fixed", "Added as chair, term ends on 2026-12-31"), whats)
        self.assertEqual(whats[0], ("Invented Open", "Term ends on 2026-05-20"))
        self.assertEqual(CommitteeMember.objects.get(name="Invented Open").term_end, date(2026, 5, 20))
