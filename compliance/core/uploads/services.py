"""Keeping an uploaded file between its preview and its uploader's confirmation (the pending-upload service).

An import works in two requests: the upload
shows a preview of every row; a second request imports. The file's bytes are
kept in the private default storage (a ``PendingUpload`` row), never in the
session or in hidden form fields, and the confirmation re-reads those stored
bytes: the rows a browser posts are never trusted, only the user's choice. The
``sha256`` taken at upload is checked before the bytes are used. Only the
uploader confirms or discards. The file is deleted once the upload is
imported, discarded or expired; the row stays as the record of who uploaded
which file.

What differs from one import to the next is an ``UploadKind``: its model, how
its bytes are previewed and imported, how long an upload waits. The roster
(``training.imports.pending``) and the detainer log
(``incidents.detainer_import.pending``) are kinds; so can be the next uploads
(complaint attachments, outreach lists, a JMS batch received by the API).
Moved here from those two modules, which repeated it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from compliance.core.audit import acting_as
from compliance.core.uploads.tables import stored_table_format


class UploadGone(Exception):
    """The upload expired, was already used, or its stored bytes are missing or changed (nothing imported)."""


@dataclass(frozen=True)
class UploadKind:
    """One kind of upload: what the pending-upload service needs to know about it.

    Attributes:
        model: a concrete ``compliance.core.uploads.models.PendingUpload``.
        preview: ``(*, agency, data, file_name, encoding) -> preview``, which
            writes nothing and never raises for bad content; the preview has
            ``readable`` (False: the file as a whole cannot be read) and
            ``digest`` (what the user confirms).
        importer: ``(*, actor, agency, data, file_name, encoding,
            only_valid_rows, expected_digest, pending) -> result``: validates the
            bytes again and writes in one transaction; ``result.ok`` says it did.
            When ``expected_digest`` is not the fresh preview's digest it writes
            nothing and sets ``result.stale``. When ``ok`` it records the import
            on ``pending`` (status imported; its own counts if it keeps any).
        keep_hours: how long an upload waits for its confirmation (its model
            then has ``expires_at`` and the ``EXPIRED`` status); None: until its
            uploader confirms or discards it.
        file_format: ``(data, file_name) -> format`` to record; never raises.
        uploaded_reason, discarded_reason: the history reasons of the upload's
            row, for a model with history.
    """

    model: type[models.Model]
    preview: Callable[..., Any]
    importer: Callable[..., Any]
    keep_hours: int | None = None
    file_format: Callable[[bytes, str], str] = stored_table_format
    uploaded_reason: str | None = None
    discarded_reason: str | None = None


def file_base_name(file_name: str) -> str:
    """The file's base name without any folder (browsers on Windows may send one) or control characters.

    Returns ``"unnamed file"`` when nothing printable is left.
    """
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable()) or "unnamed file"


def pending_upload_create(*, kind: UploadKind, actor, agency, data: bytes, file_name: str, encoding: str = "utf-8"):
    """Store an uploaded file for ``actor`` to preview and confirm.

    Args:
        kind: the kind of upload.
        actor: the uploader; the caller checked they may change records in ``agency``.
        agency: the agency the import is for.
        data: the file's bytes (the form checked the size limit).
        file_name: the uploaded name; only its base name is kept (200 characters at most).
        encoding: the CSV encoding the user chose ("utf-8" or "cp1252").

    Returns:
        The saved ``kind.model`` row, status pending, its bytes in the private
        default storage under a random name. For a kind that expires, it expires
        after ``kind.keep_hours`` and the expired uploads of every user are
        purged first (their files deleted).

    Raises:
        Whatever saving raises; the stored file is deleted again first.
    """
    if kind.keep_hours is not None:
        pending_uploads_purge(kind=kind)
    upload = kind.model(
        agency=agency,
        uploaded_by=actor,
        file_name=file_base_name(file_name)[:200],
        file_format=kind.file_format(data, file_name),
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    if kind.keep_hours is not None:
        upload.expires_at = timezone.now() + timedelta(hours=kind.keep_hours)
    if any(field.name == "size" for field in kind.model._meta.concrete_fields):
        upload.size = len(data)
    upload.file.save("upload", ContentFile(data), save=False)
    try:
        with acting_as(actor, reason=kind.uploaded_reason):
            upload.save()
    except Exception:
        upload.file.delete(save=False)  # no row, no file
        raise
    return upload


def pending_upload_data(*, kind: UploadKind, upload) -> bytes:
    """The stored bytes of a pending upload, checked against the hash taken at upload.

    Raises:
        UploadGone: not pending any more, expired, the file is missing, or its
            bytes changed.
    """
    expired = kind.keep_hours is not None and upload.expires_at <= timezone.now()
    if upload.status != upload.Status.PENDING or expired or not upload.file:
        raise UploadGone("This upload is no longer available; upload the file again.")
    try:
        with upload.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        raise UploadGone("The uploaded file is no longer stored; upload it again.") from None
    if hashlib.sha256(data).hexdigest() != upload.sha256:
        raise UploadGone("The stored file does not match the upload; upload it again.")
    return data


def pending_upload_preview(*, kind: UploadKind, upload):
    """The preview of a pending upload, computed now from its stored bytes (``kind.preview``; writes nothing).

    Raises:
        UploadGone: see ``pending_upload_data``.
    """
    data = pending_upload_data(kind=kind, upload=upload)
    return kind.preview(agency=upload.agency, data=data, file_name=upload.file_name, encoding=upload.encoding)


def pending_upload_confirm(*, kind: UploadKind, actor, upload, only_valid_rows: bool, expected_digest: str | None):
    """Import a pending upload, re-validated from its stored bytes, as its uploader chose.

    Args:
        kind: the kind of upload.
        actor: must be the uploader (the pages answer 404 to anyone else).
        upload: a ``kind.model`` row in status pending.
        only_valid_rows: False — all or nothing (refused while any row has an
            error); True — the user's explicit choice to skip the bad rows.
        expected_digest: the digest of the preview the user confirmed; if the
            fresh preview differs, nothing is imported (``result.stale``).

    Returns:
        ``kind.importer``'s result. When it is ``ok`` the importer marked the
        upload imported and its file is deleted after the commit; otherwise the
        upload stays pending.

    Raises:
        UploadGone: see ``pending_upload_data``.
        PermissionError: ``actor`` is not the uploader.
    """
    if actor.pk != upload.uploaded_by_id:
        raise PermissionError("Only the user who uploaded the file can import it.")
    with transaction.atomic():
        # Lock the upload: two confirmations (a double click, two tabs) import once.
        upload = kind.model.objects.select_for_update().select_related("agency").get(pk=upload.pk)
        data = pending_upload_data(kind=kind, upload=upload)
        result = kind.importer(
            actor=actor,
            agency=upload.agency,
            data=data,
            file_name=upload.file_name,
            encoding=upload.encoding,
            only_valid_rows=only_valid_rows,
            expected_digest=expected_digest,
            pending=upload,
        )
        if result.ok:
            transaction.on_commit(lambda: _delete_file(upload))
    return result


def pending_upload_mark_imported(*, upload, only_valid_rows: bool) -> None:
    """Record on a pending upload that it was imported, as its uploader chose (for an importer to call).

    Saves only the status, ``only_valid_rows`` and ``finished_at``; the caller
    runs it inside the import's transaction.
    """
    upload.status = upload.Status.IMPORTED
    upload.only_valid_rows = only_valid_rows
    upload.finished_at = timezone.now()
    upload.save(update_fields=["status", "only_valid_rows", "finished_at", "updated_at"])


def pending_upload_discard(*, kind: UploadKind, actor, upload) -> None:
    """The uploader drops a pending upload: nothing is imported and the file is deleted after the commit.

    An upload no longer pending is left as it is.

    Raises:
        PermissionError: ``actor`` is not the uploader.
    """
    if actor.pk != upload.uploaded_by_id:
        raise PermissionError("Only the user who uploaded the file can discard it.")
    with transaction.atomic(), acting_as(actor, reason=kind.discarded_reason):
        upload = kind.model.objects.select_for_update().get(pk=upload.pk)
        if upload.status != upload.Status.PENDING:
            return
        upload.status = upload.Status.DISCARDED
        upload.finished_at = timezone.now()
        upload.save(update_fields=["status", "finished_at", "updated_at"])
        transaction.on_commit(lambda: _delete_file(upload))


def pending_uploads_purge(*, kind: UploadKind, now=None) -> int:
    """Mark the pending uploads of ``kind`` past ``expires_at`` expired and delete their files.

    Args:
        kind: a kind with ``keep_hours``.
        now: the time to compare with (default: now).

    Returns:
        How many uploads expired.
    """
    now = now or timezone.now()
    expired = list(kind.model.objects.filter(status=kind.model.Status.PENDING, expires_at__lte=now))
    for upload in expired:
        upload.status = upload.Status.EXPIRED
        upload.finished_at = now
        upload.save(update_fields=["status", "finished_at", "updated_at"])
        _delete_file(upload)
    return len(expired)


def _delete_file(upload) -> None:
    if upload.file:
        upload.file.delete(save=False)
        # The file column only: a storage clean-up writes no history row.
        type(upload).objects.filter(pk=upload.pk).update(file="")
