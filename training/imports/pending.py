"""Keeping an uploaded roster file between its preview and the uploader's confirmation.

The import page works in two requests (issue 3, item 5): the upload shows a
preview of every row; a second request imports. The file's bytes are kept in
the private default storage (``PendingImport``), never in the session or in
hidden form fields, and the confirmation re-validates those stored bytes: the
rows a browser posts are never trusted. The ``sha256`` taken at upload is
checked before the bytes are used.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from compliance.core.uploads.tables import TableFileError, table_format
from training.imports.models import PendingImport
from training.imports.services import RosterImportResult, RosterPreview, file_base_name, roster_import, roster_preview

# How long an upload waits for its confirmation.
PENDING_IMPORT_HOURS = 24


class PendingImportGone(Exception):
    """The upload expired, was already used, or its stored bytes no longer match (nothing imported)."""


def pending_import_create(*, actor, agency, data: bytes, file_name: str, encoding: str = "utf-8") -> PendingImport:
    """Store an uploaded roster file for ``actor`` to preview and confirm.

    Args:
        actor: the uploader; the caller checked they may change records in ``agency``.
        agency: the agency the import is for.
        data: the file's bytes (the form checked the size limit).
        file_name: the uploaded name; only its base name is kept.
        encoding: the CSV encoding the user chose ("utf-8" or "cp1252").

    Returns:
        The saved ``PendingImport`` (expires after ``PENDING_IMPORT_HOURS``).
        Expired uploads of every user are purged on the way (their files deleted).
    """
    pending_imports_purge()
    try:
        file_format = table_format(data, file_name)
    except TableFileError:
        file_format = PendingImport.Format.CSV  # an .xls or a fake .xlsx: the preview says why
    pending = PendingImport(
        agency=agency,
        uploaded_by=actor,
        file_name=file_base_name(file_name)[:200],
        file_format=file_format,
        encoding=encoding,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        expires_at=timezone.now() + timedelta(hours=PENDING_IMPORT_HOURS),
    )
    pending.file.save("upload", ContentFile(data), save=False)
    try:
        pending.save()
    except Exception:
        pending.file.delete(save=False)  # no row, no file
        raise
    return pending


def pending_import_data(pending: PendingImport) -> bytes:
    """The stored bytes of a pending upload, checked against the hash taken at upload.

    Raises:
        PendingImportGone: not pending any more, expired, the file is missing, or
            its bytes changed.
    """
    if pending.status != PendingImport.Status.PENDING or pending.expires_at <= timezone.now() or not pending.file:
        raise PendingImportGone("This upload is no longer available; upload the file again.")
    try:
        with pending.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        raise PendingImportGone("The uploaded file is no longer stored; upload it again.") from None
    if hashlib.sha256(data).hexdigest() != pending.sha256:
        raise PendingImportGone("The stored file does not match the upload; upload it again.")
    return data


def pending_import_preview(*, pending: PendingImport) -> RosterPreview:
    """The preview of a pending upload, computed now from its stored bytes (no writes to the roster).

    Raises:
        PendingImportGone: see ``pending_import_data``.
    """
    data = pending_import_data(pending)
    return roster_preview(agency=pending.agency, data=data, file_name=pending.file_name, encoding=pending.encoding)


def pending_import_confirm(
    *, actor, pending: PendingImport, only_valid_rows: bool, expected_digest: str
) -> RosterImportResult:
    """Import a pending upload, re-validated from its stored bytes, as its uploader chose.

    Args:
        actor: must be the uploader (the view answers 404 to anyone else).
        pending: a ``PendingImport`` in status pending.
        only_valid_rows: False — all or nothing (refused while any row has an
            error); True — the user's explicit choice to skip the bad rows.
        expected_digest: the digest of the preview the user confirmed; if the
            fresh preview differs, nothing is imported (``result.stale``).

    Returns:
        The ``RosterImportResult``. When it is ``ok`` the upload is marked
        imported and its file deleted; otherwise it stays pending.

    Raises:
        PendingImportGone: see ``pending_import_data``.
        PermissionError: ``actor`` is not the uploader.
    """
    if actor.pk != pending.uploaded_by_id:
        raise PermissionError("Only the user who uploaded the file can import it.")
    with transaction.atomic():
        # Lock the upload: two confirmations (a double click, two tabs) import once.
        pending = PendingImport.objects.select_for_update().select_related("agency").get(pk=pending.pk)
        data = pending_import_data(pending)
        result = roster_import(
            actor=actor,
            agency=pending.agency,
            data=data,
            file_name=pending.file_name,
            encoding=pending.encoding,
            only_valid_rows=only_valid_rows,
            expected_digest=expected_digest,
        )
        if result.ok:
            pending.status = PendingImport.Status.IMPORTED
            pending.only_valid_rows = only_valid_rows
            pending.finished_at = timezone.now()
            pending.save(update_fields=["status", "only_valid_rows", "finished_at", "updated_at"])
            transaction.on_commit(lambda: _delete_file(pending))
    return result


def pending_import_discard(*, actor, pending: PendingImport) -> None:
    """The uploader drops a pending upload: nothing is imported and the file is deleted.

    Raises:
        PermissionError: ``actor`` is not the uploader.
    """
    if actor.pk != pending.uploaded_by_id:
        raise PermissionError("Only the user who uploaded the file can discard it.")
    with transaction.atomic():
        pending = PendingImport.objects.select_for_update().get(pk=pending.pk)
        if pending.status != PendingImport.Status.PENDING:
            return
        pending.status = PendingImport.Status.DISCARDED
        pending.finished_at = timezone.now()
        pending.save(update_fields=["status", "finished_at", "updated_at"])
        transaction.on_commit(lambda: _delete_file(pending))


def pending_imports_purge(*, now=None) -> int:
    """Mark pending uploads past ``expires_at`` expired and delete their files. Returns how many."""
    now = now or timezone.now()
    expired = list(PendingImport.objects.filter(status=PendingImport.Status.PENDING, expires_at__lte=now))
    for pending in expired:
        pending.status = PendingImport.Status.EXPIRED
        pending.finished_at = now
        pending.save(update_fields=["status", "finished_at", "updated_at"])
        _delete_file(pending)
    return len(expired)


def _delete_file(pending: PendingImport) -> None:
    if pending.file:
        pending.file.delete(save=False)
        PendingImport.objects.filter(pk=pending.pk).update(file="")
