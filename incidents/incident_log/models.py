"""Incidents and complaints, each reviewed by a supervisor and closed with findings; one may name a detainer."""

from django.conf import settings
from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.models import AgencyScopedModel, Severity
from incidents.detainers.models import Detainer


class IncidentQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Incident.Status.CLOSED)


class Incident(AgencyScopedModel):
    """An incident or complaint, reviewed by a supervisor and closed with findings."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", "Complaint"
        USE_OF_FORCE = "use_of_force", "Use of force"
        HOLD_VIOLATION = "hold_violation", "Hold past deadline"
        SCOPE_VIOLATION = "scope_violation", "Action outside the agreement"
        CITIZENSHIP_CLAIM = "citizenship_claim", "U.S.-citizenship claim"
        OTHER = "other", "Other"

    Severity = Severity

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UNDER_REVIEW = "under_review", "Under supervisor review"
        CLOSED = "closed", "Closed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    detainer = models.ForeignKey(Detainer, null=True, blank=True, on_delete=models.PROTECT, related_name="incidents")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    findings = models.TextField(blank=True)
    corrective_action = models.TextField(blank=True)

    objects = IncidentQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["agency", "status", "severity"], name="incident_agency_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title
