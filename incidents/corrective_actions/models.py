"""A corrective action: what a case's outcome calls for, who does it, by when, and the evidence it was done."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedQuerySet
from compliance.core.models import AgencyScopedModel


class CorrectiveActionQuerySet(AuditedQuerySet):
    def open(self):
        return self.filter(status=CorrectiveAction.Status.OPEN)

    def overdue(self, today):
        """Open actions whose due date (agency-local ``date``) is before ``today``."""
        return self.open().filter(due_on__lt=today)


class CorrectiveAction(AgencyScopedModel):
    """One corrective action on a case (its agency is the case's)."""

    class Kind(models.TextChoices):
        TRAINING = "training", "Training"
        COUNSELLING = "counselling", "Counselling"
        POLICY_CHANGE = "policy_change", "Policy change"
        DISCIPLINE_REFERRAL = "discipline_referral", "Discipline referral"
        SYSTEM_CHANGE = "system_change", "System change"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="corrective_actions")
    allegation = models.ForeignKey(
        "incidents.Allegation", null=True, blank=True, on_delete=models.PROTECT, related_name="corrective_actions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(help_text="The last day it may be done on (agency-local date).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField(blank=True, help_text="What was done, and where the proof is.")
    completed_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CorrectiveActionQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["agency", "status", "due_on"], name="action_agency_due_idx"),
            models.Index(fields=["owner", "status", "due_on"], name="action_owner_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on}"


class CorrectiveActionReminder(models.Model):
    """One reminder about one action to one recipient on one agency-local day: the unique row that keeps it once.

    Written in the same transaction as the recipient's notifications and e-mail
    (``incidents.corrective_actions.reminders``): a second run or worker hits the
    constraint and sends nothing more; a mail failure rolls the recipient's rows back.
    """

    class Kind(models.TextChoices):
        DUE = "due", "Due soon"
        OVERDUE = "overdue", "Overdue"

    action = models.ForeignKey(CorrectiveAction, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    for_date = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action", "recipient", "kind", "for_date"], name="action_reminder_once_per_recipient_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder for action {self.action_id} to user {self.recipient_id} on {self.for_date}"
