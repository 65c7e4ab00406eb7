"""Officers, courses and certifications: who may use delegated 287(g) authority."""

import uuid

from django.conf import settings
from django.db import models

from compliance.core.models import AgencyScopedModel


def pending_import_path(instance, filename: str) -> str:
    """Storage name of an uploaded roster file: a random name, never the user's (no path tricks)."""
    return f"roster-imports/{instance.agency.public_id}/{uuid.uuid4().hex}.{instance.file_format}"


class PendingImport(AgencyScopedModel):
    """A roster file uploaded for import, waiting for its uploader to confirm the preview.

    The bytes live in the default (private) storage, outside the web root, and
    are never served. Only the uploader can confirm, which re-validates from the
    stored bytes (``sha256`` checked); the file is deleted once the import is
    confirmed or discarded, or after ``expires_at``. The row stays as a record of
    who uploaded which file (no personal data in it).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        IMPORTED = "imported", "Imported"
        DISCARDED = "discarded", "Discarded"
        EXPIRED = "expired", "Expired"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel workbook"

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=pending_import_path, max_length=200, blank=True)
    file_name = models.CharField(max_length=200, help_text="The uploaded file's base name, as recorded in history.")
    file_format = models.CharField(max_length=4, choices=Format.choices)
    encoding = models.CharField(max_length=10, default="utf-8")
    size = models.PositiveIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    only_valid_rows = models.BooleanField(default=False, help_text="The uploader chose to skip the rows with errors.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The purge of expired uploads: pending rows by expiry.
            models.Index(fields=["status", "expires_at"], name="pending_import_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"Roster upload {self.file_name} ({self.get_status_display()})"
