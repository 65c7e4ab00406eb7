"""Outreach events, who took part in them (added and removed, by whom), and the materials shared."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.models import AgencyScopedModel


class OutreachEvent(AgencyScopedModel):
    """A community meeting, presentation, consulate meeting or media briefing (DOMAIN.md R3.6).

    Steering-committee meetings are ``community.steering_committee.CommitteeMeeting``; what was
    promised at an event is a ``community.commitments.Commitment``.
    """

    class Kind(models.TextChoices):
        COMMUNITY_MEETING = "community_meeting", "Community meeting"
        PRESENTATION = "presentation", "Presentation"
        CONSULATE_MEETING = "consulate_meeting", "Consulate meeting"
        MEDIA = "media", "Media briefing"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    location = models.CharField(max_length=200, blank=True)
    attendance = models.PositiveIntegerField(null=True, blank=True, help_text="How many people attended in all.")
    languages = models.CharField(max_length=200, blank=True, help_text="Languages used, e.g. 'English, Spanish'.")
    interpretation_provided = models.BooleanField(
        null=True, blank=True, help_text="Whether interpretation was provided; blank: not recorded."
    )
    topics = models.TextField(blank=True, help_text="Topics raised by those attending.")
    summary = models.TextField(blank=True, help_text="What was said.")

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["-held_on"]
        indexes = [
            models.Index(fields=["agency", "held_on"], name="outreach_agency_held_idx"),
            # The list's keyset order (community.outreach.selectors.EVENT_ORDER): latest held first, id breaking ties.
            models.Index(fields=["agency", "-held_on", "-id"], name="outreach_agency_held_id_idx"),
            models.Index(fields=["-held_on", "-id"], name="outreach_held_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"


class EventParticipant(models.Model):
    """One organisation, contact or member of agency staff taking part in an event.

    Never deleted: removing a participant sets ``removed_at``/``removed_by``, so the event's
    participants as of any instant are the rows added by then and not removed by then.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(OutreachEvent, on_delete=models.PROTECT, related_name="participations")
    organisation = models.ForeignKey(
        "community.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="participations"
    )
    contact = models.ForeignKey(
        "community.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="participations"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(organisation__isnull=False, contact__isnull=True, staff__isnull=True)
                    | Q(organisation__isnull=True, contact__isnull=False, staff__isnull=True)
                    | Q(organisation__isnull=True, contact__isnull=True, staff__isnull=False)
                ),
                name="participant_exactly_one_party",
            ),
            models.UniqueConstraint(
                fields=["event", "organisation"],
                condition=Q(removed_at__isnull=True, organisation__isnull=False),
                name="participant_organisation_once",
            ),
            models.UniqueConstraint(
                fields=["event", "contact"],
                condition=Q(removed_at__isnull=True, contact__isnull=False),
                name="participant_contact_once",
            ),
            models.UniqueConstraint(
                fields=["event", "staff"],
                condition=Q(removed_at__isnull=True, staff__isnull=False),
                name="participant_staff_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Participant {self.public_id} of event {self.event_id}"


def event_material_path(instance, filename: str) -> str:
    """A random storage name (the uploaded name is kept in ``file_name`` only)."""
    return f"outreach-materials/{uuid.uuid4().hex}"


class EventMaterial(models.Model):
    """A flyer, slide deck or handout shared at an event: PDF, PNG or JPEG, stored privately."""

    class Scan(models.TextChoices):
        CLEAN = "clean", "Scanned, clean"
        NOT_SCANNED = "not_scanned", "Not scanned (no scanner configured)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(OutreachEvent, on_delete=models.PROTECT, related_name="materials")
    file = models.FileField(upload_to=event_material_path)
    file_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(help_text="Bytes.")
    sha256 = models.CharField("SHA-256", max_length=64)
    description = models.CharField(max_length=200, blank=True)
    scan = models.CharField(
        max_length=12,
        choices=Scan.choices,
        default=Scan.NOT_SCANNED,
        help_text="The virus scan's verdict; a file the scan flags is refused, never stored.",
    )
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"Material {self.public_id} of event {self.event_id}"
