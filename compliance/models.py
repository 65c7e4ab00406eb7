"""The compliance app's models module, as Django loads it: re-exports the core models (``compliance.core.models``)."""

from compliance.core.models import (
    AccessLog,
    Agency,
    AgencyScopedModel,
    Agreement,
    AgreementModel,
    Finding,
    Report,
    Severity,
    TimeStampedModel,
    User,
    access_log_per_agency,
    access_log_record,
)

__all__ = [
    "AccessLog",
    "access_log_per_agency",
    "access_log_record",
    "Agency",
    "AgencyScopedModel",
    "Agreement",
    "AgreementModel",
    "Finding",
    "Report",
    "Severity",
    "TimeStampedModel",
    "User",
]
