"""A referral of a case outside the agency (DOMAIN.md R3.5: ICE OPR / the Joint Intake Center; DHS OIG; CRCL)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.models import AgencyScopedModel


class Referral(AgencyScopedModel):
    """One referral: to whom, when, their reference number, and their response."""

    class Recipient(models.TextChoices):
        ICE_OPR = "ice_opr", "ICE OPR / Joint Intake Center"
        DHS_OIG = "dhs_oig", "DHS Office of Inspector General"
        CRCL = "crcl", "DHS Office for Civil Rights and Civil Liberties"
        OTHER = "other", "Other"

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="referrals")
    recipient = models.CharField("referred to", max_length=10, choices=Recipient.choices)
    referred_at = models.DateTimeField()
    reference_number = models.CharField(max_length=60, blank=True)
    response = models.TextField(blank=True)
    response_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["referred_at", "pk"]
        indexes = [models.Index(fields=["incident", "recipient"], name="referral_case_recipient_idx")]

    def __str__(self) -> str:
        return f"{self.get_recipient_display()} referral of case {self.incident_id}"
