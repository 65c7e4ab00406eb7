"""Writes to a case's corrective actions: add one, record it done with its evidence, cancel it with a reason.

Who may (issue #11 item 4; DOMAIN.md R3.5):

* add: a supervisor of the case's agency (``review_records``) or the case's investigator;
  the owner is an active user holding ``change_records`` in that agency; the due date is an
  agency-local date, not before the agency's today when added; not on a closed case;
* done: the action's owner or a supervisor; the evidence is required; the day it was done
  is an agency-local date, not after the agency's today;
* cancel: a supervisor, with a reason.

A closed case takes no new action; an action left open when a supervisor closed the
case with a recorded reason (``Incident.open_actions_reason``) can still be recorded
done or cancelled, so it is tracked to the end.

Each function takes keyword-only arguments and the acting user, runs in one
transaction with the case row locked (so an action cannot be added while the case is
being closed, and two people cannot finish one action at once), writes one
``CaseEvent`` and attributes its history rows to ``actor``. It checks the rule's
permissions itself (``PermissionDenied``) and refuses bad input with a
``ValidationError`` naming the field, saving nothing.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.core import access
from compliance.core.audit import acting_as
from incidents.corrective_actions.models import CorrectiveAction
from incidents.incident_log.models import Allegation, CaseEvent, Incident, case_event_record

ADD_NOT_ALLOWED_MESSAGE = "Only a supervisor or the case's investigator may add a corrective action."
COMPLETE_NOT_ALLOWED_MESSAGE = "Only the action's owner or a supervisor may record it done."
CANCEL_NOT_ALLOWED_MESSAGE = "Only a supervisor may cancel a corrective action."
CASE_CLOSED_MESSAGE = "This case is closed: reopen it before adding a corrective action."
OWNER_MESSAGE = "Choose an active person who may change this agency's records."
DUE_PAST_MESSAGE = "The due date cannot be before today ({today}, the agency's date)."
ALLEGATION_MESSAGE = "Choose an allegation of this case."
KIND_MESSAGE = "Choose the kind of corrective action."
DESCRIPTION_MESSAGE = "Describe the corrective action."
EVIDENCE_MESSAGE = "Say what was done and where the proof is."
COMPLETED_FUTURE_MESSAGE = "The day it was done cannot be after today ({today}, the agency's date)."
NOT_OPEN_MESSAGE = "This corrective action is already {status}."
REASON_MESSAGE = "Give the reason for cancelling."


def agency_today(agency) -> date:
    """Today's date in ``agency``'s zone (the calendar due dates are counted on)."""
    return timezone.localdate(timezone.now(), timezone=agency.zone)


def is_supervisor(user, agency) -> bool:
    """Whether ``user`` holds ``review_records`` in ``agency`` (a supervisor or an administrator)."""
    return access.can(user, access.REVIEW, agency)


def may_add(user, incident: Incident) -> bool:
    """Whether ``user`` may add a corrective action to ``incident``: a supervisor, or its investigator (with CHANGE)."""
    if is_supervisor(user, incident.agency):
        return True
    return incident.investigator_id == user.pk and access.can(user, access.CHANGE, incident.agency)


def may_complete(user, action: CorrectiveAction) -> bool:
    """Whether ``user`` may record ``action`` done: its owner (still holding CHANGE) or a supervisor."""
    if action.owner_id == user.pk and access.can(user, access.CHANGE, action.agency):
        return True
    return is_supervisor(user, action.agency)


def _lock_case(incident: Incident) -> Incident:
    # Locked: H1's close step checks for open actions under the same lock, so an action
    # cannot slip in while the case is being closed.
    # of=("self",): the agency row joined for its zone is read, not locked.
    return Incident.objects.select_for_update(of=("self",)).select_related("agency").get(pk=incident.pk)


def corrective_action_add(
    *,
    incident: Incident,
    actor,
    kind: str,
    description: str,
    owner,
    due_on: date,
    allegation: Allegation | None = None,
) -> CorrectiveAction:
    """Add an open corrective action to ``incident``.

    Args:
        incident: the case (not closed).
        actor: a supervisor of the case's agency or the case's investigator.
        kind: a ``CorrectiveAction.Kind`` value (training, counselling, policy change, discipline referral,
            system change).
        description: what is to be done (internal; never mailed).
        owner: the user who must do it: active, holding ``change_records`` in the case's agency.
        due_on: the last day it may be done on, an agency-local ``date``; not before the agency's today.
        allegation: the allegation it answers, if any (of this case).

    Returns:
        The saved action (status open).

    Raises:
        PermissionDenied: ``actor`` is neither a supervisor nor the investigator (``ADD_NOT_ALLOWED_MESSAGE``).
        ValidationError: the case is closed, or a field is wrong (keyed by field name).

    Rule: issue #11 item 4; DOMAIN.md R3.5.
    """
    with transaction.atomic():
        case = _lock_case(incident)
        if not may_add(actor, case):
            raise PermissionDenied(ADD_NOT_ALLOWED_MESSAGE)
        if case.status == Incident.Status.CLOSED:
            raise ValidationError(CASE_CLOSED_MESSAGE)
        errors: dict[str, str] = {}
        if kind not in CorrectiveAction.Kind.values:
            errors["kind"] = KIND_MESSAGE
        description = (description or "").strip()
        if not description:
            errors["description"] = DESCRIPTION_MESSAGE
        if owner is None or not owner.is_active or not access.can(owner, access.CHANGE, case.agency):
            errors["owner"] = OWNER_MESSAGE
        today = agency_today(case.agency)
        if due_on is None or due_on < today:
            errors["due_on"] = DUE_PAST_MESSAGE.format(today=today.isoformat())
        if allegation is not None and allegation.incident_id != case.pk:
            errors["allegation"] = ALLEGATION_MESSAGE
        if errors:
            raise ValidationError(errors)
        with acting_as(actor):
            action = CorrectiveAction.objects.create(
                agency=case.agency,
                incident=case,
                allegation=allegation,
                kind=kind,
                description=description,
                owner=owner,
                due_on=due_on,
                created_by=actor,
            )
            case_event_record(
                incident=case,
                kind=CaseEvent.Kind.ACTION_ADDED,
                actor=actor,
                text=f"{action.get_kind_display()}, due {due_on.isoformat()}.",
            )
    return action


def _lock_open_action(action: CorrectiveAction) -> CorrectiveAction:
    _lock_case(action.incident)
    locked = (
        CorrectiveAction.objects.select_for_update(of=("self",)).select_related("agency", "incident").get(pk=action.pk)
    )
    if locked.status != CorrectiveAction.Status.OPEN:
        raise ValidationError(NOT_OPEN_MESSAGE.format(status=locked.get_status_display().lower()))
    return locked


def corrective_action_complete(
    *, action: CorrectiveAction, actor, evidence: str, completed_on: date
) -> CorrectiveAction:
    """Record ``action`` done, with the evidence.

    Args:
        action: an open corrective action.
        actor: its owner (still holding ``change_records``) or a supervisor of its agency.
        evidence: what was done and where the proof is (required).
        completed_on: the agency-local day it was done; not after the agency's today.

    Returns:
        The action, status done, ``closed_at``/``closed_by`` set.

    Raises:
        PermissionDenied: ``actor`` is neither the owner nor a supervisor.
        ValidationError: the action is not open, the evidence is blank or the day is in the future.
    """
    with transaction.atomic():
        locked = _lock_open_action(action)
        if not may_complete(actor, locked):
            raise PermissionDenied(COMPLETE_NOT_ALLOWED_MESSAGE)
        errors: dict[str, str] = {}
        evidence = (evidence or "").strip()
        if not evidence:
            errors["evidence"] = EVIDENCE_MESSAGE
        today = agency_today(locked.agency)
        if completed_on is None or completed_on > today:
            errors["completed_on"] = COMPLETED_FUTURE_MESSAGE.format(today=today.isoformat())
        if errors:
            raise ValidationError(errors)
        locked.status = CorrectiveAction.Status.DONE
        locked.evidence = evidence
        locked.completed_on = completed_on
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        with acting_as(actor):
            locked.save(update_fields=["status", "evidence", "completed_on", "closed_at", "closed_by", "updated_at"])
            case_event_record(
                incident=locked.incident,
                kind=CaseEvent.Kind.ACTION_DONE,
                actor=actor,
                text=f"{locked.get_kind_display()}, done on {completed_on.isoformat()}.",
            )
    return locked


def corrective_action_cancel(*, action: CorrectiveAction, actor, reason: str) -> CorrectiveAction:
    """Cancel ``action`` with a reason.

    Args:
        action: an open corrective action.
        actor: a supervisor of its agency.
        reason: why it is cancelled (required; kept on the action and the timeline).

    Returns:
        The action, status cancelled.

    Raises:
        PermissionDenied: ``actor`` is not a supervisor.
        ValidationError: the action is not open, or the reason is blank.
    """
    with transaction.atomic():
        locked = _lock_open_action(action)
        if not is_supervisor(actor, locked.agency):
            raise PermissionDenied(CANCEL_NOT_ALLOWED_MESSAGE)
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": REASON_MESSAGE})
        locked.status = CorrectiveAction.Status.CANCELLED
        locked.cancel_reason = reason
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        with acting_as(actor):
            locked.save(update_fields=["status", "cancel_reason", "closed_at", "closed_by", "updated_at"])
            case_event_record(incident=locked.incident, kind=CaseEvent.Kind.ACTION_CANCELLED, actor=actor, text=reason)
    return locked
