"""Per-agency reminder thresholds: reads for the reminder run, one write for the settings page.

An agency that never saved its settings uses ``rules.REMINDER_THRESHOLDS_DAYS``
(90/60/30/7/0 days). The 0-day (expiry) notice is always sent
(``rules.reminder_threshold_due`` adds it), so it is always stored too.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from compliance.core.audit import acting_as
from training.reminders.models import AgencyTrainingSettings
from training.roster import rules

MAX_THRESHOLD_DAYS = 365
MAX_THRESHOLDS = 8
THRESHOLD_OUT_OF_RANGE = f"Each threshold is a whole number of days from 0 to {MAX_THRESHOLD_DAYS}."
TOO_MANY_THRESHOLDS = f"Give at most {MAX_THRESHOLDS} thresholds."


def thresholds_normalised(days: Iterable[int]) -> list[int]:
    """``days`` without duplicates, with 0 added, most distant first: [7, 90, 7] → [90, 7, 0].

    Raises:
        ValidationError: a value outside 0–365, or more than 8 values
            (keyed ``reminder_thresholds_days``).
    """
    values = set(days)
    if any(not isinstance(value, int) or not 0 <= value <= MAX_THRESHOLD_DAYS for value in values):
        raise ValidationError({"reminder_thresholds_days": THRESHOLD_OUT_OF_RANGE})
    values.add(0)
    if len(values) > MAX_THRESHOLDS:
        raise ValidationError({"reminder_thresholds_days": TOO_MANY_THRESHOLDS})
    return sorted(values, reverse=True)


def reminder_thresholds(agency) -> tuple[int, ...]:
    """The days before expiry at which ``agency`` sends notices, most distant first. One query."""
    row = AgencyTrainingSettings.objects.filter(agency=agency).only("reminder_thresholds_days").first()
    return tuple(row.reminder_thresholds_days) if row else rules.REMINDER_THRESHOLDS_DAYS


def reminder_thresholds_by_agency(agency_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """``{agency id: thresholds}`` for every id given (defaults for agencies without settings). One query."""
    ids = list(agency_ids)
    stored = dict(
        AgencyTrainingSettings.objects.filter(agency_id__in=ids).values_list("agency_id", "reminder_thresholds_days")
    )
    return {pk: tuple(stored[pk]) if pk in stored else rules.REMINDER_THRESHOLDS_DAYS for pk in ids}


def reminder_thresholds_set(*, actor, agency, thresholds_days: Iterable[int]) -> AgencyTrainingSettings:
    """Save ``agency``'s reminder thresholds (the settings page; agency administrators).

    Args:
        actor: the user doing it (history author); the caller checked they
            hold ``administer_agency`` in ``agency``.
        agency: the agency.
        thresholds_days: whole days before the last valid day, 0–365; duplicates
            are dropped and 0 is always added.

    Returns:
        The saved ``AgencyTrainingSettings``. Takes effect on the next reminder run.

    Raises:
        ValidationError: keyed ``reminder_thresholds_days`` (see ``thresholds_normalised``).
    """
    values = thresholds_normalised(thresholds_days)
    with transaction.atomic(), acting_as(actor):
        row, created = AgencyTrainingSettings.objects.get_or_create(
            agency=agency, defaults={"reminder_thresholds_days": values}
        )
        if not created and row.reminder_thresholds_days != values:
            row.reminder_thresholds_days = values
            row.save()
    return row
