"""An agency's retention schedules (``RetentionSettings``): read (made with the defaults), saved by its
administrator (SECURITY.md G3, D7; issue #14 item 3).

The defaults (``compliance.core.models.SCHEDULE_FIELDS``) are ours, not law: the page shows them as
"Default — check against your records schedule" until an administrator saves the form, which records who
confirmed the figures and when (``confirmed_by``/``confirmed_at``; the history keeps every earlier figure).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.models import AUDIT_MINIMUM_DAYS, SCHEDULE_FIELDS, Agency, RetentionSettings
from compliance.core.system_account import system_user

#: The longest period an administrator may set: 100 years, in days (our bound: a typo, not a policy).
MAX_DAYS = 36_500
DAYS_MESSAGE = "Enter a number of days from {low} to {high}."
AUDIT_MINIMUM_MESSAGE = (
    f"The access log and account events are kept at least {AUDIT_MINIMUM_DAYS} days (CJIS AU-11): "
    f"enter {AUDIT_MINIMUM_DAYS} or more."
)
ADMINISTER_ONLY_MESSAGE = "Only an administrator of this agency may change its retention schedules."


def retention_settings_for(agency: Agency, *, create: bool = False) -> RetentionSettings:
    """The agency's retention settings; where it has none, the defaults (unsaved, or saved with ``create``).

    Args:
        agency: the agency.
        create: insert the default row (attributed to the system account) when missing: the purge does, so
            every agency it ran for has its one row; pages read without writing.

    Returns:
        Its ``RetentionSettings``. One query when it exists.
    """
    found = RetentionSettings.objects.filter(agency=agency).select_related("confirmed_by").first()
    if found is not None:
        return found
    if not create:
        return RetentionSettings(agency=agency)
    try:
        with transaction.atomic(), acting_as(system_user(), reason="defaults"):
            return RetentionSettings.objects.create(agency=agency)
    except IntegrityError:  # made a moment ago by another run
        return RetentionSettings.objects.get(agency=agency)


def retention_settings_by_agency(agency_ids: Iterable[int]) -> dict[int, RetentionSettings]:
    """``{agency id: settings}`` for each id, each row created with the defaults where missing."""
    ids = set(agency_ids)
    found = {row.agency_id: row for row in RetentionSettings.objects.filter(agency_id__in=ids)}
    for agency in Agency.objects.filter(pk__in=ids - set(found)):
        found[agency.pk] = retention_settings_for(agency, create=True)
    return found


def retention_settings_preview(agency_ids: Iterable[int]) -> dict[int, RetentionSettings]:
    """``{agency id: settings}`` for each id, the defaults (unsaved) where an agency has none: for a dry run,
    which must write nothing (``retention_settings_by_agency`` creates the missing rows)."""
    ids = set(agency_ids)
    found = {row.agency_id: row for row in RetentionSettings.objects.filter(agency_id__in=ids)}
    for agency_id in ids - set(found):
        found[agency_id] = RetentionSettings(agency_id=agency_id)
    return found


def retention_days_errors(days: dict[str, int]) -> dict[str, str]:
    """Field → message for each period out of bounds (0–``MAX_DAYS``; the audit log at least 365 days)."""
    errors = {}
    for field, _default in SCHEDULE_FIELDS.values():
        value = days.get(field)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_DAYS:
            errors[field] = DAYS_MESSAGE.format(low=0, high=MAX_DAYS)
    audit = days.get("audit_log_days")
    if "audit_log_days" not in errors and audit < AUDIT_MINIMUM_DAYS:
        errors["audit_log_days"] = AUDIT_MINIMUM_MESSAGE
    return errors


def retention_settings_save(*, agency: Agency, actor, **days: int) -> RetentionSettings:
    """Save (and confirm) ``agency``'s retention periods; the history row names ``actor``.

    Args:
        agency: the agency.
        actor: a user holding ``administer_agency`` there.
        days: every ``RetentionSettings`` period field (``detainer_subject_days`` … ``session_days``), in days.

    Returns:
        The saved row, ``confirmed_by=actor``, ``confirmed_at`` now (UTC). Saving the same figures again
        confirms them again (a new history row: who looked and agreed, and when).

    Raises:
        PermissionDenied: ``actor`` does not administer ``agency``.
        ValidationError: a period out of bounds, or the audit log under 365 days (keyed by field name).
    """
    if not access.can(actor, access.ADMINISTER, agency):
        raise PermissionDenied(ADMINISTER_ONLY_MESSAGE)
    fields = [field for field, _default in SCHEDULE_FIELDS.values()]
    unknown = set(days) - set(fields)
    if unknown:
        raise ValidationError(f"Unknown retention fields: {', '.join(sorted(unknown))}.")
    errors = retention_days_errors(days)
    if errors:
        raise ValidationError(errors)
    retention_settings_for(agency, create=True)
    with transaction.atomic(), acting_as(actor):
        # Locked: two administrators saving at once must not overwrite each other silently.
        row = RetentionSettings.objects.select_for_update().get(agency=agency)
        for field in fields:
            setattr(row, field, days[field])
        row.confirmed_by = actor
        row.confirmed_at = timezone.now()
        row.save()
    return row
