"""The training app's models module, as Django loads it: re-exports each topic's models."""

from training.evidence.models import CertificateFile, certificate_file_path
from training.imports.models import PendingImport, pending_import_path
from training.lifecycle.models import ExamAttempt, OfficerStatusChange
from training.reminders.models import (
    AgencyTrainingSettings,
    CertificationReminder,
    Notification,
    ReminderDelivery,
    ReminderDigest,
    default_reminder_thresholds,
)
from training.requirements.models import TrainingRequirement
from training.roster.models import Certification, Course, Officer, OfficerTrainingFacts, Rank
from training.sessions.models import SessionEnrollment, TrainingSession

__all__ = [
    "Course",
    "Officer",
    "Rank",
    "Certification",
    "OfficerTrainingFacts",
    "TrainingRequirement",
    "OfficerStatusChange",
    "ExamAttempt",
    "TrainingSession",
    "SessionEnrollment",
    "CertificationReminder",
    "default_reminder_thresholds",
    "AgencyTrainingSettings",
    "ReminderDigest",
    "ReminderDelivery",
    "Notification",
    "certificate_file_path",
    "CertificateFile",
    "pending_import_path",
    "PendingImport",
]
