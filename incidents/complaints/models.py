"""The complainant's contact details: personal data, seen only by the investigator and supervisors (access-logged)."""

from __future__ import annotations

from django.core.validators import validate_email
from django.db import models

from compliance.core.crypto.fields import EncryptedCharField


class ComplaintContact(models.Model):
    """How to reach the person who filed a public complaint; no row for an anonymous complaint.

    Never shown on the public status page, in e-mails to staff, in URLs or in logs.
    ``language`` is the complainant's preferred language (a ``settings.LANGUAGES`` code):
    notices to them are written in it.
    """

    incident = models.OneToOneField("incidents.Incident", on_delete=models.PROTECT, related_name="contact")
    # Encrypted (compliance.core.crypto; SECURITY.md E4): never looked up, only shown to those who may see them.
    name = EncryptedCharField(max_length=200, blank=True, purpose="complaint_contact.name")
    email = EncryptedCharField(
        max_length=254, blank=True, validators=[validate_email], purpose="complaint_contact.email"
    )
    phone = EncryptedCharField(max_length=40, blank=True, purpose="complaint_contact.phone")
    language = models.CharField(max_length=10, default="en")

    def __str__(self) -> str:
        return f"Contact for case {self.incident_id}"

    @property
    def reachable(self) -> bool:
        """An e-mail address to send notices to."""
        return bool(self.email)
