"""The review workflow's services (issue #11 items 2 and 3): every transition and every refusal, by rule name."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from compliance.core.models import Finding
from compliance.core.roles import Role
from incidents.case_review import rules, services
from incidents.complaints.models import ComplaintContact
from incidents.corrective_actions.models import CorrectiveAction
from incidents.incident_log import services as incident_services
from incidents.incident_log.models import Allegation, CaseEvent, Incident
from tests.base import BaseTestCase, make_user
from tests.compliance.helpers import make_finding
from tests.incidents.helpers import make_detainer
from tests.training.helpers import make_officer
from training.roster.models import Rank

Status = Incident.Status
OCCURRED = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)


def new_case(agency, actor, title="Use of force at intake", **fields):
    values = {"kind": Incident.Kind.USE_OF_FORCE, "severity": Incident.Severity.HIGH, "occurred_at": OCCURRED}
    values.update(fields)
    return incident_services.incident_create(agency=agency, actor=actor, title=title, **values)


def kinds(incident) -> list[str]:
    return list(CaseEvent.objects.filter(incident=incident).order_by("at", "pk").values_list("kind", flat=True))


class CaseReviewBase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.investigator = make_user("investigator_a", agency=cls.agency_a, role=Role.STAFF)
        cls.supervisor_two = make_user("supervisor_two_a", agency=cls.agency_a, role=Role.SUPERVISOR)
        cls.deputy_rank = Rank.objects.create(agency=cls.agency_a, name="Deputy", seniority=10)
        cls.sergeant_rank = Rank.objects.create(agency=cls.agency_a, name="Sergeant", seniority=20)
        cls.subject = make_officer(cls.agency_a, "S-1", last="Subjectson", rank=cls.sergeant_rank)

    def received(self, **fields):
        return new_case(self.agency_a, self.staff_a, **fields)

    def investigating(self, *, investigator=None):
        case = self.received()
        return services.incident_accept(
            incident=case, actor=self.supervisor_a, investigator=investigator or self.investigator
        )

    def in_review(self):
        case = self.investigating()
        allegation = services.allegation_add(incident=case, actor=self.investigator, text="Excessive force.")
        services.allegation_dispose(
            allegation=allegation, actor=self.investigator, disposition="sustained", note="Video shows it."
        )
        return services.incident_submit_for_review(incident=case, actor=self.investigator, summary="Sustained.")


class TriageTests(CaseReviewBase):
    def test_a_supervisor_accepts_a_received_case_and_assigns_the_investigator(self):
        case = services.incident_accept(
            incident=self.received(), actor=self.supervisor_a, investigator=self.investigator
        )
        case.refresh_from_db()
        self.assertEqual(case.status, Status.UNDER_INVESTIGATION)
        self.assertEqual(case.investigator, self.investigator)
        self.assertEqual(case.triaged_by, self.supervisor_a)
        self.assertEqual(kinds(case), ["logged", "accepted", "assigned"])

    def test_accepting_without_an_investigator_leaves_it_unassigned(self):
        case = services.incident_accept(incident=self.received(), actor=self.supervisor_a)
        self.assertIsNone(case.investigator)
        self.assertEqual(kinds(case), ["logged", "accepted"])

    def test_staff_cannot_triage(self):
        case = self.received()
        with self.assertRaisesMessage(PermissionDenied, "Only a supervisor"):
            services.incident_accept(incident=case, actor=self.staff_a)
        case.refresh_from_db()
        self.assertEqual(case.status, Status.RECEIVED)

    def test_an_auditor_cannot_triage(self):
        with self.assertRaises(PermissionDenied):
            services.incident_decline(incident=self.received(), actor=self.auditor_a, reason="No.")

    def test_a_case_already_accepted_cannot_be_accepted_again(self):
        case = self.investigating()
        with self.assertRaisesMessage(ValidationError, "needs the case to be received"):
            services.incident_accept(incident=case, actor=self.supervisor_a)

    def test_a_supervisor_of_another_agency_cannot_triage(self):
        with self.assertRaises(PermissionDenied):
            services.incident_accept(incident=self.received(), actor=self.supervisor_b)

    def test_decline_closes_as_not_an_agency_matter_with_the_reason(self):
        case = services.incident_decline(incident=self.received(), actor=self.supervisor_a, reason="A city matter.")
        case.refresh_from_db()
        self.assertEqual((case.status, case.closure), (Status.CLOSED, Incident.Closure.NOT_AGENCY_MATTER))
        self.assertEqual(case.closure_reason, "A city matter.")
        self.assertEqual(case.closed_by, self.supervisor_a)
        self.assertEqual(kinds(case)[-1], "declined")

    def test_decline_needs_a_reason(self):
        case = self.received()
        with self.assertRaises(ValidationError) as caught:
            services.incident_decline(incident=case, actor=self.supervisor_a, reason="  ")
        self.assertIn("reason", caught.exception.message_dict)
        self.assertEqual(kinds(case), ["logged"])

    def test_merge_closes_the_case_as_merged_into_the_other(self):
        target = self.received(title="First report")
        case = services.incident_merge(
            incident=self.received(title="Same event"), actor=self.supervisor_a, into=target, reason="Same event."
        )
        case.refresh_from_db()
        self.assertEqual((case.status, case.closure, case.merged_into), (Status.CLOSED, "merged", target))
        self.assertEqual(kinds(case)[-1], "merged")
        self.assertEqual(kinds(target)[-1], "note")

    def test_merge_refuses_a_case_of_another_agency(self):
        other = new_case(self.agency_b, self.staff_b)
        with self.assertRaisesMessage(ValidationError, "its own agency"):
            services.incident_merge(incident=self.received(), actor=self.supervisor_a, into=other, reason="x")

    def test_merge_refuses_the_case_itself(self):
        case = self.received()
        with self.assertRaisesMessage(ValidationError, "into itself"):
            services.incident_merge(incident=case, actor=self.supervisor_a, into=case, reason="x")

    def test_merge_refuses_a_case_that_was_itself_merged(self):
        first = self.received(title="First")
        merged = services.incident_merge(incident=self.received(), actor=self.supervisor_a, into=first, reason="x")
        with self.assertRaisesMessage(ValidationError, "itself merged"):
            services.incident_merge(incident=self.received(), actor=self.supervisor_a, into=merged, reason="x")


class AssignmentTests(CaseReviewBase):
    def case_with_subject(self):
        case = services.incident_accept(incident=self.received(), actor=self.supervisor_a)
        services.subject_officer_add(incident=case, actor=self.staff_a, officer=self.subject)
        return case

    def test_it_assigns_an_investigator_and_records_it(self):
        case = services.incident_assign(
            incident=self.case_with_subject(), actor=self.supervisor_a, investigator=self.investigator
        )
        self.assertEqual(case.investigator, self.investigator)
        self.assertEqual(kinds(case)[-1], "assigned")

    def test_it_refuses_an_investigator_below_the_subject_officer_in_rank(self):
        make_officer(self.agency_a, "I-1", last="Investigatorson", rank=self.deputy_rank, user=self.investigator)
        case = self.case_with_subject()
        with self.assertRaises(ValidationError) as caught:
            services.incident_assign(incident=case, actor=self.supervisor_a, investigator=self.investigator)
        message = caught.exception.message_dict["investigator"][0]
        self.assertIn("Deputy", message)
        self.assertIn("Sergeant", message)
        case.refresh_from_db()
        self.assertIsNone(case.investigator)

    def test_it_accepts_an_investigator_of_equal_rank(self):
        make_officer(self.agency_a, "I-1", last="Investigatorson", rank=self.sergeant_rank, user=self.investigator)
        case = services.incident_assign(
            incident=self.case_with_subject(), actor=self.supervisor_a, investigator=self.investigator
        )
        self.assertEqual(case.investigator, self.investigator)

    def test_it_accepts_a_civilian_investigator_with_no_officer_record(self):
        case = services.incident_assign(
            incident=self.case_with_subject(), actor=self.supervisor_a, investigator=self.supervisor_two
        )
        self.assertEqual(case.investigator, self.supervisor_two)

    def test_the_rank_rule_does_not_apply_where_the_agency_records_no_rank_order(self):
        other_investigator = make_user("investigator_b", agency=self.agency_b, role=Role.STAFF)
        subject_b = make_officer(self.agency_b, "S-B")
        make_officer(self.agency_b, "I-B", user=other_investigator)
        case = services.incident_accept(incident=new_case(self.agency_b, self.staff_b), actor=self.supervisor_b)
        services.subject_officer_add(incident=case, actor=self.staff_b, officer=subject_b)
        case = services.incident_assign(incident=case, actor=self.supervisor_b, investigator=other_investigator)
        self.assertEqual(case.investigator, other_investigator)

    def test_it_refuses_the_subject_officer_as_investigator(self):
        self.subject.user = self.investigator
        self.subject.save()
        case = self.case_with_subject()
        with self.assertRaisesMessage(ValidationError, "cannot be a subject officer"):
            services.incident_assign(incident=case, actor=self.supervisor_a, investigator=self.investigator)

    def test_it_refuses_an_investigator_who_may_not_change_the_agencys_records(self):
        with self.assertRaisesMessage(ValidationError, "may change records in the case's agency"):
            services.incident_assign(
                incident=self.case_with_subject(), actor=self.supervisor_a, investigator=self.auditor_a
            )

    def test_it_refuses_an_investigator_of_another_agency(self):
        with self.assertRaises(ValidationError):
            services.incident_assign(
                incident=self.case_with_subject(), actor=self.supervisor_a, investigator=self.staff_b
            )

    def test_only_a_supervisor_assigns(self):
        with self.assertRaises(PermissionDenied):
            services.incident_assign(
                incident=self.case_with_subject(), actor=self.staff_a, investigator=self.investigator
            )

    def test_a_received_case_is_triaged_before_it_is_assigned(self):
        with self.assertRaisesMessage(ValidationError, "under investigation or supervisor review"):
            services.incident_assign(incident=self.received(), actor=self.supervisor_a, investigator=self.investigator)

    def test_a_subject_officer_who_outranks_the_investigator_cannot_be_added_afterwards(self):
        make_officer(self.agency_a, "I-1", last="Investigatorson", rank=self.deputy_rank, user=self.investigator)
        case = self.investigating()
        with self.assertRaises(ValidationError) as caught:
            services.subject_officer_add(incident=case, actor=self.staff_a, officer=self.subject)
        self.assertIn("officer", caught.exception.message_dict)
        self.assertFalse(case.subject_officers.exists())

    def test_the_eligible_investigators_leave_out_auditors_other_agencies_and_subject_officers(self):
        self.subject.user = self.staff_a
        self.subject.save()
        case = self.case_with_subject()
        eligible = set(services.eligible_investigators(case))
        self.assertIn(self.investigator, eligible)
        self.assertIn(self.supervisor_a, eligible)
        self.assertNotIn(self.staff_a, eligible)
        self.assertNotIn(self.auditor_a, eligible)
        self.assertNotIn(self.staff_b, eligible)


class CasePartsTests(CaseReviewBase):
    def test_a_subject_officer_of_another_agency_is_refused(self):
        other = make_officer(self.agency_b, "S-B")
        with self.assertRaisesMessage(ValidationError, "roster of the case's agency"):
            services.subject_officer_add(incident=self.received(), actor=self.staff_a, officer=other)

    def test_a_subject_officer_is_linked_once_and_can_be_removed(self):
        case = self.received()
        services.subject_officer_add(incident=case, actor=self.staff_a, officer=self.subject)
        with self.assertRaisesMessage(ValidationError, "already a subject officer"):
            services.subject_officer_add(incident=case, actor=self.staff_a, officer=self.subject)
        services.subject_officer_remove(incident=case, actor=self.staff_a, officer=self.subject)
        self.assertFalse(case.subject_officers.exists())
        self.assertEqual(kinds(case), ["logged", "officer_linked", "officer_unlinked"])

    def test_an_allegation_names_only_a_subject_officer_of_the_case(self):
        case = self.received()
        with self.assertRaisesMessage(ValidationError, "subject officer of the case first"):
            services.allegation_add(incident=case, actor=self.staff_a, text="Rude.", officer=self.subject)
        services.subject_officer_add(incident=case, actor=self.staff_a, officer=self.subject)
        allegation = services.allegation_add(incident=case, actor=self.staff_a, text="Rude.", officer=self.subject)
        self.assertEqual(allegation.officer, self.subject)

    def test_an_allegation_needs_its_text(self):
        with self.assertRaises(ValidationError) as caught:
            services.allegation_add(incident=self.received(), actor=self.staff_a, text="")
        self.assertIn("text", caught.exception.message_dict)

    def test_the_investigator_records_a_disposition_from_the_standard_vocabulary(self):
        case = self.investigating()
        allegation = services.allegation_add(incident=case, actor=self.investigator, text="Excessive force.")
        row = services.allegation_dispose(
            allegation=allegation, actor=self.investigator, disposition="exonerated", note="Lawful."
        )
        self.assertEqual((row.disposition, row.disposed_by), ("exonerated", self.investigator))
        self.assertEqual(kinds(case)[-1], "disposition")
        with self.assertRaises(ValidationError) as caught:
            services.allegation_dispose(allegation=allegation, actor=self.investigator, disposition="guilty", note="x")
        self.assertIn("disposition", caught.exception.message_dict)

    def test_staff_who_is_not_the_investigator_cannot_record_a_disposition(self):
        case = self.investigating()
        allegation = services.allegation_add(incident=case, actor=self.investigator, text="Excessive force.")
        with self.assertRaisesMessage(PermissionDenied, "investigator or a supervisor"):
            services.allegation_dispose(allegation=allegation, actor=self.staff_a, disposition="sustained", note="x")

    def test_a_note_is_added_to_the_timeline_and_auditors_cannot_add_one(self):
        case = self.received()
        services.case_note_add(incident=case, actor=self.staff_a, text="Called the jail.")
        self.assertEqual(CaseEvent.objects.filter(incident=case, kind="note").get().text, "Called the jail.")
        with self.assertRaises(PermissionDenied):
            services.case_note_add(incident=case, actor=self.auditor_a, text="x")

    def test_a_detainer_of_the_same_agency_is_linked_and_another_agencys_refused(self):
        case = self.received()
        detainer = make_detainer(self.agency_a, actor=self.supervisor_a, number=1)
        services.incident_detainer_link(incident=case, actor=self.staff_a, detainer=detainer)
        case.refresh_from_db()
        self.assertEqual(case.detainer, detainer)
        other = make_detainer(self.agency_b, actor=self.supervisor_b, number=2, booking_number="BK-B-2")
        with self.assertRaisesMessage(ValidationError, "own agency"):
            services.incident_detainer_link(incident=case, actor=self.staff_a, detainer=other)

    def test_a_finding_is_linked_once_and_a_case_is_opened_from_a_finding(self):
        detainer = make_detainer(self.agency_a, actor=self.supervisor_a, number=1)
        finding = make_finding(self.agency_a, detainer)
        case = self.received()
        services.incident_finding_link(incident=case, actor=self.staff_a, finding=finding)
        with self.assertRaisesMessage(ValidationError, "already linked"):
            services.incident_finding_link(incident=case, actor=self.staff_a, finding=finding)
        opened = services.incident_open_from_finding(finding=finding, actor=self.staff_a)
        self.assertEqual((opened.source, opened.status), (Incident.Source.RULE, Status.RECEIVED))
        self.assertEqual(list(opened.linked_findings.all()), [finding])
        self.assertEqual(opened.detainer, detainer)

    def test_a_finding_of_another_agency_is_refused(self):
        other = make_finding(self.agency_b, make_detainer(self.agency_b, actor=self.supervisor_b, number=2))
        with self.assertRaises(ValidationError):
            services.incident_finding_link(incident=self.received(), actor=self.staff_a, finding=other)
        with self.assertRaises(PermissionDenied):
            services.incident_open_from_finding(finding=other, actor=self.staff_a)
        self.assertIsInstance(other, Finding)


class ReviewTests(CaseReviewBase):
    def test_submit_needs_at_least_one_allegation(self):
        with self.assertRaisesMessage(ValidationError, rules.NO_ALLEGATION):
            services.incident_submit_for_review(incident=self.investigating(), actor=self.investigator, summary="x")

    def test_submit_needs_every_allegation_disposed(self):
        case = self.investigating()
        services.allegation_add(incident=case, actor=self.investigator, text="One.")
        with self.assertRaisesMessage(ValidationError, "1 without one"):
            services.incident_submit_for_review(incident=case, actor=self.investigator, summary="x")

    def test_the_investigator_sends_the_case_to_supervisor_review(self):
        case = self.in_review()
        self.assertEqual(case.status, Status.SUPERVISOR_REVIEW)
        self.assertEqual(case.investigation_summary, "Sustained.")
        self.assertIsNotNone(case.submitted_at)

    def test_other_staff_cannot_send_it_to_review(self):
        case = self.investigating()
        with self.assertRaises(PermissionDenied):
            services.incident_submit_for_review(incident=case, actor=self.staff_a, summary="x")

    def test_a_supervisor_returns_it_to_investigation_with_a_reason(self):
        case = services.incident_return(incident=self.in_review(), actor=self.supervisor_a, reason="Interview him.")
        self.assertEqual(case.status, Status.UNDER_INVESTIGATION)
        self.assertEqual(kinds(case)[-1], "returned")

    def test_a_supervisor_closes_a_reviewed_case_with_the_signed_off_narrative(self):
        case = services.incident_close(incident=self.in_review(), actor=self.supervisor_a, narrative="Agreed.")
        case.refresh_from_db()
        self.assertEqual((case.status, case.closure), (Status.CLOSED, Incident.Closure.REVIEWED))
        self.assertEqual((case.review_narrative, case.closed_by), ("Agreed.", self.supervisor_a))
        self.assertIsNotNone(case.closed_at)
        self.assertEqual(kinds(case)[-1], "closed")

    def test_only_a_supervisor_closes(self):
        case = self.in_review()
        with self.assertRaisesMessage(PermissionDenied, "Only a supervisor"):
            services.incident_close(incident=case, actor=self.staff_a, narrative="x")

    def test_nobody_closes_their_own_case_as_its_investigator(self):
        case = self.investigating(investigator=self.supervisor_two)
        allegation = services.allegation_add(incident=case, actor=self.supervisor_two, text="One.")
        services.allegation_dispose(allegation=allegation, actor=self.supervisor_two, disposition="unfounded", note="x")
        services.incident_submit_for_review(incident=case, actor=self.supervisor_two, summary="x")
        with self.assertRaisesMessage(PermissionDenied, "you are its investigator"):
            services.incident_close(incident=case, actor=self.supervisor_two, narrative="x")

    def test_nobody_closes_their_own_case_as_its_reporter(self):
        case = new_case(self.agency_a, self.supervisor_two)
        services.incident_accept(incident=case, actor=self.supervisor_a, investigator=self.investigator)
        allegation = services.allegation_add(incident=case, actor=self.investigator, text="One.")
        services.allegation_dispose(allegation=allegation, actor=self.investigator, disposition="unfounded", note="x")
        services.incident_submit_for_review(incident=case, actor=self.investigator, summary="x")
        with self.assertRaisesMessage(PermissionDenied, "you are its reporter"):
            services.incident_close(incident=case, actor=self.supervisor_two, narrative="x")

    def test_nobody_closes_their_own_case_as_its_subject_officer(self):
        make_officer(self.agency_a, "S-2", last="Supervisorson", user=self.supervisor_two)
        case = self.investigating()
        services.subject_officer_add(incident=case, actor=self.staff_a, officer=self.supervisor_two.officer)
        allegation = services.allegation_add(incident=case, actor=self.investigator, text="One.")
        services.allegation_dispose(allegation=allegation, actor=self.investigator, disposition="unfounded", note="x")
        services.incident_submit_for_review(incident=case, actor=self.investigator, summary="x")
        with self.assertRaisesMessage(PermissionDenied, "you are its subject officer"):
            services.incident_close(incident=case, actor=self.supervisor_two, narrative="x")

    def test_a_case_closes_only_from_supervisor_review(self):
        with self.assertRaisesMessage(ValidationError, "supervisor review"):
            services.incident_close(incident=self.investigating(), actor=self.supervisor_a, narrative="x")

    def test_closing_needs_the_signed_off_narrative(self):
        with self.assertRaises(ValidationError) as caught:
            services.incident_close(incident=self.in_review(), actor=self.supervisor_a, narrative="")
        self.assertIn("narrative", caught.exception.message_dict)

    def test_an_open_corrective_action_refuses_the_close_unless_a_reason_is_recorded(self):
        case = self.in_review()
        CorrectiveAction.objects.create(
            agency=self.agency_a,
            incident=case,
            kind="training",
            description="Refresher on use of force.",
            owner=self.supervisor_a,
            due_on=date(2027, 1, 31),
            created_by=self.supervisor_a,
        )
        with self.assertRaises(ValidationError) as caught:
            services.incident_close(incident=case, actor=self.supervisor_a, narrative="Agreed.")
        self.assertIn("1 corrective action(s) are still open", caught.exception.message_dict["open_actions_reason"][0])
        case.refresh_from_db()
        self.assertEqual(case.status, Status.SUPERVISOR_REVIEW)
        case = services.incident_close(
            incident=case, actor=self.supervisor_a, narrative="Agreed.", open_actions_reason="Course is in March."
        )
        self.assertEqual((case.status, case.open_actions_reason), (Status.CLOSED, "Course is in March."))

    def test_a_supervisor_reopens_a_closed_case_with_a_reason_and_its_closure_is_cleared(self):
        case = services.incident_close(incident=self.in_review(), actor=self.supervisor_a, narrative="Agreed.")
        with self.assertRaises(ValidationError):
            services.incident_reopen(incident=case, actor=self.supervisor_a, reason="")
        case = services.incident_reopen(incident=case, actor=self.supervisor_a, reason="New witness.")
        case.refresh_from_db()
        self.assertEqual(
            (case.status, case.closure, case.reopen_reason), (Status.UNDER_INVESTIGATION, "", "New witness.")
        )
        self.assertIsNotNone(case.reopened_at)
        self.assertIsNone(case.closed_at)
        self.assertEqual(kinds(case)[-1], "reopened")

    def test_closing_a_public_complaint_tells_the_complainant_once(self):
        case = self.in_review()
        Incident.objects.filter(pk=case.pk).update(source=Incident.Source.PUBLIC, tracking_number="T4K-9QX-27M")
        ComplaintContact.objects.create(incident=case, email="resident@example.test", language="en")
        case.refresh_from_db()
        with self.captureOnCommitCallbacks(execute=True):
            services.incident_close(incident=case, actor=self.supervisor_a, narrative="Agreed.")
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("T4K-9QX-27M", mail.outbox[0].body)
        self.assertNotIn("Agreed.", mail.outbox[0].body)  # the internal narrative stays internal
        self.assertEqual(CaseEvent.objects.get(incident=case, kind="complainant_notified").text, "closed")

    def test_reopening_a_merged_case_clears_the_merge(self):
        target = self.received(title="First")
        case = services.incident_merge(incident=self.received(), actor=self.supervisor_a, into=target, reason="x")
        case = services.incident_reopen(incident=case, actor=self.supervisor_a, reason="Not the same event.")
        case.refresh_from_db()
        self.assertEqual((case.status, case.closure, case.merged_into), (Status.UNDER_INVESTIGATION, "", None))

    def test_only_a_closed_case_is_reopened(self):
        with self.assertRaises(ValidationError):
            services.incident_reopen(incident=self.investigating(), actor=self.supervisor_a, reason="x")

    def test_the_whole_workflow_writes_one_timeline_row_per_step(self):
        case = self.in_review()
        services.incident_close(incident=case, actor=self.supervisor_a, narrative="Agreed.")
        self.assertEqual(
            kinds(case),
            ["logged", "accepted", "assigned", "allegation_added", "disposition", "submitted", "closed"],
        )
        self.assertEqual(Allegation.objects.get(incident=case).disposition, "sustained")


class RulesTests(BaseTestCase):
    def test_rank_below_is_none_without_ranks_on_either_side(self):
        self.assertIsNone(rules.rank_below(None, [20]))
        self.assertIsNone(rules.rank_below(10, [None]))
        self.assertEqual(rules.rank_below(10, [5, 20, None]), 20)
        self.assertIsNone(rules.rank_below(20, [20, 5]))

    def test_own_case_role_counts_the_reporter_only_for_a_staff_logged_case(self):
        common = {"actor_id": 1, "investigator_id": None, "subject_user_ids": [], "reporter_id": 1}
        self.assertEqual(rules.own_case_role(source="staff", **common), "reporter")
        self.assertIsNone(rules.own_case_role(source="rule", **common))
