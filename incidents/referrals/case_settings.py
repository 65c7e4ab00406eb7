"""An agency's case settings (``IncidentSettings``): read with defaults, saved by its administrator.

``ice_referral_hours`` (default 48) and ``investigation_target_days`` (default 90) are the
agency's own figures, to be checked against its signed MOA (DOMAIN.md R3.5: the MOA's
complaint procedure, Appendix B, is [U]). An agency without a row uses the defaults; the row
is created on the first save and keeps its history of changes (``AuditedHistory``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.models import Agency
from incidents.incident_log.models import IncidentSettings

#: Bounds of what an administrator may set (our figures: an hour to 30 days; a day to 10 years).
ICE_REFERRAL_HOURS_RANGE = (1, 720)
INVESTIGATION_TARGET_DAYS_RANGE = (1, 3650)
HOURS_MESSAGE = "Enter a number of hours from {low} to {high}."
DAYS_MESSAGE = "Enter a number of days from {low} to {high}."
ADMINISTER_ONLY_MESSAGE = "Only an administrator of this agency may change its case settings."


def incident_settings_for(agency: Agency) -> IncidentSettings:
    """The agency's case settings row, or an unsaved one holding the defaults (48 hours, 90 days). One query."""
    found = IncidentSettings.objects.filter(agency=agency).first()
    return found or IncidentSettings(agency=agency)


def incident_settings_by_agency(agency_ids: Iterable[int]) -> dict[int, IncidentSettings]:
    """``{agency id: settings}`` for each id, defaults (unsaved) where an agency has no row. One query."""
    ids = set(agency_ids)
    found = {row.agency_id: row for row in IncidentSettings.objects.filter(agency_id__in=ids)}
    return {pk: found.get(pk) or IncidentSettings(agency_id=pk) for pk in ids}


def incident_settings_save(
    *, agency: Agency, actor, ice_referral_hours: int, investigation_target_days: int
) -> IncidentSettings:
    """Save ``agency``'s case settings (creating the row on first save); a save that changes nothing writes nothing.

    Args:
        agency: the agency.
        actor: a user holding ``administer_agency`` there (history author).
        ice_referral_hours: hours from receipt to notify ICE OPR (``ICE_REFERRAL_HOURS_RANGE``).
        investigation_target_days: days from receipt to close a case (``INVESTIGATION_TARGET_DAYS_RANGE``).

    Returns:
        The saved row.

    Raises:
        PermissionDenied: ``actor`` does not administer ``agency``.
        ValidationError: a figure is out of range (keyed by field name).
    """
    if not access.can(actor, access.ADMINISTER, agency):
        raise PermissionDenied(ADMINISTER_ONLY_MESSAGE)
    errors = {}
    low, high = ICE_REFERRAL_HOURS_RANGE
    if not isinstance(ice_referral_hours, int) or not low <= ice_referral_hours <= high:
        errors["ice_referral_hours"] = HOURS_MESSAGE.format(low=low, high=high)
    low, high = INVESTIGATION_TARGET_DAYS_RANGE
    if not isinstance(investigation_target_days, int) or not low <= investigation_target_days <= high:
        errors["investigation_target_days"] = DAYS_MESSAGE.format(low=low, high=high)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), acting_as(actor):
        # Locked: two administrators saving at once must not overwrite each other silently.
        row = IncidentSettings.objects.select_for_update().filter(agency=agency).first()
        if row is None:
            return IncidentSettings.objects.create(
                agency=agency,
                ice_referral_hours=ice_referral_hours,
                investigation_target_days=investigation_target_days,
            )
        if (row.ice_referral_hours, row.investigation_target_days) == (ice_referral_hours, investigation_target_days):
            return row  # nothing changed: no history row (case H2)
        row.ice_referral_hours = ice_referral_hours
        row.investigation_target_days = investigation_target_days
        row.save(update_fields=["ice_referral_hours", "investigation_target_days"])
    return row
