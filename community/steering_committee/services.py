"""Writes of the steering committee (DOMAIN.md R3.6): the requirement per agreement, members, meetings, minutes.

Who may:

* the requirement of an agreement: the agency's administrators (``administer_agency``); every value is
  "check against your signed MOA" ([U] in DOMAIN.md);
* members, meetings (schedule, edit, record held, cancel) and decisions: anyone who may change the
  agency's records (``change_records``); auditors never write;
* approving the minutes: a supervisor (``review_records``), only once the meeting is held and has
  minutes (text or file).

Recording vs gating (DESIGN.md): a meeting whose start is still in the future cannot be recorded held
(gate); one in the past may be scheduled and recorded held after the fact.

Each function takes keyword-only arguments and the acting user, runs in one transaction with the row
locked, attributes its history row to ``actor`` (``compliance.core.audit.acting_as``), checks its own
permissions (``PermissionDenied``) and refuses bad input with a ``ValidationError`` naming the field,
saving nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from community.steering_committee import selectors
from community.steering_committee.models import (
    CommitteeDecision,
    CommitteeMeeting,
    CommitteeMember,
    CommitteeRequirement,
    MeetingAttendance,
)
from community.steering_committee.sweep import committee_findings_resolve
from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.models import Agency, Agreement
from compliance.core.writes import refuse_unknown_fields
from incidents.case_files import scanner
from training.evidence.services import clean_original_name, format_size, sniff_content_type

ADMIN_ONLY_MESSAGE = "Only an administrator of this agency may change the committee requirement."
CHANGE_ONLY_MESSAGE = "Only someone who may change this agency's records may change the committee's records."
SUPERVISOR_ONLY_MESSAGE = "Only a supervisor of this agency may approve minutes."
NAME_MESSAGE = "Enter the member's name."
TERM_END_MESSAGE = "The term cannot end before it starts ({start})."
ALREADY_ENDED_MESSAGE = "This member's term already ended on {end}."
OTHER_AGENCY_MESSAGE = "Choose one of this agency's organisations or contacts."
NOT_SCHEDULED_MESSAGE = "Only a scheduled meeting can be changed or cancelled; this one is {status}."
FUTURE_MESSAGE = (
    "This meeting starts on {start} (agency time): it can be recorded held only once it has started. "
    "To log a meeting held earlier, change its start first."
)
NOT_RECORDABLE_MESSAGE = "A cancelled meeting, or one whose minutes were approved, cannot be recorded again."
NOT_SERVING_MESSAGE = "Only members serving on the meeting's day can be marked present."
REASON_MESSAGE = "Give the reason."
DECISION_MESSAGE = "Write the decision."
DECISION_NOT_HELD_MESSAGE = "Decisions are recorded on a meeting that was held."
APPROVE_NOT_HELD_MESSAGE = "Minutes can be approved only for a meeting recorded held."
APPROVE_NO_MINUTES_MESSAGE = "There are no minutes to approve yet: add the minutes text or file first."
ALREADY_APPROVED_MESSAGE = "These minutes were already approved on {day}."
NOT_PDF_MESSAGE = "“{name}” is not a PDF file. The minutes file must be a PDF document."
TOO_LARGE_MESSAGE = "“{name}” is {size}; the minutes file may be at most {limit}."
EMPTY_FILE_MESSAGE = "“{name}” is empty."
UNREADABLE_MESSAGE = "“{name}” is protected by a password or cannot be opened. Attach a copy without one."
INFECTED_MESSAGE = "“{name}” was flagged by the virus scan and was not stored."
SCANNER_DOWN_MESSAGE = "“{name}” could not be checked for viruses just now. Please try again in a few minutes."

#: The largest minutes file (bytes): 10 MB, as case attachments (SECURITY.md F8).
MINUTES_MAX_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"

#: Fields each service writes.
REQUIREMENT_FIELDS = frozenset({"required", "meeting_interval_months", "minutes_approval_days", "quorum"})
MEMBER_FIELDS = frozenset({"name", "role", "organisation", "contact", "voting", "term_start", "term_end"})
MEETING_FIELDS = frozenset({"starts_at", "location", "agenda"})


def may_change(user, agency: Agency) -> bool:
    """Whether ``user`` may change ``agency``'s committee records (``change_records``)."""
    return access.can(user, access.CHANGE, agency)


def may_approve(user, agency: Agency) -> bool:
    """Whether ``user`` may approve minutes in ``agency`` (``review_records``: supervisors, administrators)."""
    return access.can(user, access.REVIEW, agency)


def may_administer(user, agency: Agency) -> bool:
    """Whether ``user`` may change the committee requirement of ``agency``'s agreements (``administer_agency``)."""
    return access.can(user, access.ADMINISTER, agency)


def _require_change(actor, agency: Agency) -> None:
    if not may_change(actor, agency):
        raise PermissionDenied(CHANGE_ONLY_MESSAGE)


# --- The requirement -------------------------------------------------------------------------------------------


def requirement_save(*, agreement: Agreement, actor, **fields) -> CommitteeRequirement:
    """Record or change whether ``agreement`` requires a committee and how often it must meet (R3.6, [U]).

    Args:
        agreement: the agreement (the caller found it through access).
        actor: an administrator of its agency (history author).
        **fields: any of ``REQUIREMENT_FIELDS``: ``required`` (bool), ``meeting_interval_months`` (1–24),
            ``minutes_approval_days`` (1–365), ``quorum`` (≥ 1 or None: a simple majority).

    Returns:
        The requirement (created on first save; no history row when nothing changed).

    Raises:
        TypeError: a field outside ``REQUIREMENT_FIELDS``.
        PermissionDenied: ``actor`` does not administer the agency.
        ValidationError: a value outside the model's range (by field).
    """
    refuse_unknown_fields(fields, REQUIREMENT_FIELDS, "requirement_save")
    if not may_administer(actor, agreement.agency):
        raise PermissionDenied(ADMIN_ONLY_MESSAGE)
    with transaction.atomic(), acting_as(actor, reason="Committee requirement changed"):
        requirement = CommitteeRequirement.objects.select_for_update().filter(
            agreement=agreement
        ).first() or CommitteeRequirement(agreement=agreement)
        for name, value in fields.items():
            setattr(requirement, name, value)
        requirement.full_clean(exclude=["agreement"])
        requirement.save()
    return requirement


# --- Members ---------------------------------------------------------------------------------------------------


def _check_member(agency: Agency, values: dict) -> None:
    if "name" in values and not (values["name"] or "").strip():
        raise ValidationError({"name": NAME_MESSAGE})
    for name in ("organisation", "contact"):
        linked = values.get(name)
        if linked is not None and linked.agency_id != agency.pk:
            raise ValidationError({name: OTHER_AGENCY_MESSAGE})
    start, end = values.get("term_start"), values.get("term_end")
    if start and end and end < start:
        raise ValidationError({"term_end": TERM_END_MESSAGE.format(start=start.isoformat())})


def member_create(*, agency: Agency, actor, **fields) -> CommitteeMember:
    """Add a member to ``agency``'s committee for one term.

    Args:
        agency: the agency (the caller found it through access).
        actor: the user adding them (history author: "added").
        **fields: ``MEMBER_FIELDS``: ``name``, ``role`` (``CommitteeMember.Role``), ``organisation`` /
            ``contact`` (of this agency, optional), ``voting``, ``term_start`` (date), ``term_end`` (date or None).

    Raises:
        TypeError: a field outside ``MEMBER_FIELDS``.
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: no name, an organisation/contact of another agency, a term ending before it starts.
    """
    refuse_unknown_fields(fields, MEMBER_FIELDS, "member_create")
    _require_change(actor, agency)
    _check_member(agency, fields)
    member = CommitteeMember(agency=agency, **{**fields, "name": fields["name"].strip()})
    with transaction.atomic(), acting_as(actor, reason="Member added"):
        member.save()
    return member


def member_update(*, member: CommitteeMember, actor, **fields) -> CommitteeMember:
    """Change a member's name, role, organisation, contact, voting or term; no history row when nothing changed.

    Raises:
        TypeError: a field outside ``MEMBER_FIELDS``.
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: as ``member_create``.
    """
    refuse_unknown_fields(fields, MEMBER_FIELDS, "member_update")
    _require_change(actor, member.agency)
    with transaction.atomic():
        locked = CommitteeMember.objects.select_for_update().select_related("agency").get(pk=member.pk)
        merged = {name: getattr(locked, name) for name in MEMBER_FIELDS} | fields
        _check_member(locked.agency, merged)
        reason = "Role changed" if fields.get("role", locked.role) != locked.role else "Member changed"
        for name, value in fields.items():
            setattr(locked, name, value.strip() if name == "name" else value)
        with acting_as(actor, reason=reason):
            locked.save()
    return locked


def member_end_term(*, member: CommitteeMember, actor, term_end: date) -> CommitteeMember:
    """End a member's term on ``term_end`` (an agency-local date; the member serves through that day).

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: the term already ended, or ``term_end`` is before its start (``term_end``).
    """
    _require_change(actor, member.agency)
    with transaction.atomic(), acting_as(actor, reason="Term ended"):
        locked = CommitteeMember.objects.select_for_update().get(pk=member.pk)
        if locked.term_end is not None:
            raise ValidationError({"term_end": ALREADY_ENDED_MESSAGE.format(end=locked.term_end.isoformat())})
        if term_end < locked.term_start:
            raise ValidationError({"term_end": TERM_END_MESSAGE.format(start=locked.term_start.isoformat())})
        locked.term_end = term_end
        locked.save()
    return locked


# --- Meetings --------------------------------------------------------------------------------------------------


def meeting_schedule(*, agency: Agency, actor, starts_at: datetime, location: str = "", agenda: str = ""):
    """Schedule a committee meeting (``starts_at`` aware, stored UTC; a past start may be logged after the fact).

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValueError: ``starts_at`` is naive (a programming error: forms convert on the agency's clock).
    """
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be an aware datetime.")
    _require_change(actor, agency)
    meeting = CommitteeMeeting(agency=agency, starts_at=starts_at, location=location.strip(), agenda=agenda.strip())
    with transaction.atomic(), acting_as(actor, reason="Meeting scheduled"):
        meeting.save()
    return meeting


def _locked_meeting(meeting: CommitteeMeeting) -> CommitteeMeeting:
    return CommitteeMeeting.objects.select_for_update(of=("self",)).select_related("agency").get(pk=meeting.pk)


def meeting_update(*, meeting: CommitteeMeeting, actor, **fields) -> CommitteeMeeting:
    """Change a scheduled meeting's start, location or agenda; no history row when nothing changed.

    Raises:
        TypeError: a field outside ``MEETING_FIELDS``.
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: the meeting is no longer scheduled.
    """
    refuse_unknown_fields(fields, MEETING_FIELDS, "meeting_update")
    _require_change(actor, meeting.agency)
    with transaction.atomic(), acting_as(actor, reason="Meeting changed"):
        locked = _locked_meeting(meeting)
        if locked.status != CommitteeMeeting.Status.SCHEDULED:
            raise ValidationError(NOT_SCHEDULED_MESSAGE.format(status=locked.get_status_display().lower()))
        for name, value in fields.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        locked.save()
    return locked


def meeting_cancel(*, meeting: CommitteeMeeting, actor, reason: str) -> CommitteeMeeting:
    """Cancel a scheduled meeting, with the reason (on the meeting and as the history reason).

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: no reason (``reason``), or the meeting is not scheduled.
    """
    _require_change(actor, meeting.agency)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_MESSAGE})
    with transaction.atomic(), acting_as(actor, reason=f"Meeting cancelled: {reason[:150]}"):
        locked = _locked_meeting(meeting)
        if locked.status != CommitteeMeeting.Status.SCHEDULED:
            raise ValidationError(NOT_SCHEDULED_MESSAGE.format(status=locked.get_status_display().lower()))
        locked.status = CommitteeMeeting.Status.CANCELLED
        locked.cancel_reason = reason
        locked.save()
    return locked


@dataclass(frozen=True)
class PreparedMinutes:
    """A minutes file that passed every check and the scan, not yet stored."""

    data: bytes
    file_name: str


def minutes_file_prepare(upload, *, field: str = "minutes_file") -> PreparedMinutes:
    """Read, check and scan an uploaded minutes file; write nothing (SECURITY.md F8).

    PDF only, decided by the content (starts with ``%PDF-`` and opens with pypdf), at most
    ``MINUTES_MAX_BYTES`` (10 MB, checked before reading), scanned by ClamAV when one is configured
    (flagged → refused; a configured scanner that cannot answer → refused, try again).

    Raises:
        ValidationError: keyed by ``field``.
    """
    name = clean_original_name(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", None)
    limit = MINUTES_MAX_BYTES
    if size is not None and size > limit:
        raise ValidationError({field: TOO_LARGE_MESSAGE.format(name=name, size=format_size(size), limit="10 MB")})
    upload.seek(0)
    data = upload.read(limit + 1)
    if not data:
        raise ValidationError({field: EMPTY_FILE_MESSAGE.format(name=name)})
    if len(data) > limit:
        raise ValidationError({field: TOO_LARGE_MESSAGE.format(name=name, size=format_size(len(data)), limit="10 MB")})
    if not data.startswith(PDF_MAGIC):
        raise ValidationError({field: NOT_PDF_MESSAGE.format(name=name)})
    try:
        kind = sniff_content_type(data)
    except ValidationError:
        raise ValidationError({field: UNREADABLE_MESSAGE.format(name=name)}) from None
    if kind != "application/pdf":
        raise ValidationError({field: NOT_PDF_MESSAGE.format(name=name)})
    try:
        verdict = scanner.scan_bytes(data)
    except scanner.ScanUnavailable:
        raise ValidationError({field: SCANNER_DOWN_MESSAGE.format(name=name)}) from None
    if verdict == scanner.FOUND:
        raise ValidationError({field: INFECTED_MESSAGE.format(name=name)})
    return PreparedMinutes(data=data, file_name=name[:200])


def meeting_record_held(
    *,
    meeting: CommitteeMeeting,
    actor,
    present: list[CommitteeMember],
    public_attendance: int | None = None,
    minutes: str = "",
    minutes_file: PreparedMinutes | None = None,
    now: datetime | None = None,
) -> CommitteeMeeting:
    """Record what happened at a meeting: held, who of the serving members was present, the public, the minutes.

    May be repeated to correct the record until the minutes are approved. Attendance: one
    ``MeetingAttendance`` row per member serving on the meeting's agency-local day (present or not).
    A minutes file replaces the earlier one (which stays in storage: history names it). An open
    "meeting missed" finding the meeting cures is resolved by the system.

    Args:
        meeting: the meeting (scheduled or held, minutes not approved).
        actor: the user recording it.
        present: the members present (each serving that day).
        public_attendance: members of the public present, or None.
        minutes: the minutes text (replaces the earlier text; may be blank when a file is given).
        minutes_file: from ``minutes_file_prepare``, or None to keep the current file.
        now: the current time (tests); default ``timezone.now()``.

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: the meeting starts in the future (gate), is cancelled or approved, or a present
            member was not serving that day.
    """
    now = now or timezone.now()
    _require_change(actor, meeting.agency)
    stored_name = None
    try:
        with transaction.atomic(), acting_as(actor, reason="Meeting recorded held"):
            locked = _locked_meeting(meeting)
            agency = locked.agency
            if locked.status == CommitteeMeeting.Status.CANCELLED or locked.minutes_approved_on is not None:
                raise ValidationError(NOT_RECORDABLE_MESSAGE)
            if locked.starts_at > now:
                start = timezone.localtime(locked.starts_at, agency.zone)
                raise ValidationError(FUTURE_MESSAGE.format(start=f"{start:%Y-%m-%d %H:%M}"))
            day = selectors.local_day(agency, locked.starts_at)
            serving = {member.pk: member for member in selectors.members_serving_on(agency, day)}
            present_ids = {member.pk for member in present}
            if present_ids - set(serving):
                raise ValidationError({"attendance": NOT_SERVING_MESSAGE})
            locked.status = CommitteeMeeting.Status.HELD
            locked.public_attendance = public_attendance
            locked.minutes = (minutes or "").strip()
            if minutes_file is not None:
                digest = hashlib.sha256(minutes_file.data).hexdigest()[:12]
                locked.minutes_file.save(f"minutes-{digest}", ContentFile(minutes_file.data), save=False)
                stored_name = locked.minutes_file.name
                locked.minutes_file_name = minutes_file.file_name
            locked.save()
            existing = {row.member_id: row for row in MeetingAttendance.objects.filter(meeting=locked)}
            for member_id in serving:
                row = existing.get(member_id)
                is_present = member_id in present_ids
                if row is None:
                    MeetingAttendance.objects.create(meeting=locked, member_id=member_id, present=is_present)
                elif row.present != is_present:
                    row.present = is_present
                    row.save()
            committee_findings_resolve(agency=agency, now=now)
    except BaseException:
        if stored_name:
            meeting.minutes_file.storage.delete(stored_name)
        raise
    return locked


def minutes_approve(*, meeting: CommitteeMeeting, actor, now: datetime | None = None) -> CommitteeMeeting:
    """A supervisor approves a held meeting's minutes (``minutes_approved_on``: the agency's today; ``_by``: actor).

    Raises:
        PermissionDenied: ``actor`` lacks ``review_records`` in the agency.
        ValidationError: not held, no minutes (text or file), or already approved.
    """
    if not may_approve(actor, meeting.agency):
        raise PermissionDenied(SUPERVISOR_ONLY_MESSAGE)
    with transaction.atomic(), acting_as(actor, reason="Minutes approved"):
        locked = _locked_meeting(meeting)
        if locked.status != CommitteeMeeting.Status.HELD:
            raise ValidationError(APPROVE_NOT_HELD_MESSAGE)
        if locked.minutes_approved_on is not None:
            raise ValidationError(ALREADY_APPROVED_MESSAGE.format(day=locked.minutes_approved_on.isoformat()))
        if not locked.minutes and not locked.minutes_file:
            raise ValidationError(APPROVE_NO_MINUTES_MESSAGE)
        locked.minutes_approved_on = selectors.agency_today(locked.agency, now=now)
        locked.minutes_approved_by = actor
        locked.save()
    return locked


def decision_add(*, meeting: CommitteeMeeting, actor, text: str) -> CommitteeDecision:
    """Record a decision taken at a held meeting, numbered next within the meeting (1, 2, …).

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: empty text (``text``), or the meeting is not held.
    """
    _require_change(actor, meeting.agency)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": DECISION_MESSAGE})
    with transaction.atomic(), acting_as(actor, reason="Decision recorded"):
        locked = _locked_meeting(meeting)
        if locked.status != CommitteeMeeting.Status.HELD:
            raise ValidationError(DECISION_NOT_HELD_MESSAGE)
        number = (CommitteeDecision.objects.filter(meeting=locked).aggregate(top=Max("number"))["top"] or 0) + 1
        return CommitteeDecision.objects.create(meeting=locked, number=number, text=text)
