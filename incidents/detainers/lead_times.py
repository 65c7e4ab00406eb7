"""The hold-deadline warning lead times: how many hours before a deadline supervisors are warned.

Pure Python (no Django import), so ``compliance/settings.py`` can parse the
environment with it: ``HOLD_DEADLINE_ALERT_HOURS="6,2"`` (the default) warns
six and two hours before each hold deadline (our figures, inside the 48-hour
limit of DOMAIN.md R4.7). A single number (``"4"``, or the
integer ``4`` in ``override_settings``) is still accepted: one warning.
"""

from __future__ import annotations

from collections.abc import Iterable

#: A warning more than 48 hours ahead would come before the hold even starts (R4.7).
MAX_LEAD_HOURS = 48
MAX_LEAD_TIMES = 6
DEFAULT_LEAD_HOURS = (6, 2)


def parse_lead_hours(text: str) -> tuple[int, ...]:
    """``"6,2"`` → ``(6, 2)``: whole hours, comma-separated, distinct, largest first.

    Args:
        text: the setting's text, e.g. from the environment. Blank → the default (6, 2).

    Raises:
        ValueError: a value that is not a whole number of hours from 1 to 48, or
            more than six values; the message names the bad value.
    """
    parts = [part.strip() for part in str(text).split(",")]
    if not any(parts):
        return DEFAULT_LEAD_HOURS
    values = []
    for part in parts:
        if not part.isdigit():
            raise ValueError(
                f"{part!r} is not a whole number of hours; give hours before the deadline separated by commas, "
                'e.g. "6,2".'
            )
        values.append(int(part))
    return normalise_lead_hours(values)


def normalise_lead_hours(value: int | str | Iterable[int]) -> tuple[int, ...]:
    """The lead times from a setting value: an int (one lead time), a text (see ``parse_lead_hours``) or a list.

    Returns:
        Distinct hours, largest first, e.g. ``(6, 2)``.

    Raises:
        ValueError: a value outside 1–48 hours, not a whole number, or more than six values.
    """
    if isinstance(value, str):
        return parse_lead_hours(value)
    values = [value] if isinstance(value, int) else list(value)
    for hours in values:
        if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_LEAD_HOURS:
            raise ValueError(f"{hours!r}: each lead time is a whole number of hours from 1 to {MAX_LEAD_HOURS}.")
    distinct = sorted(set(values), reverse=True)
    if not distinct:
        raise ValueError("Give at least one lead time in hours.")
    if len(distinct) > MAX_LEAD_TIMES:
        raise ValueError(f"Give at most {MAX_LEAD_TIMES} lead times.")
    return tuple(distinct)


def deadline_urgency(seconds_left: float | None, leads: tuple[int, ...]) -> str:
    """How urgent a hold deadline is, for the custody board's colours.

    Args:
        seconds_left: real seconds until the hold deadline (negative once past); None when unknown.
        leads: the warning lead times in hours, largest first (``normalise_lead_hours``).

    Returns:
        ``"overdue"`` past the deadline (R4.8: release now), ``"critical"`` inside the
        smallest lead time, ``"warning"`` inside the largest, ``"ok"`` before, ``"unknown"``
        with no deadline yet (release time not known).
    """
    if seconds_left is None:
        return "unknown"
    if seconds_left < 0:
        return "overdue"
    if seconds_left <= leads[-1] * 3600:
        return "critical"
    if seconds_left <= leads[0] * 3600:
        return "warning"
    return "ok"
