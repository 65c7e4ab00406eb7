"""An officer's lifecycle records: status changes with effective dates, and exam attempts (R2.2, R2.7–R2.9)."""

from django.conf import settings
from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.models import AgencyScopedModel
from training.roster.models import Course, Officer


class OfficerStatusChange(models.Model):
    """One lifecycle step of an officer, effective on a date (append-only).

    ``effective_on`` is the agency-local day the change took effect, which may
    be earlier than the day it was recorded (``recorded_at``): authorization on
    a past day follows effective dates, never entry dates. ``previous_status``
    is the status before the change, so the status before an officer's first
    recorded change is known too. ``Officer.status`` mirrors the latest row.
    """

    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="status_changes")
    status = models.CharField(max_length=16, choices=Officer.Status.choices)
    previous_status = models.CharField(max_length=16, choices=Officer.Status.choices, blank=True)
    effective_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["officer", "effective_on", "pk"]
        indexes = [
            # Status of an officer on a day: that officer's changes by effective date.
            models.Index(fields=["officer", "effective_on"], name="status_change_officer_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {self.effective_on}"


class ExamAttempt(AgencyScopedModel):
    """One exam taken by an officer in a course (R2.2: pass at 70 %, one remediation re-test)."""

    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="exam_attempts")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="exam_attempts")
    exam_name = models.CharField(max_length=120, blank=True, help_text="Which exam of the course, e.g. a module.")
    taken_on = models.DateField()
    score_percent = models.PositiveSmallIntegerField()
    is_remediation = models.BooleanField(default=False)
    passed = models.BooleanField()

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["officer", "course", "taken_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score_percent__lte=100), name="exam_score_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} exam {self.taken_on}: {self.score_percent} %"
