"""A detainer-log upload kept between its preview and the uploader's confirmation.

Same two-request flow as the roster (``training.imports.pending``): the bytes wait
in the private default storage in a pending ``DetainerImport``; the confirmation
re-reads them (``sha256`` checked) and imports with
``incidents.detainer_import.services.detainer_events_import``. Nothing a browser posts
except the user's choice is trusted.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from compliance.core.audit import acting_as
from compliance.core.uploads.tables import TableFileError, table_format
from incidents.detainer_import.models import DetainerImport
from incidents.detainer_import.services import (
    EventsImportResult,
    EventsPreview,
    detainer_events_import,
    detainer_events_preview,
)


class UploadGone(Exception):
    """The upload was imported, discarded, or its stored bytes are missing or changed."""


def upload_create(*, actor, agency, data: bytes, file_name: str, encoding: str = "utf-8") -> DetainerImport:
    """Store an uploaded detainer-log file for ``actor`` to preview and confirm (the caller checked permission)."""
    try:
        file_format = table_format(data, file_name)
    except TableFileError:
        file_format = DetainerImport.Format.CSV  # the preview says why it cannot be read
    upload = DetainerImport(
        agency=agency,
        uploaded_by=actor,
        file_name=file_name.replace("\\", "/").rsplit("/", 1)[-1][:200],
        file_format=file_format,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    upload.file.save("upload", ContentFile(data), save=False)
    try:
        with acting_as(actor, reason="Detainer-log file uploaded for preview"):
            upload.save()
    except Exception:
        upload.file.delete(save=False)
        raise
    return upload


def upload_data(upload: DetainerImport) -> bytes:
    """The stored bytes of a pending upload, checked against its ``sha256``. Raises ``UploadGone``."""
    if upload.status != DetainerImport.Status.PENDING or not upload.file:
        raise UploadGone("This upload is no longer available; upload the file again.")
    try:
        with upload.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        raise UploadGone("The uploaded file is no longer stored; upload it again.") from None
    if hashlib.sha256(data).hexdigest() != upload.sha256:
        raise UploadGone("The stored file does not match the upload; upload it again.")
    return data


def upload_preview(*, upload: DetainerImport) -> EventsPreview:
    """The preview of a pending upload from its stored bytes. Raises ``UploadGone``."""
    return detainer_events_preview(
        agency=upload.agency, data=upload_data(upload), file_name=upload.file_name, encoding=upload.encoding
    )


def upload_confirm(*, actor, upload: DetainerImport, only_valid_rows: bool) -> EventsImportResult:
    """Import a pending upload as its uploader chose; its file is deleted once imported.

    Raises:
        UploadGone: see ``upload_data``.
        PermissionError: ``actor`` is not the uploader.
    """
    if actor.pk != upload.uploaded_by_id:
        raise PermissionError("Only the user who uploaded the file can import it.")
    with transaction.atomic():
        # Locked: a double click imports once.
        upload = DetainerImport.objects.select_for_update().select_related("agency").get(pk=upload.pk)
        data = upload_data(upload)
        result = detainer_events_import(
            actor=actor,
            agency=upload.agency,
            data=data,
            file_name=upload.file_name,
            encoding=upload.encoding,
            only_valid_rows=only_valid_rows,
            pending=upload,
        )
        if result.ok:
            transaction.on_commit(lambda: _delete_file(upload))
    return result


def upload_discard(*, actor, upload: DetainerImport) -> None:
    """The uploader drops a pending upload: nothing imported, file deleted. Raises PermissionError for others."""
    if actor.pk != upload.uploaded_by_id:
        raise PermissionError("Only the user who uploaded the file can discard it.")
    with transaction.atomic(), acting_as(actor, reason="Detainer-log upload discarded"):
        upload = DetainerImport.objects.select_for_update().get(pk=upload.pk)
        if upload.status != DetainerImport.Status.PENDING:
            return
        upload.status = DetainerImport.Status.DISCARDED
        upload.finished_at = timezone.now()
        upload.save()
        transaction.on_commit(lambda: _delete_file(upload))


def _delete_file(upload: DetainerImport) -> None:
    if upload.file:
        upload.file.delete(save=False)
        # The file field only; no history row for a storage clean-up.
        upload.save_without_historical_record(update_fields=["file"])
