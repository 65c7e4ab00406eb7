"""ICE's detainer lift-reason vocabulary, and how older reasons map onto it.

Source: ``shared/data/README.md`` — ICE's current list of detainer lift reasons
(the Deportation Data Project's data dictionary). Older ICE extracts (e.g. the
Pennsylvania FOIA release 2007–2015, ``pa_detainers.csv``) use earlier wording;
``LEGACY_LIFT_REASONS`` maps each to the current reason that means the same, or
to ``""`` when none does (then only the raw value is kept, and statistics show
it as "no current equivalent"). The raw value is always stored as well.
"""

from __future__ import annotations

from django.db import models


class LiftReason(models.TextChoices):
    """ICE's current detainer lift reasons (shared/data/README.md), shown in ICE's own wording."""

    BOOKED_INTO_DETENTION = "Booked into Detention", "Booked into Detention"
    DECLINED_BY_LEA = "Detainer Declined by LEA", "Detainer Declined by LEA"
    CASE_CLOSED = "Case Closed", "Case Closed"
    DUPLICATE = "Duplicate", "Duplicate"
    EARLY_RELEASE = "Early Release", "Early Release"
    ICE_RESOURCE_CONSTRAINT = "ICE Temporary Resource Constraint", "ICE Temporary Resource Constraint"
    INSUFFICIENT_NOTICE = "Insufficient Notice to ICE", "Insufficient Notice to ICE"
    NO_LONGER_IN_CUSTODY = (
        "No longer in State, Local, or Federal Custody",
        "No longer in State, Local, or Federal Custody",
    )
    NOT_AMENABLE = "Not Amenable to Removal", "Not Amenable to Removal"
    PROSECUTORIAL_DISCRETION = "Prosecutorial Discretion", "Prosecutorial Discretion"
    SUPERSEDED = "Superseding - New Form Issued", "Superseding - New Form Issued"
    US_CITIZEN_CLAIM = "USC or Presumptive Claim to US Citizenship", "USC or Presumptive Claim to US Citizenship"


#: Older wording → current reason ("" = no current reason means the same; the raw value is kept).
LEGACY_LIFT_REASONS: dict[str, str] = {
    "Alien Not Subject to Deportation": LiftReason.NOT_AMENABLE,
    "United States Citizen Interviewed": LiftReason.US_CITIZEN_CLAIM,
    "Lifted - Lack of Funds": LiftReason.ICE_RESOURCE_CONSTRAINT,
    "Lifted - Lack of Space": LiftReason.ICE_RESOURCE_CONSTRAINT,
    "Died": LiftReason.NO_LONGER_IN_CUSTODY,
    # "Lifted" (no reason given) and "Transferred" (to another agency's custody) have no current equivalent.
    "Lifted": "",
    "Transferred": "",
}

_BY_LOWER = {value.lower(): value for value in LiftReason.values}
_BY_LOWER.update({raw.lower(): mapped for raw, mapped in LEGACY_LIFT_REASONS.items()})


class UnknownLiftReason(ValueError):
    """A lift reason that is neither current nor a known older wording."""


def map_lift_reason(raw: str) -> str:
    """The current ICE lift reason for ``raw`` (case-insensitive), ``""`` for blank or no equivalent.

    Blank means no lift reason recorded (ICE: the detainer was still active).

    Raises:
        UnknownLiftReason: ``raw`` is neither a current reason nor a known older one.
    """
    text = " ".join(raw.split())
    if not text:
        return ""
    try:
        return _BY_LOWER[text.lower()]
    except KeyError:
        raise UnknownLiftReason(f"Unknown lift reason {text!r}.") from None
