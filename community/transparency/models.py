"""What an agency publishes on its public transparency page, and from what size a count is shown."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager

#: The smallest threshold an administrator may set: counts below it show as "fewer than N" (issue #12).
MIN_SUPPRESSION_THRESHOLD = 5
DEFAULT_SUPPRESSION_THRESHOLD = 10


def no_sections() -> list[str]:
    return []


class TransparencySettings(models.Model):
    """One agency's publication settings: a draft (sections, threshold) and the live copy the public reads.

    ``sections`` and ``suppression_threshold`` are the administrator's draft: saving them changes only
    the preview. ``published_sections`` and ``published_threshold`` are what the public page and its CSV
    show; only publishing copies the draft into them. Withdrawing hides the page (``published`` false) but
    keeps the live copy. One row per agency, created on first save; without a row nothing is published.
    Every change, publishing and withdrawing included, is a history row with its author.
    """

    agency = models.OneToOneField("compliance.Agency", on_delete=models.PROTECT, related_name="transparency")
    sections = models.JSONField(default=no_sections, help_text="Keys of the sections shown on the public page.")
    suppression_threshold = models.PositiveSmallIntegerField(
        default=DEFAULT_SUPPRESSION_THRESHOLD,
        validators=[MinValueValidator(MIN_SUPPRESSION_THRESHOLD), MaxValueValidator(100)],
        help_text="Any count from 1 to one less than this shows as 'fewer than' it.",
    )
    published_sections = models.JSONField(
        default=no_sections,
        help_text="Keys of the sections the public page shows (copied from the draft on publishing).",
    )
    published_threshold = models.PositiveSmallIntegerField(
        default=DEFAULT_SUPPRESSION_THRESHOLD,
        help_text="The threshold the public page uses (copied from the draft on publishing).",
    )
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name_plural = "transparency settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(suppression_threshold__gte=MIN_SUPPRESSION_THRESHOLD),
                name="transparency_threshold_at_least_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Transparency settings of agency {self.agency_id}"

    @property
    def draft_differs(self) -> bool:
        """Whether the draft (sections, threshold) differs from the live copy the public reads."""
        return (list(self.sections or []), self.suppression_threshold) != (
            list(self.published_sections or []),
            self.published_threshold,
        )
