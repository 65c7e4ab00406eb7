"""A commitment: what the agency promised at an outreach event or a committee meeting, tracked to done."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedQuerySet
from compliance.core.models import AgencyScopedModel


class CommitmentQuerySet(AuditedQuerySet):
    def open(self):
        return self.filter(status=Commitment.Status.OPEN)

    def overdue(self, today):
        """Open commitments whose due date (agency-local ``date``) is before ``today``."""
        return self.open().filter(due_on__lt=today)


class Commitment(AgencyScopedModel):
    """One follow-up item: description, owner, due date, status and the evidence it was done.

    Made at an outreach event (``event``), at a steering-committee meeting (``meeting``: its
    action items), or on its own. ``owner`` may be empty only on items carried over from the
    old free-text follow-up; every form asks for one.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    event = models.ForeignKey(
        "community.OutreachEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="commitments"
    )
    meeting = models.ForeignKey(
        "community.CommitteeMeeting", null=True, blank=True, on_delete=models.PROTECT, related_name="action_items"
    )
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(help_text="The last day it may be done on (agency-local date).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField(blank=True, help_text="What was done, and where the proof is.")
    completed_on = models.DateField(null=True, blank=True)
    drop_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = CommitmentQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(event__isnull=False, meeting__isnull=False), name="commitment_one_origin"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="commitment_closed_iff_not_open",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "due_on"], name="commitment_agency_due_idx"),
            models.Index(fields=["owner", "status", "due_on"], name="commitment_owner_due_idx"),
            # The list's keyset orders (community.commitments.selectors.commitment_order), the id breaking ties.
            models.Index(fields=["agency", "status", "due_on", "id"], name="commitment_status_due_id_idx"),
            models.Index(fields=["agency", "due_on", "id"], name="commitment_agency_due_id_idx"),
            models.Index(fields=["agency", "status", "-closed_at", "-id"], name="commitment_agency_closed_idx"),
        ]

    def __str__(self) -> str:
        return f"Commitment due {self.due_on}"


class CommitmentReminder(models.Model):
    """One reminder about one commitment to one recipient on one agency-local day: the row that keeps it once."""

    class Kind(models.TextChoices):
        DUE = "due", "Due soon"
        OVERDUE = "overdue", "Overdue"

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    for_date = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "recipient", "kind", "for_date"],
                name="commitment_reminder_once_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder for commitment {self.commitment_id} to user {self.recipient_id}"
