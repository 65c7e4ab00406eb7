"""Organisations and the people the agency deals with in them, kept per agency."""

from __future__ import annotations

from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.models import AgencyScopedModel
from compliance.core.names import NameKeyField


class Organisation(AgencyScopedModel):
    """A community group, consulate, legal-aid provider, faith group, school, media outlet or other body."""

    class Kind(models.TextChoices):
        COMMUNITY_GROUP = "community_group", "Community group"
        CONSULATE = "consulate", "Consulate"
        LEGAL_AID = "legal_aid", "Legal-aid provider"
        FAITH = "faith", "Faith group"
        SCHOOL = "school", "School"
        MEDIA = "media", "Media"
        GOVERNMENT = "government", "Government body"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    name_key = NameKeyField(source="name")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    website = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    active = models.BooleanField(default=True, help_text="Inactive organisations stay on past events.")

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name_key"], name="organisation_unique_agency_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(AgencyScopedModel):
    """A person the agency deals with in the community (not a subject of any record)."""

    name = models.CharField(max_length=200)
    name_key = NameKeyField(source="name")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    role = models.CharField(max_length=120, blank=True, help_text="Their role or title, e.g. 'Director'.")
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    languages = models.CharField(max_length=200, blank=True, help_text="Languages they prefer, e.g. 'Spanish'.")
    notes = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["agency", "name_key"], name="contact_agency_name_idx")]

    def __str__(self) -> str:
        return self.name
