"""The abstract base of an upload kept between its preview and its uploader's confirmation.

Each import keeps its own concrete model, app label and migrations (the
roster's ``training.PendingImport``, the detainer log's
``incidents.DetainerImport``); this base holds the columns they define alike,
so it changes no migration. See ``PendingUpload`` for what a concrete model adds.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from compliance.core.models import AgencyScopedModel


class UploadFormat(models.TextChoices):
    """How an uploaded table was recognised, by its content (``compliance.core.uploads.tables``)."""

    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel workbook"


class UploadStatus(models.TextChoices):
    """Where an upload stands; a kind of upload that never expires leaves ``EXPIRED`` out of its choices."""

    PENDING = "pending", "Waiting for confirmation"
    IMPORTED = "imported", "Imported"
    DISCARDED = "discarded", "Discarded"
    EXPIRED = "expired", "Expired"


class PendingUpload(AgencyScopedModel):
    """A file uploaded into an agency, kept in private storage until its uploader confirms or discards it.

    ``compliance.core.uploads.services`` works on any concrete subclass that adds:

    * ``file``: a ``FileField`` (``blank=True``) whose ``upload_to`` gives a
      random name, never the user's; emptied once the file is deleted;
    * ``file_name`` (the uploaded base name, at most 200 characters),
      ``file_format`` (``UploadFormat`` or the kind's own formats) and
      ``only_valid_rows`` (the uploader's choice, when the upload is imported);
    * ``status`` with choices from ``Status`` (``UploadStatus`` unless the
      subclass declares its own with ``PENDING``, ``IMPORTED``, ``DISCARDED``);
    * ``expires_at`` when its kind expires (``UploadKind.keep_hours``) and,
      optionally, ``size`` (bytes), filled in when present.

    The row stays once the file is gone, as the record of who uploaded which
    file (``sha256``); put no personal data in it.
    """

    Format = UploadFormat
    Status = UploadStatus

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    encoding = models.CharField(max_length=10, default="utf-8")
    sha256 = models.CharField(max_length=64)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
