"""Certificate files attached to certifications: checks, storage, versions (SECURITY.md F8).

Rules:

* Accepted: PDF, PNG and JPEG, decided by the content, never by the name or the
  browser's declared type: the file must start with the format's signature
  (magic bytes) *and* open with a real parser (pypdf for PDF, Pillow for
  images, fully decoded), so an executable or an HTML page renamed ``.pdf``, or
  a file that only starts like a PDF, is refused. The name's extension must
  then agree with the content (SECURITY.md F8: "magic bytes match the extension").
* At most ``settings.CERTIFICATE_MAX_BYTES`` (default 5 MiB), checked before the
  file is read.
* Stored in the default storage (``PRIVATE_MEDIA_ROOT``, outside the web root)
  under a random name (``training.evidence.models.certificate_file_path``); the uploaded
  name is kept only as metadata, reduced to its last path component.
* Never replaced in place: a new file is a new ``CertificateFile`` row; the
  latest is the one in force and the earlier ones stay, downloadable, as history.

Not done here: a virus scan (SECURITY.md F8 names ClamAV). The files are served
only as attachments with ``nosniff``, never rendered by the app.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from PIL import Image, UnidentifiedImageError

from compliance.core.audit import acting_as
from training.evidence.models import CertificateFile
from training.roster.models import Certification

logger = logging.getLogger(__name__)

NOT_ACCEPTED_TYPE = "This file is not a PDF, PNG or JPEG. Attach the certificate as a PDF, PNG or JPEG file."
TOO_LARGE = "This file is {size}; a certificate file may be at most {limit}."
EMPTY_FILE = "This file is empty."
NAME_DOES_NOT_MATCH = (
    "This file is a {kind} but its name ends in “{extension}”. Rename it to end in {expected} and attach it again."
)
PDF_PROTECTED = "This PDF is protected by a password. Attach a copy without a password."
IMAGE_TOO_MANY_PIXELS = (
    "This image is {megapixels} megapixels; a certificate image may be at most {limit} megapixels. "
    "Scan it at a lower resolution (300 dpi is enough)."
)

# A page scanned at 600 dpi is about 35 megapixels. The cap keeps a small, highly
# compressed file from expanding to gigabytes when it is decoded (a "pixel bomb").
MAX_IMAGE_PIXELS = 50_000_000

PDF_SIGNATURE = b"%PDF-"
# The name extensions accepted for each content type (compared lower-cased).
NAME_EXTENSIONS = {
    CertificateFile.MediaType.PDF: (".pdf",),
    CertificateFile.MediaType.PNG: (".png",),
    CertificateFile.MediaType.JPEG: (".jpg", ".jpeg"),
}
_PILLOW_FORMATS = {"PNG": CertificateFile.MediaType.PNG, "JPEG": CertificateFile.MediaType.JPEG}
_FALLBACK_NAME = "certificate"


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed ``certificate_file_check``: its media type, clean name, size and hash."""

    content_type: str
    original_name: str
    size_bytes: int
    sha256: str


def format_size(size_bytes: int) -> str:
    """``5242880`` → ``"5 MB"``, ``5242881`` → ``"5.1 MB"``, ``900`` → ``"900 bytes"`` (1 MB = 1,048,576 bytes).

    Rounded up, so a file over a limit never reads as the limit itself.
    """
    if size_bytes < 1024:
        return f"{size_bytes:,} bytes"
    if size_bytes < 1024 * 1024:
        return f"{math.ceil(size_bytes / 1024):,} KB"
    tenths = math.ceil(size_bytes * 10 / (1024 * 1024))
    return f"{tenths // 10} MB" if tenths % 10 == 0 else f"{tenths / 10:.1f} MB"


def clean_original_name(name: str) -> str:
    """The uploaded name reduced to something safe to keep and to offer as a download name.

    Keeps only the last path component (``../../etc/x.pdf`` → ``x.pdf``, also with
    backslashes), drops control and formatting characters (no header injection,
    no right-to-left override tricks), trims to 150 characters keeping the
    extension. Returns ``"certificate"`` when nothing is left.
    """
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(base) > 150:
        stem, dot, extension = base.rpartition(".")
        base = f"{stem[: 140 - len(extension)]}.{extension}" if dot and len(extension) <= 8 else base[:150]
    return base or _FALLBACK_NAME


def sniff_content_type(data: bytes) -> str | None:
    """The media type of ``data`` if it really is a PDF, PNG or JPEG, else None.

    A PDF must start with ``%PDF-`` and parse with pypdf with at least one page;
    an image must be recognised by Pillow (PNG or JPEG only) and decode fully.

    Raises:
        ValidationError: a PDF protected by a password (nobody could read it
            later), or an image of more than ``MAX_IMAGE_PIXELS`` pixels.
    """
    if data.startswith(PDF_SIGNATURE):
        return CertificateFile.MediaType.PDF if _opens_as_pdf(data) else None
    return _image_type(data)


def _opens_as_pdf(data: bytes) -> bool:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # an owner password only ("no editing") opens with ""
            except DependencyError:
                # AES needs the optional ``cryptography`` package, which we do not ship:
                # the file parsed as a PDF (header, cross-reference table, trailer), accept it.
                return True
            if not opened:
                raise ValidationError({"file": PDF_PROTECTED})
        return len(reader.pages) > 0
    except ValidationError:
        raise
    except PdfReadError:
        return False
    except Exception as exc:  # a hostile file can make a parser fail in any way: it is "not a PDF"
        logger.info("Certificate upload refused: PDF parser raised %s", type(exc).__name__)
        return False


def _image_type(data: bytes) -> str | None:
    try:
        with Image.open(io.BytesIO(data), formats=list(_PILLOW_FORMATS)) as image:
            content_type = _PILLOW_FORMATS.get(image.format or "")
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    {
                        "file": IMAGE_TOO_MANY_PIXELS.format(
                            megapixels=round(width * height / 1_000_000), limit=MAX_IMAGE_PIXELS // 1_000_000
                        )
                    }
                )
            image.verify()  # structure and checksums (PNG CRCs)
        with Image.open(io.BytesIO(data), formats=list(_PILLOW_FORMATS)) as image:
            image.load()  # decodes every pixel: a truncated or corrupt image fails here
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    return content_type


def certificate_file_check(*, data: bytes, name: str) -> CheckedFile:
    """Check an uploaded certificate file; return what is kept about it.

    Args:
        data: the whole file (already known to be within the size limit).
        name: the uploaded file's name, as the browser sent it (any path is dropped).

    Returns:
        A ``CheckedFile``.

    Raises:
        ValidationError: keyed by ``"file"``: empty, too large, not a PDF/PNG/JPEG
            by content, password-protected PDF, or a name whose extension does not
            match the content.
    """
    limit = settings.CERTIFICATE_MAX_BYTES
    if not data:
        raise ValidationError({"file": EMPTY_FILE})
    if len(data) > limit:
        raise ValidationError({"file": TOO_LARGE.format(size=format_size(len(data)), limit=format_size(limit))})
    content_type = sniff_content_type(data)
    if content_type is None:
        raise ValidationError({"file": NOT_ACCEPTED_TYPE})
    original_name = clean_original_name(name)
    extension = PurePosixPath(original_name.lower()).suffix
    expected = NAME_EXTENSIONS[content_type]
    if extension not in expected:
        kind = CertificateFile.MediaType(content_type).label
        raise ValidationError(
            {
                "file": NAME_DOES_NOT_MATCH.format(
                    kind=kind, extension=extension or "(no extension)", expected=" or ".join(expected)
                )
            }
        )
    return CheckedFile(
        content_type=content_type,
        original_name=original_name,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def certificate_attach(*, actor, certification: Certification, upload) -> CertificateFile:
    """Attach a certificate file to ``certification``; an earlier file stays as history.

    Args:
        actor: the user attaching it (history author, ``uploaded_by``); the caller
            checked ``actor`` may change records in the certification's agency.
        certification: the certification the file proves.
        upload: a Django ``File``/``UploadedFile`` (``name``, ``size``, ``read()``).

    Returns:
        The new ``CertificateFile`` (the one now in force).

    Raises:
        ValidationError: keyed by ``"file"`` (see ``certificate_file_check``).
            The size is checked before anything is read.
    """
    limit = settings.CERTIFICATE_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError({"file": TOO_LARGE.format(size=format_size(size), limit=format_size(limit))})
    upload.seek(0)
    data = upload.read(limit + 1)  # never more than the limit (+1 to notice a larger file)
    checked = certificate_file_check(data=data, name=upload.name)
    record = CertificateFile(
        agency_id=certification.agency_id,
        certification=certification,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size_bytes=checked.size_bytes,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    # The name passed here is ignored by ``certificate_file_path`` (random name).
    record.file.save(CertificateFile.EXTENSIONS[checked.content_type], ContentFile(data), save=False)
    try:
        with transaction.atomic(), acting_as(actor, reason="Certificate file attached"):
            record.save()
    except BaseException:
        record.file.storage.delete(record.file.name)  # no orphan file when the row is not written
        raise
    return record


def certificate_download_name(certificate_file: CertificateFile) -> str:
    """The name offered for download: the uploaded name, with the extension of its real type."""
    name = clean_original_name(certificate_file.original_name)
    if PurePosixPath(name.lower()).suffix in NAME_EXTENSIONS[certificate_file.content_type]:
        return name
    return name + CertificateFile.EXTENSIONS[certificate_file.content_type]


def with_certificate_files(certifications: Iterable[Certification]) -> None:
    """Load each certification's files, newest first, as ``certificate_file_versions``. One query.

    ``certificate_file_versions[0]`` is the file in force. For the officer page.
    """
    prefetch_related_objects(
        list(certifications),
        Prefetch(
            "certificate_files",
            queryset=CertificateFile.objects.select_related("uploaded_by").order_by("-created_at", "-pk"),
            to_attr="certificate_file_versions",
        ),
    )
