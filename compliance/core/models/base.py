"""Abstract bases: timestamps, a public id for URLs, and the owning agency."""

import uuid

from django.db import models


class Severity(models.TextChoices):
    """How serious a finding or an incident is; shared so the two always agree."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AgencyScopedModel(TimeStampedModel):
    """A record that belongs to exactly one agency and is addressed by a random UUID.

    URLs use ``public_id``, never the integer key, so ids cannot be guessed
    across agencies (DESIGN.md, Safety). Every view reaches these rows through
    ``compliance.core.access``.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("compliance.Agency", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True
