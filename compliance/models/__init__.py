"""Core models every app builds on: agencies, agreements, users, findings, reports."""

from compliance.models.agency import Agency, Agreement, AgreementModel
from compliance.models.base import AgencyScopedModel, TimeStampedModel
from compliance.models.finding import Finding
from compliance.models.report import Report
from compliance.models.user import User

__all__ = [
    "Agency",
    "AgencyScopedModel",
    "Agreement",
    "AgreementModel",
    "Finding",
    "Report",
    "TimeStampedModel",
    "User",
]
