"""Detainers (I-247A and its warrant) and incidents/complaints."""

from django.conf import settings
from django.db import models

from compliance.audit import AuditedHistory
from compliance.models import AgencyScopedModel, Severity


class DetainerQuerySet(models.QuerySet):
    def open(self):
        """Detainers with no outcome recorded yet."""
        return self.filter(outcome=Detainer.Outcome.PENDING)


class Detainer(AgencyScopedModel):
    """An immigration detainer lodged against a person booked into the agency's jail.

    ``hold_deadline`` is stored (for indexing and the sweep) and always equals
    ``would_be_released_at + incidents.rules.HOLD_LIMIT`` (48 h); ``incidents.rules.hold_deadline``
    computes it.
    """

    class Form(models.TextChoices):
        I247A = "I-247A", "I-247A Immigration Detainer – Notice of Action"
        I247D = "I-247D", "I-247D Immigration Detainer – Request for Voluntary Action (rescinded)"
        I247N = "I-247N", "I-247N Request for Voluntary Notification of Release (rescinded)"
        I247X = "I-247X", "I-247X Request for Voluntary Transfer (rescinded)"
        I247 = "I-247", "I-247 legacy detainer (pre-2015)"

    class Warrant(models.TextChoices):
        NONE = "", "No warrant"
        I200 = "I-200", "I-200 Warrant for Arrest of Alien"
        I205 = "I-205", "I-205 Warrant of Removal/Deportation"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        TRANSFERRED = "transferred", "Transferred to ICE custody"
        RELEASED = "released", "Released"
        LIFTED = "lifted", "Detainer lifted or declined"

    # Subject (personal data: every view of it is access-logged).
    subject_last_name = models.CharField(max_length=100)
    subject_first_name = models.CharField(max_length=100)
    subject_date_of_birth = models.DateField(null=True, blank=True)
    booking_number = models.CharField(max_length=40)
    booked_at = models.DateTimeField(null=True, blank=True)
    underlying_charge = models.CharField(max_length=200, help_text="The state or local criminal charge (R4.4).")

    form = models.CharField(max_length=8, choices=Form.choices, default=Form.I247A)
    issued_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()
    warrant_type = models.CharField(max_length=8, choices=Warrant.choices, blank=True, default="")
    warrant_signed = models.BooleanField(default=False)

    would_be_released_at = models.DateTimeField(
        null=True, blank=True, help_text="When state custody would otherwise end (bail, dismissal, sentence served)."
    )
    hold_deadline = models.DateTimeField(null=True, blank=True, editable=False)

    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.CharField(max_length=100, blank=True)
    handling_officer = models.ForeignKey(
        "training.Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="detainers"
    )
    deadline_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = DetainerQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["hold_deadline"]
        indexes = [
            # Custody board and sweep: open detainers by nearest hold deadline.
            models.Index(fields=["agency", "outcome", "hold_deadline"], name="detainer_open_deadline_idx"),
            # Deadline sweep (incidents.sweep), across all agencies every 15 minutes:
            # pending detainers whose deadline is near or past. Partial, so its size
            # follows the open detainers, not the whole log.
            models.Index(
                fields=["hold_deadline"],
                condition=models.Q(outcome="pending"),
                name="detainer_pending_deadline_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Detainer {self.form} — booking {self.booking_number}"

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.PENDING


class IncidentQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Incident.Status.CLOSED)


class Incident(AgencyScopedModel):
    """An incident or complaint, reviewed by a supervisor and closed with findings."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", "Complaint"
        USE_OF_FORCE = "use_of_force", "Use of force"
        HOLD_VIOLATION = "hold_violation", "Hold past deadline"
        SCOPE_VIOLATION = "scope_violation", "Action outside the agreement"
        CITIZENSHIP_CLAIM = "citizenship_claim", "U.S.-citizenship claim"
        OTHER = "other", "Other"

    Severity = Severity

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UNDER_REVIEW = "under_review", "Under supervisor review"
        CLOSED = "closed", "Closed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    detainer = models.ForeignKey(Detainer, null=True, blank=True, on_delete=models.PROTECT, related_name="incidents")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    findings = models.TextField(blank=True)
    corrective_action = models.TextField(blank=True)

    objects = IncidentQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["agency", "status", "severity"], name="incident_agency_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title
