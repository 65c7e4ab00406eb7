"""Core models every app builds on: agencies, agreements, users, findings, reports."""

from compliance.models.access_log import AccessLog, access_log_per_agency, access_log_record
from compliance.models.agency import Agency, Agreement, AgreementModel
from compliance.models.base import AgencyScopedModel, Severity, TimeStampedModel
from compliance.models.finding import Finding
from compliance.models.report import Report
from compliance.models.user import User

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
