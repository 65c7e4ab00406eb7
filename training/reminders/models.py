"""Certification expiry notices: notices sent, per-agency thresholds, daily digests, in-app notifications."""

import uuid

from django.conf import settings
from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from training.roster.models import Certification


class CertificationReminder(models.Model):
    """One expiry notice sent for (certification, threshold): never twice (case T2).

    The unique constraint, not only the code, makes a second run or a second
    worker unable to send the same notice again.
    """

    certification = models.ForeignKey(Certification, on_delete=models.CASCADE, related_name="reminders")
    threshold_days = models.PositiveSmallIntegerField(help_text="Days before expiry: 90, 60, 30, 7 or 0.")
    sent_at = models.DateTimeField()
    sent_for_date = models.DateField(help_text="The agency-local date of the run that sent it.")
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "threshold_days"], name="reminder_once_per_certification_threshold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.threshold_days}-day notice for certification {self.certification_id}"


def default_reminder_thresholds() -> list[int]:
    """90/60/30/7/0 days before the last valid day (DESIGN.md "Background work")."""
    return [90, 60, 30, 7, 0]


class AgencyTrainingSettings(models.Model):
    """Training settings an agency administrator edits; one row per agency, created on first save.

    An agency without a row uses the defaults (``default_reminder_thresholds``).
    """

    agency = models.OneToOneField("compliance.Agency", on_delete=models.PROTECT, related_name="training_settings")
    reminder_thresholds_days = models.JSONField(
        default=default_reminder_thresholds,
        help_text="Days before a certification's last valid day at which notices go out, most distant first.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name_plural = "agency training settings"

    def __str__(self) -> str:
        return f"Training settings of agency {self.agency_id}"


class ReminderDigest(models.Model):
    """The one reminder digest a recipient got on one day (email and/or in-app).

    A recipient is either a user (supervisor, administrator, or an officer whose
    address belongs to a user) or, for an officer without an account, the
    officer's address. The two conditional unique constraints make a second run
    or a second worker unable to send a second digest the same day (case T2).
    ``sent_for_date`` is the agency-local date of the run.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_email = models.CharField(
        max_length=254, blank=True, help_text="Lower-cased address the digest was mailed to; blank: in-app only."
    )
    sent_for_date = models.DateField()
    sent_at = models.DateTimeField()
    emailed = models.BooleanField(default=False)
    notices = models.ManyToManyField(CertificationReminder, through="ReminderDelivery", related_name="digests")

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "sent_for_date"],
                condition=models.Q(recipient__isnull=False),
                name="digest_once_per_user_day",
            ),
            models.UniqueConstraint(
                fields=["recipient_email", "sent_for_date"],
                condition=models.Q(recipient__isnull=True),
                name="digest_once_per_address_day",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder digest of {self.sent_for_date}"


class ReminderDelivery(models.Model):
    """One notice carried by one digest, and in which role the recipient got it."""

    class Role(models.TextChoices):
        OFFICER = "officer", "Officer"
        SUPERVISOR = "supervisor", "Supervisor"
        ADMINISTRATOR = "administrator", "Agency administrator"

    digest = models.ForeignKey(ReminderDigest, on_delete=models.CASCADE, related_name="deliveries")
    notice = models.ForeignKey(CertificationReminder, on_delete=models.CASCADE, related_name="deliveries")
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["digest", "notice"], name="delivery_once_per_digest_notice"),
        ]
        indexes = [
            # Reminder run: "was this notice already delivered to this recipient" by notice.
            models.Index(fields=["notice", "digest"], name="delivery_notice_digest_idx"),
        ]

    def __str__(self) -> str:
        return f"Notice {self.notice_id} in digest {self.digest_id} ({self.role})"


class Notification(models.Model):
    """An in-app notice for one user; works without email.

    ``text`` holds no personal data (a course code, dates, a role such as "an
    officer you supervise"); ``link`` is a path inside the app, checked by the
    page it opens.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    agency = models.ForeignKey("compliance.Agency", on_delete=models.PROTECT, related_name="+")
    digest = models.ForeignKey(ReminderDigest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Newest day first; within one digest, in the digest's own order.
        ordering = ["-created_at", "pk"]
        indexes = [
            # Notifications page and header badge: a user's unread ones, newest first.
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"Notification {self.public_id}"
