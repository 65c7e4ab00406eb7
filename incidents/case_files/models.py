"""An attachment to a case: stored privately under a random name, read only through a permission check."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


def case_file_path(instance, filename: str) -> str:
    """A random storage name (the uploaded name is kept in ``file_name`` only, never in the path)."""
    return f"case-files/{uuid.uuid4().hex}"


class CaseAttachment(models.Model):
    """A PDF, PNG or JPEG attached to a case by the complainant or by staff."""

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        PNG = "image/png", "PNG image"
        JPEG = "image/jpeg", "JPEG image"

    class Scan(models.TextChoices):
        PENDING = "pending", "Waiting for the virus scan"
        CLEAN = "clean", "Scanned, clean"
        QUARANTINED = "quarantined", "Quarantined (the virus scan flagged it)"
        NOT_SCANNED = "not_scanned", "Not scanned (no scanner configured)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=case_file_path, blank=True)
    file_name = models.CharField(max_length=200, help_text="The uploaded base name, cleaned.")
    content_type = models.CharField(max_length=20, choices=ContentType.choices)
    size = models.PositiveIntegerField(help_text="Bytes.")
    sha256 = models.CharField("SHA-256", max_length=64)
    scan = models.CharField(max_length=12, choices=Scan.choices, default=Scan.PENDING)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_public = models.BooleanField(default=False, help_text="Sent by the complainant with the complaint.")

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"Attachment {self.public_id} on case {self.incident_id}"
