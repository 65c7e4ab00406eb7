"""Officers, courses and certifications: who may use delegated 287(g) authority."""

from django.conf import settings
from django.db import models

from compliance.audit import AuditedHistory
from compliance.models import AgencyScopedModel


class Course(AgencyScopedModel):
    """A course an officer completes, e.g. the IADP basic course or the biennial refresher.

    ``validity_months`` drives ``Certification.expires_on`` (DOMAIN.md R2.4:
    refresher every 24 months by default). ``required`` courses must be held
    by every designated officer; a missing one shows on the roster.
    """

    class Delivery(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"
        HYBRID = "hybrid", "Hybrid"

    code = models.CharField(max_length=30)
    name = models.CharField(max_length=200)
    validity_months = models.PositiveSmallIntegerField(help_text="How long a completion stays valid, in months.")
    hours = models.PositiveSmallIntegerField(null=True, blank=True)
    delivery = models.CharField(max_length=12, choices=Delivery.choices, default=Delivery.IN_PERSON)
    required = models.BooleanField(default=True, help_text="Every designated officer must hold it.")

    history = AuditedHistory()

    class Meta:
        ordering = ["agency", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="course_unique_agency_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Officer(AgencyScopedModel):
    """A sworn officer nominated or designated under the agency's 287(g) agreement."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", "Nominated"
        BACKGROUND = "background", "Background checks"
        IN_TRAINING = "in_training", "In training"
        DESIGNATED = "designated", "Certified / designated"
        SUSPENDED = "suspended", "Suspended"
        SEPARATED = "separated", "Separated"
        DISQUALIFIED = "disqualified", "Disqualified"

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    badge_number = models.CharField(max_length=30)
    unit = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DESIGNATED)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_officers",
        help_text="The agency supervisor who receives this officer's expiry notices.",
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "badge_number"], name="officer_unique_agency_badge"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} (#{self.badge_number})"


class Certification(AgencyScopedModel):
    """A completed course. ``expires_on`` is the last valid day, inclusive (case T1).

    ``expires_on`` is derived by ``training.rules.certification_expires_on`` from
    the completion date and the course's validity, never typed by hand.
    """

    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="certifications")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certifications")
    completed_on = models.DateField()
    expires_on = models.DateField()
    certificate_number = models.CharField(max_length=60, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-completed_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gte=models.F("completed_on")),
                name="certification_expires_after_completion",
            ),
        ]
        indexes = [
            # Reminder run and dashboard: certifications by expiry date per agency.
            models.Index(fields=["agency", "expires_on"], name="cert_agency_expires_idx"),
            # "Latest certification per (officer, course)" (training.selectors): the
            # NOT EXISTS newer-row probe of the roster status, report and reminders.
            models.Index(fields=["officer", "course", "-completed_on"], name="cert_officer_course_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} completed {self.completed_on}"


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
