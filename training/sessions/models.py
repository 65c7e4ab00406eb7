"""Training sessions: a scheduled class of one course and the officers enrolled in it."""

import uuid

from django.conf import settings
from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.models import AgencyScopedModel, TimeStampedModel
from training.roster.models import Certification, Course, Officer


class TrainingSession(AgencyScopedModel):
    """A scheduled class of one course: dates, place and instructor.

    ``starts_on``/``ends_on`` are agency-local dates, both inclusive; the
    certifications it issues are completed on ``ends_on``.
    """

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    starts_on = models.DateField()
    ends_on = models.DateField()
    location = models.CharField(max_length=200)
    instructor = models.CharField(max_length=200, help_text="Name of the instructor (e.g. the ICE instructor).")
    exam_required = models.BooleanField(
        default=True, help_text="Officers must pass the exam (70 %, R2.2) to be certified; off: attendance suffices."
    )
    certifications_issued_at = models.DateTimeField(null=True, blank=True)
    certifications_issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="session_ends_after_start"
            ),
        ]
        indexes = [
            # Session list: an agency's sessions, latest first.
            models.Index(fields=["agency", "-starts_on"], name="session_agency_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} session {self.starts_on}"


class SessionEnrollment(TimeStampedModel):
    """An officer enrolled in a training session, with attendance and exam score."""

    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="enrollments")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="session_enrollments")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    attended = models.BooleanField(default=False)
    exam_score_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    is_remediation = models.BooleanField(default=False, help_text="The exam was the one remediation re-test (R2.2).")
    certification = models.OneToOneField(
        Certification, null=True, blank=True, on_delete=models.PROTECT, related_name="session_enrollment"
    )

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["officer__last_name", "officer__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "officer"], name="enrollment_once_per_session_officer"),
            models.CheckConstraint(
                condition=models.Q(exam_score_percent__isnull=True) | models.Q(exam_score_percent__lte=100),
                name="enrollment_score_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"Enrollment {self.public_id}"
