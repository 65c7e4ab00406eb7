"""Incidents and complaints: the case, its subject officers, allegations, timeline and the agency's case settings.

A case (``Incident``) comes from a resident's public complaint, from staff, or from a
rule's finding. It moves received → under investigation → supervisor review →
closed (and may be reopened with a reason); a case is never created closed. Each
allegation gets a disposition from the standard vocabulary; the reviewing
supervisor signs off the narrative when closing. Every step of the workflow writes
one ``CaseEvent`` (the case page's timeline); the rows themselves keep their history
in simple-history as every audited record does.

Corrective actions (``incidents.corrective_actions``), referrals to ICE OPR and
others (``incidents.referrals``), the complainant's contact details
(``incidents.complaints``) and attachments (``incidents.case_files``) hang off the case.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager, AuditedQuerySet
from compliance.core.models import AgencyScopedModel, Finding, Severity
from incidents.detainers.models import Detainer


class IncidentQuerySet(AuditedQuerySet):
    def open(self):
        """Cases not closed (received, under investigation or in supervisor review)."""
        return self.exclude(status=Incident.Status.CLOSED)


class Disposition(models.TextChoices):
    """The finding on one allegation (standard internal-affairs vocabulary)."""

    SUSTAINED = "sustained", "Sustained"
    NOT_SUSTAINED = "not_sustained", "Not sustained"
    EXONERATED = "exonerated", "Exonerated"
    UNFOUNDED = "unfounded", "Unfounded"
    POLICY_FAILURE = "policy_failure", "Policy/training failure"


class Incident(AgencyScopedModel):
    """An incident or complaint: one case, from intake to a closed, signed-off review."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", "Complaint"
        USE_OF_FORCE = "use_of_force", "Use of force"
        HOLD_VIOLATION = "hold_violation", "Hold past deadline"
        SCOPE_VIOLATION = "scope_violation", "Action outside the agreement"
        CITIZENSHIP_CLAIM = "citizenship_claim", "U.S.-citizenship claim"
        OTHER = "other", "Other"

    Severity = Severity

    class Status(models.TextChoices):
        """The case's stage."""

        RECEIVED = "received", "Received"
        UNDER_INVESTIGATION = "under_investigation", "Under investigation"
        SUPERVISOR_REVIEW = "supervisor_review", "Supervisor review"
        CLOSED = "closed", "Closed"

    class Source(models.TextChoices):
        PUBLIC = "public", "Public complaint"
        STAFF = "staff", "Logged by staff"
        RULE = "rule", "Opened from a finding"

    class Closure(models.TextChoices):
        """How a closed case ended."""

        REVIEWED = "reviewed", "Reviewed and closed"
        MERGED = "merged", "Merged into another case"
        NOT_AGENCY_MATTER = "not_agency_matter", "Not an agency matter"

    class Immigration(models.TextChoices):
        """Whether the complaint concerns immigration authority (287(g) duties), as the complainant said."""

        YES = "yes", "Yes"
        NO = "no", "No"
        UNSURE = "unsure", "Not sure"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.STAFF)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=300, blank=True)
    officer_description = models.CharField(
        "officer named",
        max_length=200,
        blank=True,
        help_text="The officer as the complainant named them (name or badge).",
    )
    immigration_related = models.CharField(
        "concerns immigration authority", max_length=6, choices=Immigration.choices, default=Immigration.UNSURE
    )
    # Public complaints only: the number the complainant reads back (incidents.complaints.tracking).
    tracking_number = models.CharField(max_length=16, unique=True, null=True, blank=True, editable=False)
    received_at = models.DateTimeField(
        default=timezone.now, help_text="When the agency received the complaint or logged the incident."
    )
    detainer = models.ForeignKey(Detainer, null=True, blank=True, on_delete=models.PROTECT, related_name="incidents")
    linked_findings = models.ManyToManyField(Finding, blank=True, related_name="incidents")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Triage.
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )
    # Investigation.
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    investigation_summary = models.TextField(blank=True, help_text="The investigator's report.")
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="Last sent to supervisor review.")
    # Closure and sign-off.
    closure = models.CharField(max_length=20, choices=Closure.choices, blank=True)
    closure_reason = models.TextField(
        blank=True, help_text="Why it was closed as not an agency matter; sent to the complainant who gave contact."
    )
    review_narrative = models.TextField(blank=True, help_text="The reviewing supervisor's signed-off narrative.")
    open_actions_reason = models.TextField(
        blank=True, help_text="Why the case was closed with a corrective action still open."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)
    # The reviewer of the legacy one-screen log (before cases had a workflow); kept for history.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = IncidentQuerySet.as_manager()
    history = AuditedHistory()

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["agency", "status", "severity"], name="incident_agency_status_idx"),
            # The queue: an agency's cases by stage, newest received first.
            models.Index(fields=["agency", "status", "-received_at"], name="incident_queue_idx"),
            models.Index(fields=["investigator", "status"], name="incident_investigator_idx"),
            # The queue's order (newest received first, stable by id): one agency's page stops after 25 index
            # entries; a user of several agencies walks the second (docs/performance.md, issue 11).
            models.Index(fields=["agency", "-received_at", "-id"], name="incident_agency_received_idx"),
            models.Index(fields=["-received_at", "-id"], name="incident_received_idx"),
            # Open cases only (the "open" and "overdue" filters); the source and kind filters with their counts.
            models.Index(
                fields=["agency", "-received_at", "-id"],
                condition=~models.Q(status="closed"),
                name="incident_open_received_idx",
            ),
            models.Index(fields=["agency", "source", "-received_at", "-id"], name="incident_agency_source_idx"),
            models.Index(fields=["agency", "kind", "-received_at", "-id"], name="incident_agency_kind_idx"),
            # The public transparency figures: one agency's cases of a source closed in a period (median time to close).
            models.Index(
                fields=["agency", "source", "closed_at"],
                condition=models.Q(status="closed"),
                name="incident_closed_source_idx",
            ),
        ]
        constraints = [
            # A closed case says how it ended; an open one has no closure (a case is never created closed).
            models.CheckConstraint(
                condition=(models.Q(status="closed") & ~models.Q(closure=""))
                | (~models.Q(status="closed") & models.Q(closure="")),
                name="incident_closure_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SubjectOfficer(models.Model):
    """An officer on the roster whom the case concerns (their authorization at ``occurred_at`` is shown)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="subject_officers")
    officer = models.ForeignKey("training.Officer", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "officer"], name="subject_officer_once_per_case"),
        ]

    def __str__(self) -> str:
        return f"Officer {self.officer_id} on case {self.incident_id}"


class Allegation(models.Model):
    """One allegation in a case, and its disposition once reviewed."""

    Disposition = Disposition

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="allegations")
    officer = models.ForeignKey("training.Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("allegation")
    disposition = models.CharField(max_length=16, choices=Disposition.choices, blank=True)
    disposition_note = models.TextField(blank=True, help_text="Why this disposition: the evidence it rests on.")
    disposed_at = models.DateTimeField(null=True, blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["incident", "disposition"], name="allegation_case_disp_idx")]

    def __str__(self) -> str:
        return f"Allegation {self.pk} on case {self.incident_id}"


class CaseEvent(models.Model):
    """One line of a case's timeline: a state change, note, disposition, action, referral or attachment.

    Append-only (``save`` refuses an update, ``delete`` raises). ``text`` is internal:
    the public status page never shows it. ``actor`` is blank for the public.
    """

    class Kind(models.TextChoices):
        RECEIVED = "received", "Received"
        LOGGED = "logged", "Logged by staff"
        OPENED_FROM_FINDING = "opened_from_finding", "Opened from a finding"
        EDITED = "edited", "Details changed"
        ACCEPTED = "accepted", "Accepted as a case"
        MERGED = "merged", "Merged into another case"
        DECLINED = "declined", "Closed as not an agency matter"
        ASSIGNED = "assigned", "Investigator assigned"
        NOTE = "note", "Note"
        OFFICER_LINKED = "officer_linked", "Subject officer linked"
        OFFICER_UNLINKED = "officer_unlinked", "Subject officer removed"
        DETAINER_LINKED = "detainer_linked", "Detainer linked"
        FINDING_LINKED = "finding_linked", "Finding linked"
        ALLEGATION_ADDED = "allegation_added", "Allegation added"
        DISPOSITION = "disposition", "Disposition recorded"
        SUBMITTED = "submitted", "Sent to supervisor review"
        RETURNED = "returned", "Returned to investigation"
        CLOSED = "closed", "Closed and signed off"
        REOPENED = "reopened", "Reopened"
        ACTION_ADDED = "action_added", "Corrective action added"
        ACTION_DONE = "action_done", "Corrective action done"
        ACTION_CANCELLED = "action_cancelled", "Corrective action cancelled"
        REFERRAL_MADE = "referral_made", "Referral recorded"
        REFERRAL_RESPONSE = "referral_response", "Referral response recorded"
        ATTACHMENT_ADDED = "attachment_added", "Attachment added"
        COMPLAINANT_NOTIFIED = "complainant_notified", "Complainant notified"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["incident", "at"], name="caseevent_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on case {self.incident_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Case timeline rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Case timeline rows are append-only.")


class IncidentSettings(models.Model):
    """An agency's case-handling settings. Check each against your signed MOA (DOMAIN.md R3.5: Appendix B is [U])."""

    agency = models.OneToOneField("compliance.Agency", on_delete=models.CASCADE, related_name="incident_settings")
    ice_referral_hours = models.PositiveSmallIntegerField(
        "notify ICE within (hours)",
        default=48,
        help_text="Hours from receipt within which a complaint about immigration authority must be referred to "
        "ICE OPR / the Joint Intake Center. Check against your MOA.",
    )
    investigation_target_days = models.PositiveSmallIntegerField(
        "investigation target (days)",
        default=90,
        help_text="Days from receipt within which a case should be closed; past it, a finding opens.",
    )

    objects = AuditedManager()
    history = AuditedHistory()

    def __str__(self) -> str:
        return f"Case settings of agency {self.agency_id}"


def case_event_record(*, incident: Incident, kind: str, actor=None, text: str = "", at=None) -> CaseEvent:
    """Append one line to ``incident``'s timeline (call inside the service's transaction).

    Args:
        incident: the case.
        kind: a ``CaseEvent.Kind`` value.
        actor: the user who acted, or None for the public (a resident's complaint).
        text: internal detail (a note, a reason); never shown on the public status page.
        at: aware datetime; default now.
    """
    return CaseEvent.objects.create(incident=incident, kind=kind, actor=actor, text=text, at=at or timezone.now())
