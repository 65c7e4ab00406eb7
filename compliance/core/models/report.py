"""Requested PDF reports: rendered by a Celery task, stored with their SHA-256."""

from django.conf import settings
from django.db import models

from compliance.core.models.base import AgencyScopedModel


class Report(AgencyScopedModel):
    class Kind(models.TextChoices):
        TRAINING_ROSTER = "training_roster", "Training roster and certification status"
        DETAINER_LOG = "detainer_log", "Detainer log"
        INCIDENT_LOG = "incident_log", "Incidents and complaints"
        OUTREACH = "outreach", "Outreach and steering committee"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=40, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    as_of = models.DateField(help_text="The agency-local date the report describes.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} as of {self.as_of}"
