"""The complainant's contact details: personal data, seen only by the investigator and supervisors (access-logged)."""

from __future__ import annotations

from django.db import models


class ComplaintContact(models.Model):
    """How to reach the person who filed a public complaint; no row for an anonymous complaint.

    Never shown on the public status page, in e-mails to staff, in URLs or in logs.
    ``language`` is the complainant's preferred language (a ``settings.LANGUAGES`` code):
    notices to them are written in it.
    """

    incident = models.OneToOneField("incidents.Incident", on_delete=models.PROTECT, related_name="contact")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    language = models.CharField(max_length=10, default="en")

    def __str__(self) -> str:
        return f"Contact for case {self.incident_id}"

    @property
    def reachable(self) -> bool:
        """An e-mail address to send notices to."""
        return bool(self.email)
