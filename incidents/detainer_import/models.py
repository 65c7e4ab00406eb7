"""Detainer-log imports: the uploaded file's record (``DetainerImport``) and the statistics events it wrote."""

import uuid

from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.uploads.models import PendingUpload, UploadFormat
from incidents.detainers.lift_reasons import LiftReason


def detainer_import_path(instance, filename: str) -> str:
    """Storage name of an uploaded detainer-log file: random, never the user's name."""
    return f"detainer-imports/{instance.agency.public_id}/{uuid.uuid4().hex}.{instance.file_format}"


class DetainerImport(PendingUpload):
    """One detainer-log file imported (or waiting for its uploader to confirm the preview).

    Records who imported which file (name, ``sha256``, row counts); audited. The
    same file (same ``sha256``) is imported at most once per agency: the
    conditional unique constraint refuses a second import. The bytes wait in
    the private default storage until confirmed or discarded, then are deleted;
    a pending upload does not expire. The columns every upload shares come from
    ``compliance.core.uploads.models.PendingUpload``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        IMPORTED = "imported", "Imported"
        DISCARDED = "discarded", "Discarded"

    file = models.FileField(upload_to=detainer_import_path, max_length=200, blank=True)
    file_name = models.CharField(max_length=200)
    file_format = models.CharField(max_length=4, choices=UploadFormat.choices, default=UploadFormat.CSV)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    only_valid_rows = models.BooleanField(default=False)
    row_count = models.PositiveIntegerField(default=0, help_text="Events imported.")
    rows_skipped = models.PositiveIntegerField(default=0)

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta(PendingUpload.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "sha256"],
                condition=models.Q(status="imported"),
                name="detainer_import_file_once",
            )
        ]

    def __str__(self) -> str:
        return f"Detainer-log import {self.file_name} ({self.get_status_display()})"


class DetainerEvent(models.Model):
    """A historical, facility-level detainer event imported for statistics: no subject data.

    ``lift_reason`` is ICE's current vocabulary (``incidents.detainers.lift_reasons``; blank
    when none was recorded or no current reason matches); ``lift_reason_raw``
    keeps the file's own wording. Not audited row by row (statistics rows,
    written in bulk); the import that wrote them is (``DetainerImport``).
    """

    agency = models.ForeignKey("compliance.Agency", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(DetainerImport, on_delete=models.PROTECT, related_name="events")
    occurred_on = models.DateField()
    lift_reason = models.CharField(max_length=60, choices=LiftReason.choices, blank=True)
    lift_reason_raw = models.CharField(max_length=100, blank=True)
    facility = models.CharField(max_length=120)
    city = models.CharField(max_length=60, blank=True)
    state = models.CharField(max_length=40, blank=True)
    detainer_type = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["occurred_on", "pk"]
        indexes = [models.Index(fields=["agency", "occurred_on"], name="detainer_event_agency_date_idx")]

    def __str__(self) -> str:
        return f"Detainer event {self.occurred_on} at {self.facility}"
