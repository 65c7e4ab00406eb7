"""Retention of personal data (issue #14 items 3–4; SECURITY.md G1–G3, D7): an agency's retention schedules,
legal holds that stop the purge, the purge's own audit rows and the marks of records already purged.

No number here is law: the 287(g) MOA and the agency's records schedule set how long personal data is kept
(SECURITY.md, "Retention of the detainer and personal data itself"). The defaults are a starting point shown
"Default — check against your records schedule" until an agency administrator confirms or changes them. Only
the audit trail has a floor fixed by CJIS AU-11: 365 days (``AUDIT_MINIMUM_DAYS``).
"""

from __future__ import annotations

from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.models.base import AgencyScopedModel

#: CJIS AU-11 (SECURITY.md D7): the access log and account events are kept at least a year.
AUDIT_MINIMUM_DAYS = 365


class Schedule(models.TextChoices):
    """The retention schedules: what a period applies to and the moment it runs from."""

    DETAINER_SUBJECT = "detainer_subject", "Detainer subject data (from the end of custody: the outcome)"
    COMPLAINT = "complaint", "Case narratives and complainant contacts (from the case's closing)"
    CASE_ATTACHMENT = "case_attachment", "Case attachments (from the case's closing)"
    REPORT = "report", "Generated reports' PDFs (from when they were rendered)"
    IMPORT_FILE = "import_file", "Uploaded import files (from the upload)"
    NOTIFICATION = "notification", "Notifications, reminders and sent e-mail bodies (from when they were made)"
    AUDIT_LOG = "audit_log", "Access log and account events (from the event; at least 365 days)"
    SESSION = "session", "Signed-out and expired sessions (from their expiry)"


#: Schedule → (``RetentionSettings`` field, default days). Defaults are ours: check against your records schedule.
SCHEDULE_FIELDS: dict[str, tuple[str, int]] = {
    Schedule.DETAINER_SUBJECT: ("detainer_subject_days", 5 * 365),
    Schedule.COMPLAINT: ("complaint_days", 5 * 365),
    Schedule.CASE_ATTACHMENT: ("case_attachment_days", 5 * 365),
    Schedule.REPORT: ("report_days", 3 * 365),
    Schedule.IMPORT_FILE: ("import_file_days", 30),
    Schedule.NOTIFICATION: ("notification_days", 365),
    Schedule.AUDIT_LOG: ("audit_log_days", 3 * 365),
    Schedule.SESSION: ("session_days", 0),
}


def _days(schedule: str, label: str):
    field, default = SCHEDULE_FIELDS[schedule]
    return models.PositiveIntegerField(label, default=default, help_text=Schedule(schedule).label)


class RetentionSettings(models.Model):
    """One agency's retention periods, in days (one row per agency, made with the defaults on first read).

    ``confirmed_by``/``confirmed_at`` are blank while every figure is still the default nobody confirmed; the
    administrator's save fills them (and the history keeps every earlier figure and who set it).
    """

    agency = models.OneToOneField("compliance.Agency", on_delete=models.CASCADE, related_name="retention_settings")
    detainer_subject_days = _days(Schedule.DETAINER_SUBJECT, "detainer subject data (days)")
    complaint_days = _days(Schedule.COMPLAINT, "case narratives and complainant contacts (days)")
    case_attachment_days = _days(Schedule.CASE_ATTACHMENT, "case attachments (days)")
    report_days = _days(Schedule.REPORT, "generated reports (days)")
    import_file_days = _days(Schedule.IMPORT_FILE, "uploaded import files (days)")
    notification_days = _days(Schedule.NOTIFICATION, "notifications, reminders and e-mail (days)")
    audit_log_days = _days(Schedule.AUDIT_LOG, "access log and account events (days)")
    session_days = _days(Schedule.SESSION, "expired sessions (days)")
    confirmed_by = models.ForeignKey(
        "compliance.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, help_text="Blank: the defaults, never confirmed.")

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name_plural = "retention settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(audit_log_days__gte=AUDIT_MINIMUM_DAYS), name="retention_audit_log_min_365_days"
            ),
        ]

    def __str__(self) -> str:
        return f"Retention settings of agency {self.agency_id}"

    def days(self, schedule: str) -> int:
        """The period of ``schedule`` (a ``Schedule`` value) in days."""
        return getattr(self, SCHEDULE_FIELDS[schedule][0])


class LegalHold(AgencyScopedModel):
    """A legal hold: the purge leaves a record (or every record of a subject) alone until it is released.

    ``content_type``/``object_id`` name the record the hold was placed on (a detainer or a case). A hold on the
    subject (``scope=subject``) also covers every other detainer of the agency with the same subject, matched by
    ``subject_key`` (``compliance.core.privacy.holds.subject_hold_key``: the A-number's key, never shown).
    """

    class Scope(models.TextChoices):
        RECORD = "record", "This record"
        SUBJECT = "subject", "Every record of this subject"

    class Reason(models.TextChoices):
        LITIGATION = "litigation", "Litigation"
        RECORDS_REQUEST = "records_request", "Records request"
        INVESTIGATION = "investigation", "Investigation"
        OTHER = "other", "Other"

    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.RECORD)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject_key = models.CharField(max_length=128, blank=True, editable=False)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    reference = models.CharField(max_length=120, help_text="E.g. the court case or request number.")
    placed_by = models.ForeignKey("compliance.User", on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    released_by = models.ForeignKey(
        "compliance.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.TextField(blank=True)

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        indexes = [
            # The purge and the record pages: active holds of an agency (few rows).
            models.Index(
                fields=["agency", "content_type", "object_id"],
                condition=models.Q(released_at__isnull=True),
                name="legal_hold_active_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Legal hold {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class RetentionPurge(models.Model):
    """The audit row of one purge step: what kind, how many, under which schedule set by whom. Never the data."""

    agency = models.ForeignKey("compliance.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40, help_text="What was purged, e.g. detainer-subject, history, session.")
    schedule = models.CharField(max_length=20, choices=Schedule.choices)
    period_days = models.PositiveIntegerField()
    cutoff = models.DateTimeField(help_text="Data older than this (UTC) was due.")
    configured_by = models.ForeignKey(
        "compliance.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    configured_at = models.DateTimeField(null=True, blank=True, help_text="Blank: the period was the default.")
    purged = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0, help_text="Due but under legal hold: kept.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["agency", "-started_at"], name="retention_purge_recent_idx")]

    def __str__(self) -> str:
        return f"Purge {self.kind} agency {self.agency_id}: {self.purged}"


class PurgedRecord(models.Model):
    """A record whose personal data the purge removed under ``schedule`` (so re-runs skip it and pages say so)."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    schedule = models.CharField(max_length=20, choices=Schedule.choices)
    purged_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "schedule"], name="purged_record_once_per_schedule"
            ),
        ]

    def __str__(self) -> str:
        return f"Purged {self.content_type_id}:{self.object_id} ({self.schedule})"
