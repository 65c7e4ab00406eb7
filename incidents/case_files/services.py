"""Attachments to a case: checks, virus scan, private storage (SECURITY.md F8).

Rules:

* PDF, PNG or JPEG only, decided by the content: the file must start with its format's
  signature (magic bytes) and open with a real parser (``training.evidence.services.sniff_content_type``:
  pypdf, Pillow fully decoding), so an executable, an SVG or an HTML page is refused whatever its
  name; the name's extension must then agree with the content (a renamed file is refused).
* At most ``settings.CASE_FILE_MAX_BYTES`` (10 MB) each, checked before the file is read.
* Scanned by ClamAV (``incidents.case_files.scanner``) before it is stored: flagged → stored
  ``quarantined`` (kept as evidence, never served); no scanner configured → ``not_scanned``;
  a configured scanner that cannot answer → the upload is refused (try again), never stored unscanned.
* Stored in the default storage (``PRIVATE_MEDIA_ROOT``, outside the web root) under a random name
  (``case_file_path``); the uploaded name, reduced to its last path component, is kept as metadata only.

``attachment_prepare`` does every check without writing; ``attachment_save`` writes the file, the
row and the timeline line inside the caller's transaction (``complaint_submit`` saves up to three
with the complaint); ``attachment_add`` is the staff upload on the case page (its own transaction).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from compliance.core.audit import acting_as
from incidents.case_files import scanner
from incidents.case_files.models import CaseAttachment
from incidents.incident_log.models import CaseEvent, Incident, case_event_record
from training.evidence.services import clean_original_name, format_size, sniff_content_type

NOT_ACCEPTED = gettext_lazy(
    "“%(name)s” is not a PDF, PNG or JPEG file. Only PDF documents and PNG or JPEG pictures can be attached."
)
TOO_LARGE = gettext_lazy("“%(name)s” is %(size)s; each file may be at most %(limit)s.")
EMPTY = gettext_lazy("“%(name)s” is empty.")
RENAMED = gettext_lazy(
    "“%(name)s” is a %(kind)s file but its name ends in “%(extension)s”. Rename it to end in %(expected)s and "
    "attach it again."
)
UNREADABLE_PDF = gettext_lazy("“%(name)s” is protected by a password or too large to open. Attach a copy without one.")
SCANNER_DOWN = gettext_lazy("“%(name)s” could not be checked for viruses just now. Please try again in a few minutes.")
NO_EXTENSION = gettext_lazy("(no extension)")

NAME_EXTENSIONS = {
    CaseAttachment.ContentType.PDF: (".pdf",),
    CaseAttachment.ContentType.PNG: (".png",),
    CaseAttachment.ContentType.JPEG: (".jpg", ".jpeg"),
}
KIND_NAMES = {
    CaseAttachment.ContentType.PDF: "PDF",
    CaseAttachment.ContentType.PNG: "PNG",
    CaseAttachment.ContentType.JPEG: "JPEG",
}


@dataclass(frozen=True)
class PreparedAttachment:
    """A file that passed every check and the scan, not yet stored."""

    data: bytes
    file_name: str
    content_type: str
    sha256: str
    scan: str


def attachment_prepare(upload, *, field: str = "file") -> PreparedAttachment:
    """Read, check and scan one uploaded file; write nothing.

    Args:
        upload: a Django ``UploadedFile`` (``name``, ``size``, ``read()``).
        field: the form field the errors belong to.

    Returns:
        A ``PreparedAttachment`` (its ``scan``: ``clean``, ``quarantined`` or ``not_scanned``).

    Raises:
        ValidationError: keyed by ``field``, in the active language: empty, over
            ``settings.CASE_FILE_MAX_BYTES`` (checked before reading), not a PDF/PNG/JPEG by content,
            a name whose extension does not match the content, or the configured scanner unavailable.
    """
    limit = settings.CASE_FILE_MAX_BYTES
    name = clean_original_name(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _error(field, TOO_LARGE, name=name, size=format_size(size), limit=format_size(limit))
    upload.seek(0)
    data = upload.read(limit + 1)  # never more than the limit (+1 to notice a larger file)
    if not data:
        raise _error(field, EMPTY, name=name)
    if len(data) > limit:
        raise _error(field, TOO_LARGE, name=name, size=format_size(len(data)), limit=format_size(limit))
    try:
        content_type = sniff_content_type(data)
    except ValidationError:  # a password-protected PDF, or an image of too many pixels
        raise _error(field, UNREADABLE_PDF, name=name) from None
    if content_type is None:
        raise _error(field, NOT_ACCEPTED, name=name)
    extension = PurePosixPath(name.lower()).suffix
    expected = NAME_EXTENSIONS[content_type]
    if extension not in expected:
        raise _error(
            field,
            RENAMED,
            name=name,
            kind=KIND_NAMES[content_type],
            extension=extension or str(NO_EXTENSION),
            expected=" / ".join(expected),
        )
    try:
        verdict = scanner.scan_bytes(data)
    except scanner.ScanUnavailable:
        raise _error(field, SCANNER_DOWN, name=name) from None
    return PreparedAttachment(
        data=data,
        file_name=name[:200],
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        scan=verdict,
    )


def attachment_save(
    *, incident: Incident, prepared: PreparedAttachment, actor, from_public: bool = False
) -> CaseAttachment:
    """Store ``prepared`` on ``incident`` and write its timeline line; call inside the caller's transaction.

    The file is written first (random name); if the row cannot be written the file is removed.
    The caller removes the files of a transaction it rolls back (``attachment_files_remove``).

    Args:
        incident: the case.
        prepared: from ``attachment_prepare``.
        actor: the uploading user, or None for the complainant.
        from_public: sent by the complainant with the complaint.

    Returns:
        The new ``CaseAttachment``.
    """
    now = timezone.now()
    attachment = CaseAttachment(
        incident=incident,
        file_name=prepared.file_name,
        content_type=prepared.content_type,
        size=len(prepared.data),
        sha256=prepared.sha256,
        scan=prepared.scan,
        uploaded_at=now,
        uploaded_by=actor,
        from_public=from_public,
    )
    attachment.file.save("upload", ContentFile(prepared.data), save=False)  # the name is ignored (random)
    try:
        attachment.save()
        case_event_record(
            incident=incident,
            kind=CaseEvent.Kind.ATTACHMENT_ADDED,
            actor=actor,
            text=f"{KIND_NAMES[prepared.content_type]}, {format_size(len(prepared.data))}"
            + (" (quarantined by the virus scan)" if prepared.scan == scanner.FOUND else ""),
            at=now,
        )
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def attachment_files_remove(attachments: list[CaseAttachment]) -> None:
    """Delete the stored files of ``attachments`` whose rows were rolled back (no orphan files)."""
    for attachment in attachments:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)


def attachment_add(*, incident: Incident, upload, actor) -> CaseAttachment:
    """Staff attach a file to a case from the case page (the caller checked CHANGE in its agency).

    Args:
        incident: the case.
        upload: the uploaded file.
        actor: the signed-in user (``uploaded_by``, timeline author).

    Returns:
        The new ``CaseAttachment``.

    Raises:
        ValidationError: keyed by ``"file"`` (see ``attachment_prepare``); nothing is written.
    """
    prepared = attachment_prepare(upload)
    saved: list[CaseAttachment] = []
    try:
        with transaction.atomic(), acting_as(actor, reason="Attachment added"):
            saved.append(attachment_save(incident=incident, prepared=prepared, actor=actor))
    except BaseException:
        attachment_files_remove(saved)
        raise
    return saved[0]


def attachment_downloadable(attachment: CaseAttachment) -> bool:
    """False for a file the virus scan flagged (never served) or one without a stored file."""
    return attachment.scan != CaseAttachment.Scan.QUARANTINED and bool(attachment.file.name)


def attachment_download_name(attachment: CaseAttachment) -> str:
    """The name offered for download: the uploaded name, ending in its real type's extension."""
    name = clean_original_name(attachment.file_name)
    expected = NAME_EXTENSIONS.get(attachment.content_type, (".bin",))
    return name if PurePosixPath(name.lower()).suffix in expected else name + expected[0]


def _error(field: str, message, **values) -> ValidationError:
    return ValidationError({field: str(message) % values})  # the lazy message, in the active language
