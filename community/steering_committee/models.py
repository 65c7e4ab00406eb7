"""The steering committee: the requirement per agreement, members and their terms, meetings, minutes, decisions."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.models import AgencyScopedModel

CHECK_MOA = "Check against your signed MOA."


class CommitteeRequirement(models.Model):
    """Whether an agreement requires a steering committee and how often it must meet (DOMAIN.md R3.6).

    One row per agreement, created on first save; an agreement without a row has no requirement
    recorded. The frequency is [U] in DOMAIN.md: every value is marked "check against your MOA".
    """

    agreement = models.OneToOneField(
        "compliance.Agreement", on_delete=models.PROTECT, related_name="committee_requirement"
    )
    required = models.BooleanField(default=True, help_text=f"The MOA requires a steering committee. {CHECK_MOA}")
    meeting_interval_months = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=f"The committee must meet at least once every this many months. {CHECK_MOA}",
    )
    minutes_approval_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Minutes should be approved within this many days of the meeting; past it, a reminder.",
    )
    quorum = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Voting members who must be present; blank: more than half of the voting members.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditedManager()
    history = AuditedHistory()

    def __str__(self) -> str:
        return f"Committee requirement of agreement {self.agreement_id}"


class CommitteeMember(AgencyScopedModel):
    """A member of the agency's steering committee for one term; a new term is a new row."""

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        VICE_CHAIR = "vice_chair", "Vice chair"
        SECRETARY = "secretary", "Secretary"
        MEMBER = "member", "Member"
        AGENCY = "agency", "Agency representative"
        ICE = "ice", "ICE representative"
        COMMUNITY = "community", "Community representative"

    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    organisation = models.ForeignKey(
        "community.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="committee_members"
    )
    contact = models.ForeignKey(
        "community.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="committee_terms"
    )
    voting = models.BooleanField(default=True, help_text="Counts toward the quorum.")
    term_start = models.DateField()
    term_end = models.DateField(null=True, blank=True, help_text="Blank: serving until further notice.")

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["term_end", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="committee_term_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


def minutes_file_path(instance, filename: str) -> str:
    """A random storage name (the uploaded name is kept in ``minutes_file_name`` only)."""
    return f"committee-minutes/{uuid.uuid4().hex}"


class CommitteeMeeting(AgencyScopedModel):
    """A steering-committee meeting: scheduled, then held (attendance, minutes, decisions) or cancelled."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    starts_at = models.DateTimeField(help_text="Stored in UTC; shown on the agency's clock.")
    location = models.CharField(max_length=200, blank=True)
    agenda = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.TextField(blank=True)
    public_attendance = models.PositiveIntegerField(
        null=True, blank=True, help_text="Members of the public present, if the meeting was open."
    )
    minutes = models.TextField(blank=True)
    minutes_file = models.FileField(upload_to=minutes_file_path, blank=True)
    minutes_file_name = models.CharField(max_length=200, blank=True)
    minutes_approved_on = models.DateField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["-starts_at", "pk"]
        indexes = [models.Index(fields=["agency", "status", "starts_at"], name="meeting_agency_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes_approved_on__isnull=True) | Q(status="held"),
                name="meeting_minutes_approved_only_when_held",
            ),
        ]

    def __str__(self) -> str:
        return f"Committee meeting {self.public_id}"


class MeetingAttendance(models.Model):
    """Whether one member was present at one meeting (members serving that day, recorded when it is held)."""

    meeting = models.ForeignKey(CommitteeMeeting, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="attendance")
    present = models.BooleanField()

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["member__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member")]

    def __str__(self) -> str:
        return f"Member {self.member_id} at meeting {self.meeting_id}"


class CommitteeDecision(models.Model):
    """A decision the committee took at a meeting, numbered within the meeting."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(CommitteeMeeting, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="decision_number_once")]

    def __str__(self) -> str:
        return f"Decision {self.number} of meeting {self.meeting_id}"


class MinutesReminder(models.Model):
    """One reminder that a meeting's minutes await approval, to one recipient on one agency-local day."""

    meeting = models.ForeignKey(CommitteeMeeting, on_delete=models.CASCADE, related_name="minutes_reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    for_date = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "recipient", "for_date"], name="minutes_reminder_once_per_day")
        ]

    def __str__(self) -> str:
        return f"Minutes reminder for meeting {self.meeting_id} to user {self.recipient_id}"
