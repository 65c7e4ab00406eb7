"""Community outreach: meetings, steering committee sessions, follow-ups."""

from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.models import AgencyScopedModel


class OutreachEvent(AgencyScopedModel):
    """A community meeting, steering-committee session or presentation (DOMAIN.md R3.6)."""

    class Kind(models.TextChoices):
        COMMUNITY_MEETING = "community_meeting", "Community meeting"
        STEERING_COMMITTEE = "steering_committee", "Steering committee"
        PRESENTATION = "presentation", "Presentation"
        MEDIA = "media", "Media briefing"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    location = models.CharField(max_length=200, blank=True)
    attendance = models.PositiveIntegerField(null=True, blank=True)
    summary = models.TextField(blank=True, help_text="What was said; minutes for a steering committee.")
    follow_up = models.TextField(blank=True, help_text="What the agency promised to do next.")
    follow_up_due_on = models.DateField(null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-held_on"]
        indexes = [
            models.Index(fields=["agency", "held_on"], name="outreach_agency_held_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"
