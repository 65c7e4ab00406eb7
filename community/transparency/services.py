"""Writes to an agency's transparency settings: the sections and threshold, publishing and withdrawing the page.

Who may (issue #12 item 4): only an administrator of the agency (``administer_agency``). Each
function takes keyword-only arguments and the acting user, runs in one transaction with the row
locked, attributes its history row to ``actor`` (``compliance.core.audit.acting_as``; publishing
and withdrawing carry the reason "published" / "withdrawn"), and refuses bad input with a
``ValidationError`` naming the field, saving nothing. The page's publication history is the
row's ``AuditedHistory``.

Draft and live copy: ``transparency_settings_save`` writes only the draft (``sections``,
``suppression_threshold``), which the preview shows; ``transparency_publish`` copies the draft into the
live copy (``published_sections``, ``published_threshold``) that the public page and its CSV read.
``transparency_withdraw`` hides the page and keeps the live copy.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from community.transparency.models import MIN_SUPPRESSION_THRESHOLD, TransparencySettings
from community.transparency.sections import SECTIONS
from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.models import Agency

ADMINISTER_ONLY_MESSAGE = "Only an administrator of this agency may change or publish its transparency page."
#: The highest threshold (the model's validator): above it a small agency would publish nothing.
MAX_SUPPRESSION_THRESHOLD = 100
THRESHOLD_MESSAGE = "Enter a whole number from {low} to {high}: counts below it show as “fewer than” it."
SECTIONS_MESSAGE = "Choose at least one section to publish."
UNKNOWN_SECTION_MESSAGE = "Choose sections from the list."
NOTHING_TO_PUBLISH_MESSAGE = "Choose and save at least one section before publishing."
NOT_PUBLISHED_MESSAGE = "The page is not public."
UP_TO_DATE_MESSAGE = "The public page already shows these settings: change and save them first."
PUBLISHED_REASON = "published"
WITHDRAWN_REASON = "withdrawn"


def section_keys() -> list[str]:
    """The keys of every section an agency may publish, in page order (D1's ``sections.SECTIONS``)."""
    return [key for key, _title in section_choices()]


def section_choices() -> list[tuple[str, str]]:
    """``(key, title)`` of every section, in page order; titles are lazily translated strings."""
    items = SECTIONS.items() if isinstance(SECTIONS, dict) else SECTIONS
    return [(str(key), title) for key, title in items]


def transparency_settings_for(agency: Agency) -> TransparencySettings:
    """The agency's settings row, or an unsaved one with the defaults (nothing chosen, threshold 10). One query."""
    found = TransparencySettings.objects.filter(agency=agency).first()
    return found or TransparencySettings(agency=agency)


def _require_administrator(actor, agency: Agency) -> None:
    if not access.can(actor, access.ADMINISTER, agency):
        raise PermissionDenied(ADMINISTER_ONLY_MESSAGE)


def _locked_row(agency: Agency) -> TransparencySettings | None:
    return TransparencySettings.objects.select_for_update().filter(agency=agency).first()


def transparency_settings_save(
    *, agency: Agency, actor, sections: Iterable[str], suppression_threshold: int
) -> TransparencySettings:
    """Save the sections ``agency`` publishes and its small-count threshold; a save changing nothing writes nothing.

    Only the draft changes: the public page keeps showing the live copy until ``transparency_publish``
    (preview first, then publish).

    Args:
        agency: the agency.
        actor: a user holding ``administer_agency`` there (history author).
        sections: section keys (``section_keys()``), at least one; kept in page order, without repeats.
        suppression_threshold: counts from 1 to this minus 1 show as "fewer than N"; from
            ``MIN_SUPPRESSION_THRESHOLD`` (5, issue #12) to ``MAX_SUPPRESSION_THRESHOLD``.

    Returns:
        The saved row (created on the first save, unpublished).

    Raises:
        PermissionDenied: ``actor`` does not administer ``agency``.
        ValidationError: keyed ``sections`` (none, or an unknown key) or ``suppression_threshold`` (out of range).
    """
    _require_administrator(actor, agency)
    known = section_keys()
    chosen = set(sections)
    errors = {}
    if not chosen:
        errors["sections"] = SECTIONS_MESSAGE
    elif not chosen <= set(known):
        errors["sections"] = UNKNOWN_SECTION_MESSAGE
    if (
        isinstance(suppression_threshold, bool)
        or not isinstance(suppression_threshold, int)
        or not MIN_SUPPRESSION_THRESHOLD <= suppression_threshold <= MAX_SUPPRESSION_THRESHOLD
    ):
        errors["suppression_threshold"] = THRESHOLD_MESSAGE.format(
            low=MIN_SUPPRESSION_THRESHOLD, high=MAX_SUPPRESSION_THRESHOLD
        )
    if errors:
        raise ValidationError(errors)
    ordered = [key for key in known if key in chosen]
    with transaction.atomic(), acting_as(actor):
        row = _locked_row(agency)
        if row is None:
            return TransparencySettings.objects.create(
                agency=agency, sections=ordered, suppression_threshold=suppression_threshold
            )
        if (row.sections, row.suppression_threshold) == (ordered, suppression_threshold):
            return row  # nothing changed: no history row
        row.sections = ordered
        row.suppression_threshold = suppression_threshold
        row.save(update_fields=["sections", "suppression_threshold", "updated_at"])
    return row


def transparency_publish(*, agency: Agency, actor, now=None) -> TransparencySettings:
    """Publish ``agency``'s draft: copy its sections and threshold into the live copy and make the page public.

    Also publishes a changed draft while the page is already public (the public page then shows it).
    ``published_at/by`` record who published last and when.

    Args:
        agency: the agency.
        actor: a user holding ``administer_agency`` there (history author, ``published_by``).
        now: the moment (UTC datetime; the clock by default).

    Returns:
        The saved row, ``published`` true.

    Raises:
        PermissionDenied: ``actor`` does not administer ``agency``.
        ValidationError: no section saved yet, or already public with exactly this draft (``__all__``).
    """
    _require_administrator(actor, agency)
    with transaction.atomic(), acting_as(actor, reason=PUBLISHED_REASON):
        row = _locked_row(agency)
        if row is None or not row.sections:
            raise ValidationError(NOTHING_TO_PUBLISH_MESSAGE)
        if row.published and not row.draft_differs:
            raise ValidationError(UP_TO_DATE_MESSAGE)
        row.published = True
        row.published_sections = list(row.sections)
        row.published_threshold = row.suppression_threshold
        row.published_at = now or timezone.now()
        row.published_by = actor
        row.save(
            update_fields=[
                "published",
                "published_sections",
                "published_threshold",
                "published_at",
                "published_by",
                "updated_at",
            ]
        )
    return row


def transparency_withdraw(*, agency: Agency, actor) -> TransparencySettings:
    """Take ``agency``'s page off the public site (it answers 404 again); the settings and history stay.

    The live copy (``published_sections/threshold``) and ``published_at/by`` keep the last publication
    (the history shows the withdrawal and its author).

    Raises:
        PermissionDenied: ``actor`` does not administer ``agency``.
        ValidationError: the page is not public (``__all__``).
    """
    _require_administrator(actor, agency)
    with transaction.atomic(), acting_as(actor, reason=WITHDRAWN_REASON):
        row = _locked_row(agency)
        if row is None or not row.published:
            raise ValidationError(NOT_PUBLISHED_MESSAGE)
        row.published = False
        row.save(update_fields=["published", "updated_at"])
    return row
