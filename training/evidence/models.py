"""Certificate files: the scanned or issued certificate behind a certification (SECURITY.md F8)."""

import uuid

from django.conf import settings
from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.models import AgencyScopedModel
from training.roster.models import Certification


def certificate_file_path(instance, filename: str) -> str:
    """Storage name of a certificate file: random, with the extension of the checked content type.

    The uploaded name never reaches the file system (no ``../`` tricks, no
    personal data in paths, SECURITY.md F8); it is kept in ``original_name``.
    """
    extension = CertificateFile.EXTENSIONS.get(instance.content_type, "")
    return f"certificates/{uuid.uuid4().hex}{extension}"


class CertificateFile(AgencyScopedModel):
    """A scanned or issued certificate proving a certification (PDF, PNG or JPEG).

    Never changed or deleted: attaching a new file to the same certification
    adds a row, and the latest one is the certificate in force; earlier ones
    stay as history and remain downloadable. The bytes live in the default
    (private) storage, outside the web root, served only by
    ``training.evidence.views.certificate_download`` after the agency check.
    """

    class MediaType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        PNG = "image/png", "PNG image"
        JPEG = "image/jpeg", "JPEG image"

    EXTENSIONS = {MediaType.PDF: ".pdf", MediaType.PNG: ".png", MediaType.JPEG: ".jpg"}

    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="certificate_files")
    file = models.FileField(upload_to=certificate_file_path, max_length=200)
    original_name = models.CharField(max_length=255, help_text="The uploaded file's name, as metadata only.")
    content_type = models.CharField(max_length=40, choices=MediaType.choices, help_text="Decided by the content.")
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Officer page and attach page: a certification's files, newest first.
            models.Index(fields=["certification", "-created_at"], name="certfile_certification_idx"),
        ]

    def __str__(self) -> str:
        return f"Certificate file {self.public_id}"
