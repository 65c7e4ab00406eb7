"""Officers, courses and certifications: who may use delegated 287(g) authority."""

import uuid

from django.conf import settings
from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.models import AgencyScopedModel, TimeStampedModel


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

    # --- Issue 3, Part A: agreement link, nomination checklist (R2.8), ICE
    # credential (R2.9), certification date and early-separation flag. Status
    # changes go through training.lifecycle.officer_set_status.
    agreement = models.ForeignKey(
        "compliance.Agreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
        help_text="The MOA the officer serves under. Blank only on rows recorded before agreements were linked.",
    )
    us_citizen = models.BooleanField("U.S. citizen", default=False)
    lea_background_check_on = models.DateField(
        "LEA background check done on", null=True, blank=True, help_text="Criminal check covering the last 5 years."
    )
    ice_background_check_on = models.DateField(
        "ICE background check done on",
        null=True,
        blank=True,
        help_text="Fingerprints, personal-history questionnaire, disciplinary history.",
    )
    privacy_waiver_on_file = models.BooleanField("privacy waiver on file", default=False)
    service_commitment_signed = models.BooleanField("2-year service commitment signed", default=False)
    ice_credential_id = models.CharField("ICE credential id", max_length=60, blank=True)
    ice_credential_issued_on = models.DateField("ICE credential issued on", null=True, blank=True)
    certified_on = models.DateField(
        null=True, blank=True, help_text="Effective date of the officer's designation (set by the status change)."
    )
    separated_early = models.BooleanField(
        default=False, help_text="Left the 287(g) role less than 24 months after certification (R2.8)."
    )
    # --- end of Part A fields

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
    lapse_recorded_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The agency-local date the daily job recorded that this certification lapsed (training.lapses).",
    )

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


# ---------------------------------------------------------------------------
# Part C (issue 3): reminder settings, digests, in-app notifications, training sessions.
# ---------------------------------------------------------------------------


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


class TrainingSession(AgencyScopedModel):
    """A scheduled class of one course: dates, place and instructor (issue 3, item 6).

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


# ---------------------------------------------------------------------------
# Issue 3, Part A: per-agreement training requirements, officer lifecycle
# (status history, nomination checklist, exams) and authorization.
# Rules live in training.requirements, training.lifecycle, training.authorization.
# ---------------------------------------------------------------------------


class TrainingRequirement(AgencyScopedModel):
    """A course an agreement (MOA) requires of its officers, with its due rule.

    The MOA is the controlling document (DOMAIN.md, design principle): each
    agreement carries its own requirements, seeded from the per-model defaults
    in ``training.requirements.DEFAULT_REQUIREMENTS`` and editable by an agency
    administrator, because values tagged [S]/[U] there must be checked against
    the signed MOA.

    Kinds: the basic course (R2.1, R2.6), the refresher (R2.4, every
    ``validity_months``, 24 by default) and annual online courses (R2.5). The
    basic course and the refresher form one chain: the basic course's
    completion counts as the first refresher, each refresher renews it.
    """

    class Kind(models.TextChoices):
        BASIC = "basic", "Basic course"
        REFRESHER = "refresher", "Refresher"
        ANNUAL = "annual", "Annual online course"

    class DueRule(models.TextChoices):
        MONTHS = "months_after_completion", "N months after completion"
        FISCAL_YEAR = "fiscal_year", "Each federal fiscal year"
        GRADUATION_ANNIVERSARY = "graduation_anniversary", "Anniversary of academy graduation"

    class Confidence(models.TextChoices):
        # DOMAIN.md tags of the shipped default value.
        CONFIRMED = "C", "Confirmed [C]"
        SECONDARY = "S", "Secondary source [S]"
        UNCONFIRMED = "U", "Unconfirmed [U]"

    agreement = models.ForeignKey(
        "compliance.Agreement", on_delete=models.PROTECT, related_name="training_requirements"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="requirements")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_rule = models.CharField(max_length=24, choices=DueRule.choices, default=DueRule.MONTHS)
    validity_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For the 'N months after completion' rule: N (refresher default 24, R2.4)."
    )
    hours = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Course length in hours (R2.1, R2.6).")
    delivery_mode = models.CharField(max_length=12, choices=Course.Delivery.choices, default=Course.Delivery.IN_PERSON)
    confidence = models.CharField(
        max_length=1,
        choices=Confidence.choices,
        default=Confidence.UNCONFIRMED,
        help_text="How sure the shipped default is (DOMAIN.md tags); [S]/[U] values must be checked against the MOA.",
    )
    source = models.CharField(max_length=200, blank=True, help_text="Where the default comes from, e.g. 'R2.4'.")

    history = AuditedHistory()

    class Meta:
        ordering = ["agreement", "kind", "course__code"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "course"], name="requirement_unique_agreement_course"),
            models.CheckConstraint(
                condition=~models.Q(due_rule="months_after_completion") | models.Q(validity_months__gte=1),
                name="requirement_months_rule_has_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.course.code}"


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

    history = AuditedHistory()

    class Meta:
        ordering = ["officer", "course", "taken_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score_percent__lte=100), name="exam_score_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} exam {self.taken_on}: {self.score_percent} %"


# ---------------------------------------------------------------------------
# Part B (issue 3): roster files uploaded for import, kept between preview and confirm.
# ---------------------------------------------------------------------------


def pending_import_path(instance, filename: str) -> str:
    """Storage name of an uploaded roster file: a random name, never the user's (no path tricks)."""
    return f"roster-imports/{instance.agency.public_id}/{uuid.uuid4().hex}.{instance.file_format}"


class PendingImport(AgencyScopedModel):
    """A roster file uploaded for import, waiting for its uploader to confirm the preview.

    The bytes live in the default (private) storage, outside the web root, and
    are never served. Only the uploader can confirm, which re-validates from the
    stored bytes (``sha256`` checked); the file is deleted once the import is
    confirmed or discarded, or after ``expires_at``. The row stays as a record of
    who uploaded which file (no personal data in it).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        IMPORTED = "imported", "Imported"
        DISCARDED = "discarded", "Discarded"
        EXPIRED = "expired", "Expired"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel workbook"

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=pending_import_path, max_length=200, blank=True)
    file_name = models.CharField(max_length=200, help_text="The uploaded file's base name, as recorded in history.")
    file_format = models.CharField(max_length=4, choices=Format.choices)
    encoding = models.CharField(max_length=10, default="utf-8")
    size = models.PositiveIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    only_valid_rows = models.BooleanField(default=False, help_text="The uploader chose to skip the rows with errors.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The purge of expired uploads: pending rows by expiry.
            models.Index(fields=["status", "expires_at"], name="pending_import_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"Roster upload {self.file_name} ({self.get_status_display()})"


# ---------------------------------------------------------------------------
# Part D (issue 3, item 7): certificate files attached to certifications.
# Rules and the write live in training.evidence.
# ---------------------------------------------------------------------------


def certificate_file_path(instance, filename: str) -> str:
    """Storage name of a certificate file: random, with the extension of the checked content type.

    The uploaded name never reaches the file system (no ``../`` tricks, no
    personal data in paths, SECURITY.md F8); it is kept in ``original_name``.
    """
    extension = CertificateFile.EXTENSIONS.get(instance.content_type, "")
    return f"certificates/{uuid.uuid4().hex}{extension}"


class CertificateFile(AgencyScopedModel):
    """A scanned or issued certificate proving a certification (PDF, PNG or JPEG).

    Never changed or deleted: attaching a new file to the same certification
    adds a row, and the latest one is the certificate in force; earlier ones
    stay as history and remain downloadable. The bytes live in the default
    (private) storage, outside the web root, served only by
    ``training.evidence_views.certificate_download`` after the agency check.
    """

    class MediaType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        PNG = "image/png", "PNG image"
        JPEG = "image/jpeg", "JPEG image"

    EXTENSIONS = {MediaType.PDF: ".pdf", MediaType.PNG: ".png", MediaType.JPEG: ".jpg"}

    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="certificate_files")
    file = models.FileField(upload_to=certificate_file_path, max_length=200)
    original_name = models.CharField(max_length=255, help_text="The uploaded file's name, as metadata only.")
    content_type = models.CharField(max_length=40, choices=MediaType.choices, help_text="Decided by the content.")
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = AuditedHistory()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Officer page and attach page: a certification's files, newest first.
            models.Index(fields=["certification", "-created_at"], name="certfile_certification_idx"),
        ]

    def __str__(self) -> str:
        return f"Certificate file {self.public_id}"


# ---------------------------------------------------------------------------
# Roster performance (issue 3 follow-up): the date-independent half of each
# officer's roster status, stored so the roster page filters, counts and sorts
# without recomputing it. Written only by training.facts.
# ---------------------------------------------------------------------------


class OfficerTrainingFacts(models.Model):
    """What an officer's roster status depends on apart from today's date (a cache, not a record).

    Computed from ``training.authorization.OfficerTraining.training_status`` (the
    rule of the officer page) by ``training.facts.training_facts_refresh``,
    inside the transaction of every write that can change it, and nightly by the
    ``refresh_training_facts`` command. Today's status follows in SQL: missing →
    "missing"; else by ``earliest_expiry`` against the agency-local today. Not
    audited: it holds nothing that is not derived from audited rows.
    """

    officer = models.OneToOneField(Officer, on_delete=models.CASCADE, primary_key=True, related_name="training_facts")
    agency = models.ForeignKey("compliance.Agency", on_delete=models.CASCADE, related_name="+")
    missing_required = models.BooleanField(help_text="Some required course was never completed.")
    earliest_expiry = models.DateField(
        null=True, blank=True, help_text="Earliest last valid day over the required courses held (None: none held)."
    )
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            # Roster page and dashboard: counts, status filter and sort by expiry within an agency.
            models.Index(fields=["agency", "missing_required", "earliest_expiry"], name="officer_facts_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Training facts of officer {self.officer_id}"
