"""Requested PDF reports: rendered in parts by Celery tasks, assembled, stored with their SHA-256.

The database is the source of truth for the work (issue #13 item 6): a ``Report`` row in status
"queued" is work to do whether or not the broker ever heard of it (``dispatched_at`` records the
hand-over; the sweep hands over what was not). ``attempts`` counts render starts, so a report whose
rendering kills its worker is failed with a reason after a bounded number of tries instead of being
redelivered forever. ``ReportPart`` rows hold the rendered parts until the report is assembled.
"""

from django.conf import settings
from django.db import models

from compliance.core.models.base import AgencyScopedModel


class Report(AgencyScopedModel):
    class Kind(models.TextChoices):
        TRAINING_ROSTER = "training_roster", "Training roster and certification status"
        DETAINER_LOG = "detainer_log", "Detainer log"
        INCIDENT_LOG = "incident_log", "Incidents and complaints"
        OUTREACH = "outreach", "Outreach and steering committee"
        FINDINGS = "findings", "Findings and their resolution"
        ACCESS_LOG = "access_log", "Access log extract"
        AUDIT_TRAIL = "audit_trail", "Audit trail of one record"
        REVIEW_PACKET = "review_packet", "Steering-committee review packet"
        RECORDS_REQUEST = "records_request", "Records request: everything held about one subject"
        INSPECTION_READINESS = "inspection_readiness", "Inspection readiness: the agreement's requirements and evidence"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Basis(models.TextChoices):
        # What "as of" means for this report (issue #13 item 1), said on its cover.
        EFFECTIVE = "effective", "As effective on"  # facts by the day they happened (effective dates)
        RECORDED = "recorded", "As recorded by"  # what the records said then (history tables)

    kind = models.CharField(max_length=40, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    as_of = models.DateField(help_text="The agency-local date the report describes: the last day of its period.")
    period_start = models.DateField(
        null=True, blank=True, help_text="The agency-local first day of the period (inclusive); blank: no period."
    )
    basis = models.CharField(max_length=12, choices=Basis.choices, default=Basis.EFFECTIVE)
    checked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The instant the report answers at: the end of the as-of day, or the request time if earlier.",
    )
    parameters = models.JSONField(
        default=dict, blank=True, help_text="Kind-specific parameters (e.g. the record of an audit-trail extract)."
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, db_index=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    plan = models.JSONField(
        default=list,
        blank=True,
        help_text="The parts planned when rendering started (template, params, contents entry, orientation): "
        "every part task and the assembly read this one plan instead of planning again. Emptied when the "
        "report is ready or failed.",
    )
    parts_total = models.PositiveIntegerField(default=0)
    parts_done = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Render starts so far (bounded).")
    dispatched_at = models.DateTimeField(
        null=True, blank=True, help_text="When the render task was handed to the broker (blank: not yet)."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    retry_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="retries",
        help_text="The failed report this one was requested again for (“Try again”).",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The sweep: unfinished reports, oldest first.
            models.Index(fields=["status", "created_at"], name="report_status_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} as of {self.as_of}"

    @property
    def unfinished(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)


class ReportPart(models.Model):
    """One rendered part of a report (a chunk of rows, the cover, a section): a PDF kept until assembly."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField(help_text="0-based position in the report.")
    file = models.FileField(upload_to="report-parts/%Y/%m/", blank=True)
    page_count = models.PositiveIntegerField(default=0)
    rendered_at = models.DateTimeField()

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_part_once")]

    def __str__(self) -> str:
        return f"Part {self.number} of report {self.report_id}"
