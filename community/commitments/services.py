"""Writes to commitments: make one, change it while open, record it done with evidence, drop it with a reason, reopen.

Who may (issue #12 item 2; DOMAIN.md R3.6):

* make and change: anyone who may change the agency's records (``change_records``); the owner is
  an active user holding ``change_records`` in that agency; the due date is an agency-local date,
  not before the event or meeting it was made at (a commitment made at a past event may already be
  overdue when it is logged: that is recorded, not refused);
* done: the commitment's owner or a supervisor (``review_records``); the evidence is required; the
  day it was done is an agency-local date, not after the agency's today;
* drop: a supervisor, with a reason; reopen: a supervisor, with a reason.

Each function takes keyword-only arguments and the acting user, runs in one transaction with the
row locked, attributes its history row to ``actor`` (and the reason, where given, as the history
change reason), checks its own permissions (``PermissionDenied``) and refuses bad input with a
``ValidationError`` naming the field, saving nothing.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from community.commitments.models import Commitment
from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.models import Agency
from training.roster.rules import agency_today  # the one answer to "today" on an agency's calendar

CHANGE_NOT_ALLOWED_MESSAGE = "Only someone who may change this agency's records may make or change a commitment."
COMPLETE_NOT_ALLOWED_MESSAGE = "Only the commitment's owner or a supervisor may record it done."
SUPERVISOR_ONLY_MESSAGE = "Only a supervisor may drop or reopen a commitment."
OWNER_MESSAGE = "Choose an active person who may change this agency's records."
DESCRIPTION_MESSAGE = "Say what was promised."
DUE_BEFORE_ORIGIN_MESSAGE = "The due date cannot be before the day it was promised ({origin})."
EVIDENCE_MESSAGE = "Say what was done and where the proof is."
COMPLETED_FUTURE_MESSAGE = "The day it was done cannot be after today ({today}, the agency's date)."
COMPLETED_BEFORE_ORIGIN_MESSAGE = "The day it was done cannot be before the day it was promised ({origin})."
NOT_OPEN_MESSAGE = "This commitment is already {status}."
NOT_CLOSED_MESSAGE = "This commitment is open."
REASON_MESSAGE = "Give the reason."

#: Fields ``commitment_update`` changes.
COMMITMENT_FIELDS = frozenset({"description", "owner", "due_on"})


def origin_date(*, event=None, meeting=None, agency: Agency) -> date | None:
    """The agency-local day a commitment was made: its event's day or its meeting's day; ``None`` on its own."""
    if event is not None:
        return event.held_on
    if meeting is not None:
        return timezone.localdate(meeting.starts_at, timezone=agency.zone)
    return None


def may_change(user, agency: Agency) -> bool:
    """Whether ``user`` may make or change commitments in ``agency`` (``change_records``)."""
    return access.can(user, access.CHANGE, agency)


def may_complete(user, commitment: Commitment) -> bool:
    """Whether ``user`` may record ``commitment`` done: its owner (still holding CHANGE) or a supervisor."""
    if commitment.owner_id == user.pk and access.can(user, access.CHANGE, commitment.agency):
        return True
    return access.can(user, access.REVIEW, commitment.agency)


def may_supervise(user, agency: Agency) -> bool:
    """Whether ``user`` may drop or reopen commitments in ``agency`` (``review_records``)."""
    return access.can(user, access.REVIEW, agency)


def _check_owner(owner, agency: Agency) -> None:
    if owner is None or not owner.is_active or not access.can(owner, access.CHANGE, agency):
        raise ValidationError({"owner": OWNER_MESSAGE})


def _check_due(due_on: date, origin: date | None) -> None:
    if origin is not None and due_on < origin:
        raise ValidationError({"due_on": DUE_BEFORE_ORIGIN_MESSAGE.format(origin=origin.isoformat())})


def commitment_create(
    *, agency: Agency, actor, description: str, owner, due_on: date, event=None, meeting=None
) -> Commitment:
    """Record a commitment made at ``event`` or ``meeting`` (or on its own) in ``agency``.

    Args:
        agency: the agency; ``event``/``meeting``, when given, must be of it (callers find them through access).
        actor: the user logging it (history author, ``created_by``).
        description: what was promised (no personal data of the public is needed).
        owner: the user answerable for it.
        due_on: agency-local date.
        event: an ``OutreachEvent``, or ``meeting``: a ``CommitteeMeeting`` (its action item); not both.

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: empty description, bad owner, due before the origin day (by field).
        ValueError: both an event and a meeting, or one of another agency (a programming error).
    """
    if event is not None and meeting is not None:
        raise ValueError("A commitment is made at an event or at a meeting, not both.")
    for origin in (event, meeting):
        if origin is not None and origin.agency_id != agency.pk:
            raise ValueError("The event or meeting belongs to another agency.")
    if not may_change(actor, agency):
        raise PermissionDenied(CHANGE_NOT_ALLOWED_MESSAGE)
    if not (description or "").strip():
        raise ValidationError({"description": DESCRIPTION_MESSAGE})
    _check_owner(owner, agency)
    _check_due(due_on, origin_date(event=event, meeting=meeting, agency=agency))
    commitment = Commitment(
        agency=agency,
        event=event,
        meeting=meeting,
        description=description.strip(),
        owner=owner,
        due_on=due_on,
        created_by=actor,
    )
    with transaction.atomic(), acting_as(actor):
        commitment.save()
    return commitment


def _locked(commitment: Commitment) -> Commitment:
    return (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("agency", "event", "meeting")
        .get(pk=commitment.pk)
    )


def commitment_update(*, commitment: Commitment, actor, reason: str | None = None, **fields) -> Commitment:
    """Change an open commitment's description, owner or due date; no history row when nothing changed.

    Raises:
        TypeError: a field outside ``COMMITMENT_FIELDS``.
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: the commitment is not open, or a value is refused (by field).
    """
    unknown = set(fields) - COMMITMENT_FIELDS
    if unknown:
        raise TypeError(f"commitment_update got unknown fields: {', '.join(sorted(unknown))}")
    if not may_change(actor, commitment.agency):
        raise PermissionDenied(CHANGE_NOT_ALLOWED_MESSAGE)
    with transaction.atomic(), acting_as(actor, reason=reason):
        locked = _locked(commitment)
        if locked.status != Commitment.Status.OPEN:
            raise ValidationError(NOT_OPEN_MESSAGE.format(status=locked.get_status_display().lower()))
        if "description" in fields and not (fields["description"] or "").strip():
            raise ValidationError({"description": DESCRIPTION_MESSAGE})
        if "owner" in fields:
            _check_owner(fields["owner"], locked.agency)
        if "due_on" in fields:
            _check_due(fields["due_on"], origin_date(event=locked.event, meeting=locked.meeting, agency=locked.agency))
        for name, value in fields.items():
            setattr(locked, name, value.strip() if name == "description" else value)
        locked.save()
    return locked


def commitment_complete(*, commitment: Commitment, actor, evidence: str, completed_on: date) -> Commitment:
    """Record an open commitment done on ``completed_on`` (agency-local date) with its evidence.

    Raises:
        PermissionDenied: ``actor`` is neither its owner nor a supervisor.
        ValidationError: not open; no evidence; a day after the agency's today or before the origin day.
    """
    if not may_complete(actor, commitment):
        raise PermissionDenied(COMPLETE_NOT_ALLOWED_MESSAGE)
    with transaction.atomic(), acting_as(actor):
        locked = _locked(commitment)
        if locked.status != Commitment.Status.OPEN:
            raise ValidationError(NOT_OPEN_MESSAGE.format(status=locked.get_status_display().lower()))
        if not (evidence or "").strip():
            raise ValidationError({"evidence": EVIDENCE_MESSAGE})
        today = agency_today(locked.agency)
        if completed_on > today:
            raise ValidationError({"completed_on": COMPLETED_FUTURE_MESSAGE.format(today=today.isoformat())})
        origin = origin_date(event=locked.event, meeting=locked.meeting, agency=locked.agency)
        if origin is not None and completed_on < origin:
            raise ValidationError({"completed_on": COMPLETED_BEFORE_ORIGIN_MESSAGE.format(origin=origin.isoformat())})
        locked.status = Commitment.Status.DONE
        locked.evidence = evidence.strip()
        locked.completed_on = completed_on
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        locked.save()
    return locked


def commitment_drop(*, commitment: Commitment, actor, reason: str) -> Commitment:
    """Drop an open commitment with the reason (shown on its page and in history).

    Raises:
        PermissionDenied: ``actor`` is not a supervisor of the agency.
        ValidationError: not open, or no reason.
    """
    if not may_supervise(actor, commitment.agency):
        raise PermissionDenied(SUPERVISOR_ONLY_MESSAGE)
    if not (reason or "").strip():
        raise ValidationError({"reason": REASON_MESSAGE})
    with transaction.atomic(), acting_as(actor, reason=reason.strip()):
        locked = _locked(commitment)
        if locked.status != Commitment.Status.OPEN:
            raise ValidationError(NOT_OPEN_MESSAGE.format(status=locked.get_status_display().lower()))
        locked.status = Commitment.Status.DROPPED
        locked.drop_reason = reason.strip()
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        locked.save()
    return locked


def commitment_reopen(*, commitment: Commitment, actor, reason: str) -> Commitment:
    """Reopen a done or dropped commitment (its evidence and drop reason stay in history).

    Raises:
        PermissionDenied: ``actor`` is not a supervisor of the agency.
        ValidationError: already open, or no reason.
    """
    if not may_supervise(actor, commitment.agency):
        raise PermissionDenied(SUPERVISOR_ONLY_MESSAGE)
    if not (reason or "").strip():
        raise ValidationError({"reason": REASON_MESSAGE})
    with transaction.atomic(), acting_as(actor, reason=reason.strip()):
        locked = _locked(commitment)
        if locked.status == Commitment.Status.OPEN:
            raise ValidationError(NOT_CLOSED_MESSAGE)
        locked.status = Commitment.Status.OPEN
        locked.completed_on = None
        locked.drop_reason = ""
        locked.closed_at = None
        locked.closed_by = None
        locked.save()
    return locked
