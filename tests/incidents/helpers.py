"""Invented detainers for tests: built through the service, so the hold deadline is derived."""

from datetime import UTC, datetime

from incidents.detainers import services

RECEIVED = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


def make_detainer(agency, *, actor, number: int = 1, **fields):
    values = {
        "subject_last_name": f"Testperson{number}",
        "subject_first_name": "Alex",
        "booking_number": f"BK-{number:05d}",
        "underlying_charge": "Burglary (invented)",
        "received_at": RECEIVED,
        "warrant_type": "I-200",
        "warrant_signed": True,
    }
    values.update(fields)
    return services.detainer_create(agency=agency, actor=actor, **values)


def local_datetime_post(name: str, day: str, clock: str, which: str = "") -> dict:
    """POST data for an AgencyLocalDateTimeField (date input, time input, companion choice)."""
    return {f"{name}_0": day, f"{name}_1": clock, f"{name}_which": which}
