"""Findings: compliance problems the system detected or a person raised."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.models.base import AgencyScopedModel, Severity


class Finding(AgencyScopedModel):
    """A problem with one record, e.g. a hold past its deadline (DOMAIN.md R4.8).

    At most one finding of a kind per record (constraint below), so sweeps that
    run again never open a second one (case D4).
    """

    class Kind(models.TextChoices):
        HOLD_DEADLINE_PASSED = "hold_deadline_passed", "Hold past the 48-hour deadline"
        NO_WARRANT = "no_warrant", "Detainer without a signed I-200/I-205"
        CERTIFICATION_EXPIRED = "certification_expired", "Certification expired"
        CONSULAR_NOTIFICATION_OVERDUE = "consular_notification_overdue", "Consular notification overdue"
        # Past facts recorded although they broke a rule (docs/decisions/past-facts-and-gates.md).
        OFFICER_NOT_AUTHORIZED = "officer_not_authorized", "287(g) action by an officer not authorized that day"
        ACTION_OUTSIDE_AGREEMENT = "action_outside_agreement", "287(g) action outside the agreement"
        HOLD_WITHOUT_AUTHORITY = "hold_without_authority", "Hold on a form that cannot authorize one"
        CITIZENSHIP_CLAIM = "citizenship_claim", "U.S.-citizenship claim or sign"
        # Case deadlines (incidents.referrals.deadlines; DOMAIN.md R3.5).
        REFERRAL_OVERDUE = "referral_overdue", "Complaint not referred to ICE in time"
        INVESTIGATION_OVERDUE = "investigation_overdue", "Investigation past the agency's target time"
        # Steering committee (community.steering_committee; DOMAIN.md R3.6).
        COMMITTEE_MEETING_MISSED = "committee_meeting_missed", "Steering committee did not meet as required"
        OTHER = "other", "Other"

    Severity = Severity

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"
        FALSE_POSITIVE = "false_positive", "False positive"

    kind = models.CharField(max_length=40, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    rule = models.CharField(max_length=200, help_text="The rule and its source, e.g. 'R4.7 I-247A guidance'.")
    summary = models.TextField(help_text="What happened. No personal data.")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    opened_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_note = models.TextField(
        blank=True, help_text="How it was resolved, or why it is a false positive (compliance.core.findings)."
    )
    # Set when a supervisor reopens a closed finding (compliance.core.findings.finding_reopen); the latest reopen
    # is kept here, every earlier one in the history.
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopen_reason = models.TextField(blank=True, help_text="Why a closed finding was reopened.")

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "kind"], name="finding_one_per_record_kind"),
        ]
        indexes = [
            # Dashboard and findings page: open findings of an agency.
            models.Index(fields=["agency", "status"], name="finding_agency_status_idx"),
            # The findings page's keyset order (newest opened first, the id breaking ties), for any status and for
            # the default "open or acknowledged" (a few of 200,000 findings), one agency or several.
            models.Index(fields=["agency", "-opened_at", "-id"], name="finding_agency_opened_idx"),
            models.Index(fields=["-opened_at", "-id"], name="finding_opened_idx"),
            models.Index(
                fields=["agency", "-opened_at", "-id"],
                condition=models.Q(status__in=["open", "acknowledged"]),
                name="finding_active_opened_idx",
            ),
            models.Index(
                fields=["-opened_at", "-id"],
                condition=models.Q(status__in=["open", "acknowledged"]),
                name="finding_active_all_idx",
            ),
            # Dashboard trends (compliance.dashboard.trends): findings closed per agency-local month; opened per month
            # reads finding_agency_opened_idx above backwards.
            models.Index(
                fields=["agency", "resolved_at"],
                condition=models.Q(resolved_at__isnull=False),
                name="finding_agency_resolved_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_severity_display()})"
