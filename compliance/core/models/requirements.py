"""The MOA as requirements: each agreement's clauses, how each is met, and its status (issue #15 item 1).

An agreement carries one ``AgreementRequirement`` per clause it binds the agency to. The rows
start from the shipped templates per model (``compliance.moa.templates``; DOMAIN.md §3), each
marked "check against your signed MOA" until an administrator confirms it, and are editable per
agreement. ``evidence`` names how the requirement is met: one of the product's own evidence
evaluators (``compliance.moa.evidence``) or ``document`` (a person attaches what proves it).

The status (met / at risk / not met) is the evaluator's answer, stored when it changes, so a
change of status is a history row (``AuditedHistory``) and ``last_met_on`` keeps the last
agency-local date the requirement was met.
"""

from django.conf import settings
from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.models.base import AgencyScopedModel


class Clause(models.TextChoices):
    """The MOA sections a requirement comes from (DOMAIN.md §3: the standard template family)."""

    NOMINATION = "nomination", "Nomination of personnel"
    TRAINING = "training", "Training, certification and authorization"
    ICE_SUPERVISION = "ice_supervision", "ICE supervision"
    REPORTING = "reporting", "Reporting requirements"
    COMPLAINTS = "complaints", "Complaint procedures"
    CIVIL_RIGHTS = "civil_rights", "Civil rights standards and interpreter services"
    STEERING_COMMITTEE = "steering_committee", "Steering committee"
    OUTREACH = "outreach", "Community outreach"
    MEDIA = "media", "Relations with the news media"
    DURATION = "duration", "Duration and termination"
    OTHER = "other", "Other clause"


class RequirementStatus(models.TextChoices):
    """Where a requirement stands on the day it was last checked."""

    MET = "met", "Met"
    AT_RISK = "at_risk", "At risk"
    NOT_MET = "not_met", "Not met"
    UNKNOWN = "unknown", "Not checked yet"


class AgreementRequirement(AgencyScopedModel):
    """One clause of an agreement as a requirement, with how it is met and where it stands.

    ``agency`` is always ``agreement.agency`` (set by the services). ``evidence`` is a key of
    ``compliance.moa.evidence.EVALUATORS`` (``"document"``: met by attached documents only);
    ``parameters`` are that evaluator's settings (e.g. ``{"meetings_per_year": 4}``), each
    defaulted by the template and editable. ``confirmed_at`` is None while the row is the
    shipped template's text, unchecked against the signed MOA.
    """

    agreement = models.ForeignKey("compliance.Agreement", on_delete=models.CASCADE, related_name="requirements")
    clause = models.CharField(max_length=24, choices=Clause.choices)
    key = models.SlugField(
        max_length=60, help_text="The template's key (stable across agreements), or a custom one's slug."
    )
    title = models.CharField(max_length=200)
    text = models.TextField(help_text="What the MOA requires of the agency, in the MOA's words where you have them.")
    moa_section = models.CharField(
        "MOA section", max_length=60, blank=True, help_text="Where the signed MOA says it, e.g. 'Section XI'."
    )
    source = models.CharField(max_length=200, blank=True, help_text="The rule's source (DOMAIN.md id, MOA clause).")
    evidence = models.CharField(max_length=40, help_text="How it is met: an evidence evaluator's key, or 'document'.")
    parameters = models.JSONField(default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Untick when the signed MOA has no such clause.")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Where it stands (compliance.moa.status): written only when it changes, so history is the log of changes.
    status = models.CharField(max_length=10, choices=RequirementStatus.choices, default=RequirementStatus.UNKNOWN)
    status_reason = models.TextField(blank=True, help_text="Why, in one or two sentences. No personal data.")
    status_since = models.DateTimeField(null=True, blank=True)
    last_met_on = models.DateField(null=True, blank=True, help_text="The last agency-local date it was met.")
    checked_at = models.DateTimeField(null=True, blank=True)

    objects = AuditedManager()
    # ``checked_at`` and ``last_met_on`` move on every nightly check: not tracked, so history is the log of changes.
    history = AuditedHistory(excluded_fields=["checked_at", "last_met_on"])

    class Meta:
        ordering = ["agreement", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "key"], name="requirement_unique_agreement_key"),
        ]
        indexes = [models.Index(fields=["agency", "status"], name="requirement_agency_status_idx")]

    def __str__(self) -> str:
        return self.title


def requirement_document_path(instance, filename: str) -> str:
    """Private storage path: agency and requirement ids, never the uploaded name."""
    return f"requirements/{instance.agency_id}/{instance.requirement_id}/{instance.public_id}"


class RequirementDocument(AgencyScopedModel):
    """A document a person attached as evidence for a requirement (a policy, a signed form, minutes).

    Valid from ``valid_from`` to ``valid_until`` (agency-local dates; blank: open-ended). Stored
    privately and served through ``compliance.core.private_files``.
    """

    requirement = models.ForeignKey(AgreementRequirement, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    file = models.FileField(upload_to=requirement_document_path, max_length=200, blank=True)
    content_type_name = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["requirement", "-created_at"]

    def __str__(self) -> str:
        return self.title


class RequirementNotice(models.Model):
    """A requirement's change to at risk or not met, to be told once in the daily digest (issue #15 item 1).

    Raised by ``compliance.moa.status.requirements_check`` when the stored status changes to at risk or
    not met; unique per (requirement, ``changed_at``), so a re-run raises nothing twice. ``reason`` is the
    requirement's status reason then (no personal data).
    """

    agency = models.ForeignKey("compliance.Agency", on_delete=models.CASCADE, related_name="+")
    requirement = models.ForeignKey(AgreementRequirement, on_delete=models.CASCADE, related_name="notices")
    status = models.CharField(max_length=10, choices=RequirementStatus.choices)
    reason = models.TextField(blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["requirement", "changed_at"], name="requirement_notice_once_per_change"),
        ]

    def __str__(self) -> str:
        return f"{self.requirement_id}: {self.status} at {self.changed_at:%Y-%m-%d %H:%M}"


class RequirementNoticeDelivery(models.Model):
    """One requirement notice told to one user, in the digest of ``sent_for_date`` (once: unique)."""

    notice = models.ForeignKey(RequirementNotice, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_for_date = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "recipient"], name="requirement_notice_told_once"),
        ]

    def __str__(self) -> str:
        return f"Notice {self.notice_id} to user {self.recipient_id}"
