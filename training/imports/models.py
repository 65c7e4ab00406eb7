"""Roster imports: an uploaded roster file waiting for its uploader to confirm the preview (``PendingImport``)."""

import uuid

from django.db import models

from compliance.core.uploads.models import PendingUpload, UploadFormat, UploadStatus


def pending_import_path(instance, filename: str) -> str:
    """Storage name of an uploaded roster file: a random name, never the user's (no path tricks)."""
    return f"roster-imports/{instance.agency.public_id}/{uuid.uuid4().hex}.{instance.file_format}"


class PendingImport(PendingUpload):
    """A roster file uploaded for import, waiting for its uploader to confirm the preview.

    The bytes live in the default (private) storage, outside the web root, and
    are never served. Only the uploader can confirm, which re-validates from the
    stored bytes (``sha256`` checked); the file is deleted once the import is
    confirmed or discarded, or after ``expires_at``. The row stays as a record of
    who uploaded which file (no personal data in it). The columns every upload
    shares (uploader, encoding, ``sha256``, ``finished_at``) come from
    ``compliance.core.uploads.models.PendingUpload``.
    """

    file = models.FileField(upload_to=pending_import_path, max_length=200, blank=True)
    file_name = models.CharField(max_length=200, help_text="The uploaded file's base name, as recorded in history.")
    file_format = models.CharField(max_length=4, choices=UploadFormat.choices)
    size = models.PositiveIntegerField(help_text="Bytes.")
    status = models.CharField(max_length=10, choices=UploadStatus.choices, default=UploadStatus.PENDING)
    expires_at = models.DateTimeField()
    only_valid_rows = models.BooleanField(default=False, help_text="The uploader chose to skip the rows with errors.")

    class Meta(PendingUpload.Meta):
        indexes = [
            # The purge of expired uploads: pending rows by expiry.
            models.Index(fields=["status", "expires_at"], name="pending_import_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"Roster upload {self.file_name} ({self.get_status_display()})"
