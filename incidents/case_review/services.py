"""Writes of the review workflow: triage, assignment, investigation, supervisor review, closing and reopening.

Issue #11 items 2 and 3 (DOMAIN.md R3.5). A case moves received → under
investigation → supervisor review → closed, and back to under investigation when
a supervisor returns or reopens it with a reason. Each function takes keyword-only
arguments and the acting user (``actor``), checks the actor's permission itself
(the rules depend on who acts: "nobody closes their own case"), runs in one
transaction on the case's row locked (two supervisors cannot both move it), writes
its ``CaseEvent`` line(s) and attributes every history row to ``actor``
(``acting_as``).

Refusals: ``PermissionDenied`` when the actor may not take the step at all,
``ValidationError`` (keyed by the form field where one fits) when the case or the
input does not allow it. Nothing is written on a refusal. The messages are in
``incidents.case_review.rules``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.models import Finding
from incidents.case_review import rules
from incidents.complaints.notices import CLOSED, DECLINED, complainant_notice_send
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Allegation, CaseEvent, Incident, SubjectOfficer, case_event_record
from incidents.incident_log.notices import case_notify, case_reviewers, case_summary
from incidents.incident_log.services import incident_create
from training.roster.models import Officer, Rank

Status = Incident.Status
Kind = CaseEvent.Kind
OPEN_STAGES = (Status.RECEIVED, Status.UNDER_INVESTIGATION, Status.SUPERVISOR_REVIEW)
WORKING_STAGES = (Status.UNDER_INVESTIGATION, Status.SUPERVISOR_REVIEW)


# ----- checks shared by the steps ---------------------------------------------------------------------------------


def _locked(incident: Incident) -> Incident:
    """The case's row, locked for the rest of the transaction (its stage read fresh)."""
    return Incident.objects.select_for_update().select_related("agency").get(pk=incident.pk)


def _require_supervisor(actor, incident: Incident, step: str) -> None:
    if not access.can(actor, access.REVIEW, incident.agency):
        raise PermissionDenied(rules.NOT_SUPERVISOR.format(step=step))


def _require_change(actor, incident: Incident) -> None:
    if not access.can(actor, access.CHANGE, incident.agency):
        raise PermissionDenied("You may read but not change this agency's records.")


def _require_investigator_or_supervisor(actor, incident: Incident, step: str) -> None:
    if incident.investigator_id == actor.pk and access.can(actor, access.CHANGE, incident.agency):
        return
    if not access.can(actor, access.REVIEW, incident.agency):
        raise PermissionDenied(rules.NOT_INVESTIGATOR_OR_SUPERVISOR.format(step=step))


def _require_stage(incident: Incident, *allowed: str) -> None:
    message = rules.stage_refusal(incident.status, allowed)
    if message:
        raise ValidationError(message)


def _required(field: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: rules.REQUIRED})
    return value


def _name(user) -> str:
    return user.get_full_name() or user.username


def _save(incident: Incident, *fields: str) -> None:
    incident.save(update_fields=[*fields, "updated_at"])


def agency_records_ranks(agency) -> bool:
    """True when the agency records a rank order (any ``training.Rank`` row)."""
    return Rank.objects.filter(agency=agency).exists()


def investigator_check(*, incident: Incident, investigator, subject_officers=None) -> None:
    """Refuse ``investigator`` for ``incident`` unless every assignment rule holds (issue #11 item 2).

    Rules: an active user holding CHANGE in the case's agency; not a subject officer of the case
    (``Officer.user``); where the agency records a rank order and both the investigator's officer
    record and subject officers have ranks, not below the most senior subject officer
    (``Rank.seniority``: higher is more senior). A user with no officer record (civilian internal
    affairs) passes the rank rule.

    Args:
        incident: the case.
        investigator: a user.
        subject_officers: the case's subject ``Officer`` rows to judge against (default: as stored).

    Raises:
        ValidationError: keyed ``investigator``, naming the broken rule.
    """
    if not (investigator.is_active and access.can(investigator, access.CHANGE, incident.agency)):
        raise ValidationError({"investigator": rules.INVESTIGATOR_CANNOT_CHANGE})
    if subject_officers is None:
        subject_officers = list(
            Officer.objects.filter(pk__in=incident.subject_officers.values("officer")).select_related("rank")
        )
    if any(officer.user_id == investigator.pk for officer in subject_officers):
        raise ValidationError({"investigator": rules.INVESTIGATOR_IS_SUBJECT})
    if not agency_records_ranks(incident.agency):
        return
    own = Officer.objects.filter(user=investigator, agency=incident.agency).select_related("rank").first()
    own_rank = own.rank if own is not None else None
    blocking = rules.rank_below(
        own_rank.seniority if own_rank else None,
        [officer.rank.seniority if officer.rank_id else None for officer in subject_officers],
    )
    if blocking is not None:
        top = max((o for o in subject_officers if o.rank_id), key=lambda o: o.rank.seniority)
        raise ValidationError(
            {
                "investigator": rules.INVESTIGATOR_BELOW_SUBJECT.format(
                    investigator_rank=own_rank.name, subject_rank=top.rank.name
                )
            }
        )


def eligible_investigators(incident: Incident):
    """Active users holding CHANGE in the case's agency who are not its subject officers: the assign form's choices.

    The rank rule is checked on submit (``investigator_check``); this list does not hide anyone for it.
    Two queries, whatever the number of cases.
    """
    from guardian.shortcuts import get_users_with_perms

    holders = get_users_with_perms(incident.agency, only_with_perms_in=[access.CHANGE], with_group_users=True)
    subjects = Officer.objects.filter(pk__in=incident.subject_officers.values("officer"), user__isnull=False)
    return (
        get_user_model()
        .objects.filter(pk__in=holders.values("pk"), is_active=True)
        .exclude(pk__in=subjects.values("user"))
        .order_by("last_name", "first_name", "username")
    )


# ----- triage -----------------------------------------------------------------------------------------------------


def incident_accept(*, incident: Incident, actor, investigator=None) -> Incident:
    """Accept a received case for investigation (supervisor), assigning ``investigator`` if given.

    Returns:
        The case, under investigation, triaged now by ``actor``.

    Raises:
        PermissionDenied: ``actor`` is not a supervisor of the case's agency.
        ValidationError: the case is not "received"; the investigator breaks an assignment rule.
    """
    _require_supervisor(actor, incident, "triage a case")
    with transaction.atomic(), acting_as(actor):
        case = _locked(incident)
        _require_stage(case, Status.RECEIVED)
        if investigator is not None:
            investigator_check(incident=case, investigator=investigator)
        now = timezone.now()
        case.status = Status.UNDER_INVESTIGATION
        case.triaged_at, case.triaged_by = now, actor
        fields = ["status", "triaged_at", "triaged_by"]
        if investigator is not None:
            case.investigator, case.assigned_at = investigator, now
            fields += ["investigator", "assigned_at"]
        _save(case, *fields)
        case_event_record(incident=case, kind=Kind.ACCEPTED, actor=actor, at=now)
        if investigator is not None:
            case_event_record(incident=case, kind=Kind.ASSIGNED, actor=actor, text=_name(investigator), at=now)
            _tell_investigator(case, actor, "assigned to you")
    return case


def _tell_investigator(case: Incident, actor, what: str) -> None:
    case_notify(incident=case, recipients=[case.investigator], actor=actor, text=f"Case {what}: {case_summary(case)}.")


def incident_merge(*, incident: Incident, actor, into: Incident, reason: str) -> Incident:
    """Close a received case as merged into ``into`` (supervisor): the same complaint is already a case.

    Raises:
        PermissionDenied: ``actor`` is not a supervisor.
        ValidationError: not "received"; ``into`` is of another agency, the case itself, merged itself,
            or merging would make a loop; ``reason`` blank.
    """
    _require_supervisor(actor, incident, "triage a case")
    reason = _required("reason", reason)
    with transaction.atomic(), acting_as(actor):
        case = _locked(incident)
        _require_stage(case, Status.RECEIVED)
        if into.agency_id != case.agency_id:
            raise ValidationError({"into": "A case can only be merged into a case of its own agency."})
        if into.pk == case.pk:
            raise ValidationError({"into": "A case cannot be merged into itself."})
        seen, target = {case.pk}, into
        while target is not None:
            if target.closure == Incident.Closure.MERGED:
                raise ValidationError({"into": "That case was itself merged: merge into the case it was merged into."})
            if target.pk in seen:
                raise ValidationError({"into": "Merging would make a loop of merged cases."})
            seen.add(target.pk)
            target = target.merged_into
        now = timezone.now()
        case.status, case.closure, case.merged_into = Status.CLOSED, Incident.Closure.MERGED, into
        case.triaged_at, case.triaged_by, case.closed_at, case.closed_by = now, actor, now, actor
        _save(case, "status", "closure", "merged_into", "triaged_at", "triaged_by", "closed_at", "closed_by")
        case_event_record(incident=case, kind=Kind.MERGED, actor=actor, text=f"Into “{into.title}”. {reason}", at=now)
        case_event_record(incident=into, kind=Kind.NOTE, actor=actor, text=f"Case “{case.title}” merged into this one.")
    return case


def incident_decline(*, incident: Incident, actor, reason: str) -> Incident:
    """Close a received case as not an agency matter (supervisor); a complainant with contact gets the reason.

    Raises:
        PermissionDenied: ``actor`` is not a supervisor.
        ValidationError: not "received"; ``reason`` blank (keyed ``reason``).
    """
    _require_supervisor(actor, incident, "triage a case")
    reason = _required("reason", reason)
    with transaction.atomic(), acting_as(actor):
        case = _locked(incident)
        _require_stage(case, Status.RECEIVED)
        now = timezone.now()
        case.status, case.closure, case.closure_reason = Status.CLOSED, Incident.Closure.NOT_AGENCY_MATTER, reason
        case.triaged_at, case.triaged_by, case.closed_at, case.closed_by = now, actor, now, actor
        _save(case, "status", "closure", "closure_reason", "triaged_at", "triaged_by", "closed_at", "closed_by")
        case_event_record(incident=case, kind=Kind.DECLINED, actor=actor, text=reason, at=now)
        complainant_notice_send(incident=case, kind=DECLINED, actor=actor)
    return case


# ----- assignment and the case's parts ----------------------------------------------------------------------------


def incident_assign(*, incident: Incident, actor, investigator) -> Incident:
    """Assign (or re-assign) the case's investigator (supervisor), under the rules of ``investigator_check``.

    Raises:
        PermissionDenied: ``actor`` is not a supervisor.
        ValidationError: the case is received (triage first) or closed; the investigator breaks a rule.
    """
    _require_supervisor(actor, incident, "assign an investigator")
    with transaction.atomic(), acting_as(actor):
        case = _locked(incident)
        _require_stage(case, *WORKING_STAGES)
        investigator_check(incident=case, investigator=investigator)
        if case.investigator_id == investigator.pk:
            return case
        case.investigator, case.assigned_at = investigator, timezone.now()
        _save(case, "investigator", "assigned_at")
        case_event_record(incident=case, kind=Kind.ASSIGNED, actor=actor, text=_name(investigator), at=case.assigned_at)
        _tell_investigator(case, actor, "assigned to you")
    return case


def subject_officer_add(*, incident: Incident, actor, officer: Officer) -> SubjectOfficer:
    """Link a roster officer of the case's agency as a subject officer (anyone who may change its records).

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: the case is closed; the officer is of another agency, already linked, or is the
            case's investigator (keyed ``officer``); or the investigator would rank below them.
    """
    _require_change(actor, incident)
    with transaction.atomic(), acting_as(actor):
        case = _locked(incident)
        _require_stage(case, *OPEN_STAGES)
        if officer.agency_id != case.agency_id:
            raise ValidationError({"officer": "Only an officer on the roster of the case's agency can be linked."})
        if case.subject_officers.filter(officer=officer).exists():
            raise ValidationError({"officer": "This officer is already a subject officer of the case."})
        if case.investigator_id is not None and officer.user_id == case.investigator_id:
            raise ValidationError({"officer": rules.SUBJECT_IS_INVESTIGATOR})
        if case.investigator is not None:
            subjects = list(
                Officer.objects.filter(pk__in=case.subject_officers.values("officer")).select_related("rank")
            )
            try:
                investigator_check(incident=case, investigator=case.investigator, subject_officers=[*subjects, officer])
            except ValidationError as error:
                raise ValidationError({"officer": error.message_dict["investigator"]}) from error
        now = timezone.now()
        link = SubjectOfficer.objects.create(incident=case, officer=officer, added_at=now, added_by=actor)
        case_event_record(incident=case, kind=Kind.OFFICER_LINKED, actor=actor, text=f"Badge {officer.badge_number}")
    return link


def subject_officer_remove(*, incident: Incident, actor, officer: Officer) -> None:
    """Unlink a subject officer (anyone who may change the records); allegations naming them keep the name.

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: the case is closed, or the officer is not linked (keyed ``officer``).
    """
    _require_change(actor, incident)
    with transaction.atomic(), acting_as(actor):
        case = _locked(incident)
        _require_stage(case, *OPEN_STAGES)
        link = case.subject_officers.filter(officer=officer).first()
        if link is None:
            raise ValidationError({"officer": "This officer is not a subject officer of the case."})
        link.delete()
        case_event_record(incident=case, kind=Kind.OFFICER_UNLINKED, actor=actor, text=f"Badge {officer.badge_number}")


def allegation_add(*, incident: Incident, actor, text: str, officer: Officer | None = None) -> Allegation:
    """Add an allegation, optionally against one of the case's subject officers.

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: the case is closed or in supervisor review; ``text`` blank; ``officer`` not a
            subject officer of the case.
    """
    _require_change(actor, incident)
    text = _required("text", text)
    with transaction.atomic(), acting_as(actor):
        case = _locked(incident)
        _require_stage(case, Status.RECEIVED, Status.UNDER_INVESTIGATION)
        if officer is not None and not case.subject_officers.filter(officer=officer).exists():
            raise ValidationError({"officer": "Link the officer as a subject officer of the case first."})
        now = timezone.now()
        allegation = Allegation.objects.create(
            incident=case, officer=officer, text=text, created_at=now, created_by=actor
        )
        case_event_record(incident=case, kind=Kind.ALLEGATION_ADDED, actor=actor, text=text, at=now)
    return allegation


def allegation_dispose(*, allegation: Allegation, actor, disposition: str, note: str) -> Allegation:
    """Record the disposition of one allegation (the investigator or a supervisor) and the evidence it rests on.

    Args:
        disposition: a ``Disposition`` value (sustained, not sustained, exonerated, unfounded, policy failure).
        note: why (required).

    Raises:
        PermissionDenied: ``actor`` is neither the investigator nor a supervisor.
        ValidationError: the case is not under investigation or in supervisor review; unknown disposition;
            blank note.
    """
    incident = allegation.incident
    _require_change(actor, incident)
    if disposition not in Allegation.Disposition.values:
        raise ValidationError({"disposition": "Choose a disposition from the list."})
    note = _required("note", note)
    with transaction.atomic(), acting_as(actor):
        case = _locked(incident)
        _require_investigator_or_supervisor(actor, case, "record a disposition")
        _require_stage(case, *WORKING_STAGES)
        if case.status == Status.SUPERVISOR_REVIEW:
            _require_supervisor(actor, case, "change a disposition in supervisor review")
        row = Allegation.objects.select_for_update().get(pk=allegation.pk, incident=case)
        row.disposition, row.disposition_note = disposition, note
        row.disposed_at, row.disposed_by = timezone.now(), actor
        row.save(update_fields=["disposition", "disposition_note", "disposed_at", "disposed_by"])
        label = Allegation.Disposition(disposition).label
        case_event_record(
            incident=case, kind=Kind.DISPOSITION, actor=actor, text=f"{label}: {note}", at=row.disposed_at
        )
    return row


def case_note_add(*, incident: Incident, actor, text: str) -> CaseEvent:
    """Add a note to the case's timeline (anyone who may change its records; any stage).

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: ``text`` blank.
    """
    _require_change(actor, incident)
    text = _required("text", text)
    with transaction.atomic(), acting_as(actor):
        return case_event_record(incident=incident, kind=Kind.NOTE, actor=actor, text=text)


def incident_detainer_link(*, incident: Incident, actor, detainer: Detainer) -> Incident:
    """Link the detainer the case is about (same agency; replaces a previous link).

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: the case is closed; the detainer is of another agency (keyed ``detainer``).
    """
    _require_change(actor, incident)
    with transaction.atomic(), acting_as(actor):
        case = _locked(incident)
        _require_stage(case, *OPEN_STAGES)
        if detainer.agency_id != case.agency_id:
            raise ValidationError({"detainer": "Only a detainer of the case's own agency can be linked."})
        case.detainer = detainer
        _save(case, "detainer")
        case_event_record(incident=case, kind=Kind.DETAINER_LINKED, actor=actor, text=detainer.booking_number or "")
    return case


def incident_finding_link(*, incident: Incident, actor, finding: Finding) -> Incident:
    """Link a rule's finding to the case (same agency; linking twice is refused).

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: the case is closed; the finding is of another agency or already linked.
    """
    _require_change(actor, incident)
    with transaction.atomic(), acting_as(actor):
        case = _locked(incident)
        _require_stage(case, *OPEN_STAGES)
        if finding.agency_id != case.agency_id:
            raise ValidationError({"finding": "Only a finding of the case's own agency can be linked."})
        if case.linked_findings.filter(pk=finding.pk).exists():
            raise ValidationError({"finding": "This finding is already linked to the case."})
        case.linked_findings.add(finding)
        case_event_record(incident=case, kind=Kind.FINDING_LINKED, actor=actor, text=str(finding))
    return case


FINDING_KINDS = {
    Finding.Kind.HOLD_DEADLINE_PASSED: Incident.Kind.HOLD_VIOLATION,
    Finding.Kind.HOLD_WITHOUT_AUTHORITY: Incident.Kind.HOLD_VIOLATION,
    Finding.Kind.ACTION_OUTSIDE_AGREEMENT: Incident.Kind.SCOPE_VIOLATION,
    Finding.Kind.OFFICER_NOT_AUTHORIZED: Incident.Kind.SCOPE_VIOLATION,
    Finding.Kind.CITIZENSHIP_CLAIM: Incident.Kind.CITIZENSHIP_CLAIM,
}


def incident_open_from_finding(*, finding: Finding, actor) -> Incident:
    """Open a case from a rule's finding (anyone who may change the agency's records), linked to it.

    The case's kind follows the finding's (a hold past its deadline → hold violation, ...; else
    "other"), its severity and title the finding's (no personal data: findings carry none).

    Raises:
        PermissionDenied: ``actor`` may not change the finding's agency's records.
    """
    if not access.can(actor, access.CHANGE, finding.agency):
        raise PermissionDenied("You may read but not change this agency's records.")
    detainer = finding.record if isinstance(finding.record, Detainer) else None
    return incident_create(
        agency=finding.agency,
        actor=actor,
        kind=FINDING_KINDS.get(finding.kind, Incident.Kind.OTHER),
        severity=finding.severity,
        title=str(finding.get_kind_display())[:200],
        description=finding.summary,
        occurred_at=finding.opened_at,
        detainer=detainer,
        finding=finding,
    )


# ----- review and sign-off ----------------------------------------------------------------------------------------


def incident_submit_for_review(*, incident: Incident, actor, summary: str) -> Incident:
    """Send the case to supervisor review with the investigator's summary (the investigator or a supervisor).

    Raises:
        PermissionDenied: neither the investigator nor a supervisor.
        ValidationError: not under investigation; blank summary; no allegation, or one without a disposition.
    """
    _require_change(actor, incident)
    summary = _required("summary", summary)
    with transaction.atomic(), acting_as(actor):
        case = _locked(incident)
        _require_investigator_or_supervisor(actor, case, "send the case to supervisor review")
        _require_stage(case, Status.UNDER_INVESTIGATION)
        dispositions = list(case.allegations.values_list("disposition", flat=True))
        if not dispositions:
            raise ValidationError(rules.NO_ALLEGATION)
        missing = rules.undisposed_count(dispositions)
        if missing:
            raise ValidationError(rules.UNDISPOSED.format(count=missing))
        case.status, case.investigation_summary, case.submitted_at = Status.SUPERVISOR_REVIEW, summary, timezone.now()
        _save(case, "status", "investigation_summary", "submitted_at")
        case_event_record(incident=case, kind=Kind.SUBMITTED, actor=actor, text=summary, at=case.submitted_at)
        case_notify(
            incident=case,
            recipients=case_reviewers(case),
            actor=actor,
            text=f"Case sent to supervisor review: {case_summary(case)}.",
        )
    return case


def incident_return(*, incident: Incident, actor, reason: str) -> Incident:
    """Return a case in supervisor review to investigation (supervisor), with the reason.

    Raises:
        PermissionDenied: not a supervisor.
        ValidationError: not in supervisor review; blank reason.
    """
    _require_supervisor(actor, incident, "return a case to investigation")
    reason = _required("reason", reason)
    with transaction.atomic(), acting_as(actor):
        case = _locked(incident)
        _require_stage(case, Status.SUPERVISOR_REVIEW)
        case.status = Status.UNDER_INVESTIGATION
        _save(case, "status")
        case_event_record(incident=case, kind=Kind.RETURNED, actor=actor, text=reason)
        _tell_investigator(case, actor, "returned to investigation")
    return case


def incident_close(*, incident: Incident, actor, narrative: str, open_actions_reason: str = "") -> Incident:
    """Close a reviewed case with the supervisor's signed-off narrative ("nobody closes their own case").

    Only a supervisor of the case's agency who is not its investigator, one of its subject officers
    (``Officer.user``) or, for a case staff logged, its reporter; only from supervisor review. An open
    corrective action refuses the close unless ``open_actions_reason`` says why. A complainant with
    contact is told the review is finished.

    Raises:
        PermissionDenied: not a supervisor, or their own case.
        ValidationError: not in supervisor review; blank narrative (``narrative``); open actions and no
            reason (``open_actions_reason``).
    """
    _require_supervisor(actor, incident, "close a case")
    with transaction.atomic(), acting_as(actor):
        case = _locked(incident)
        subject_users = Officer.objects.filter(
            pk__in=case.subject_officers.values("officer"), user__isnull=False
        ).values_list("user_id", flat=True)
        role = rules.own_case_role(
            actor_id=actor.pk,
            investigator_id=case.investigator_id,
            subject_user_ids=list(subject_users),
            reporter_id=case.reported_by_id,
            source=case.source,
        )
        if role:
            raise PermissionDenied(rules.OWN_CASE.format(role=role))
        _require_stage(case, Status.SUPERVISOR_REVIEW)
        narrative = _required("narrative", narrative)
        open_actions = case.corrective_actions.filter(status="open").count()
        open_actions_reason = (open_actions_reason or "").strip()
        if open_actions and not open_actions_reason:
            raise ValidationError({"open_actions_reason": rules.OPEN_ACTIONS.format(count=open_actions)})
        now = timezone.now()
        case.status, case.closure = Status.CLOSED, Incident.Closure.REVIEWED
        case.review_narrative, case.closed_at, case.closed_by = narrative, now, actor
        case.open_actions_reason = open_actions_reason if open_actions else ""
        _save(case, "status", "closure", "review_narrative", "closed_at", "closed_by", "open_actions_reason")
        text = (
            narrative
            if not open_actions
            else f"{narrative}\n\nClosed with {open_actions} open action(s): " + (open_actions_reason)
        )
        case_event_record(incident=case, kind=Kind.CLOSED, actor=actor, text=text, at=now)
        complainant_notice_send(incident=case, kind=CLOSED, actor=actor)
    return case


def incident_reopen(*, incident: Incident, actor, reason: str) -> Incident:
    """Reopen a closed case for investigation (supervisor), with the reason; its closure is cleared.

    Raises:
        PermissionDenied: not a supervisor.
        ValidationError: not closed; blank reason.
    """
    _require_supervisor(actor, incident, "reopen a case")
    reason = _required("reason", reason)
    with transaction.atomic(), acting_as(actor):
        case = _locked(incident)
        _require_stage(case, Status.CLOSED)
        now = timezone.now()
        case.status, case.closure, case.merged_into = Status.UNDER_INVESTIGATION, "", None
        case.closed_at, case.closed_by = None, None
        case.reopened_at, case.reopen_reason = now, reason
        _save(case, "status", "closure", "merged_into", "closed_at", "closed_by", "reopened_at", "reopen_reason")
        case_event_record(incident=case, kind=Kind.REOPENED, actor=actor, text=reason, at=now)
    return case
