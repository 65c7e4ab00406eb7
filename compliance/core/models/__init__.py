"""Core models every app builds on: agencies, agreements, users, findings, reports, access log, account events,
local-day job runs, the outbound-mail claims, retention (schedules, legal holds, purges), the MOA's requirements
and the integrations with their feed events."""

from compliance.core.models.access_log import (
    AccessLog,
    access_log_event,
    access_log_per_agency,
    access_log_record,
    session_hash,
)
from compliance.core.models.account_event import AccountEvent, account_event_record
from compliance.core.models.agency import Agency, Agreement, AgreementModel
from compliance.core.models.base import AgencyScopedModel, Severity, TimeStampedModel
from compliance.core.models.finding import Finding
from compliance.core.models.integration import FeedEvent, IdempotencyKey, Integration
from compliance.core.models.job_run import JobRun
from compliance.core.models.outbound_mail import OutboundMail
from compliance.core.models.report import Report, ReportPart
from compliance.core.models.requirements import (
    AgreementRequirement,
    Clause,
    RequirementDocument,
    RequirementNotice,
    RequirementNoticeDelivery,
    RequirementStatus,
)
from compliance.core.models.retention import (
    AUDIT_MINIMUM_DAYS,
    SCHEDULE_FIELDS,
    LegalHold,
    PurgedRecord,
    RetentionPurge,
    RetentionSettings,
    Schedule,
)
from compliance.core.models.user import User
from compliance.core.models.webhooks import WebhookDelivery

__all__ = [
    "AccessLog",
    "access_log_event",
    "AccountEvent",
    "account_event_record",
    "access_log_per_agency",
    "access_log_record",
    "Agency",
    "AgencyScopedModel",
    "Agreement",
    "AgreementModel",
    "FeedEvent",
    "Finding",
    "IdempotencyKey",
    "Integration",
    "AgreementRequirement",
    "Clause",
    "RequirementDocument",
    "RequirementNotice",
    "RequirementNoticeDelivery",
    "RequirementStatus",
    "JobRun",
    "LegalHold",
    "PurgedRecord",
    "RetentionPurge",
    "RetentionSettings",
    "Schedule",
    "SCHEDULE_FIELDS",
    "AUDIT_MINIMUM_DAYS",
    "OutboundMail",
    "Report",
    "ReportPart",
    "session_hash",
    "Severity",
    "TimeStampedModel",
    "User",
    "WebhookDelivery",
]
