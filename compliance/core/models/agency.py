"""Agencies and their 287(g) agreements (MOAs)."""

import uuid
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.models.base import TimeStampedModel


def validate_time_zone(value: str) -> None:
    """Raise ValidationError unless ``value`` is an IANA time zone name."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone name, e.g. America/Chicago.")


class Agency(TimeStampedModel):
    """A law-enforcement agency (LEA). Its time zone governs how dates are shown.

    An agency is identified by (state, name), as in ICE's published list of
    participating agencies; ORI is the FBI's Originating Agency Identifier.
    """

    class Type(models.TextChoices):
        COUNTY = "county", "County"
        MUNICIPALITY = "municipality", "Municipality"
        STATE = "state", "State Agency"
        OTHER = "other", "Other"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=2, help_text="Two-letter USPS code, e.g. TX.")
    county = models.CharField(max_length=120, blank=True)
    agency_type = models.CharField(max_length=20, choices=Type.choices, default=Type.COUNTY)
    ori = models.CharField("ORI", max_length=9, blank=True, help_text="FBI Originating Agency Identifier.")
    time_zone = models.CharField(max_length=64, default="America/Chicago", validators=[validate_time_zone])

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["state", "name"]
        constraints = [
            models.UniqueConstraint(fields=["state", "name"], name="agency_unique_state_name"),
        ]
        # Object permissions held through django-guardian on each Agency: the
        # agency scope of every role (see compliance.core.roles).
        permissions = [
            ("view_records", "View the agency's records"),
            ("change_records", "Create and change the agency's records"),
            ("review_records", "Review and sign off the agency's records"),
            ("export_reports", "Generate and download the agency's reports"),
            ("administer_agency", "Administer the agency's users and agreement"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.state})"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class AgreementModel(models.TextChoices):
    """The 287(g) program models (DOMAIN.md §1.2)."""

    JEM = "JEM", "Jail Enforcement Model"
    WSO = "WSO", "Warrant Service Officer"
    TFM = "TFM", "Task Force Model"


class Agreement(TimeStampedModel):
    """A 287(g) Memorandum of Agreement (MOA) between the agency and ICE.

    An agreement is (agency, model, signed date); one agency may hold several
    (e.g. JEM and WSO signed the same day). Values such as the refresher
    interval are per-agreement configuration, defaults from DOMAIN.md R2.4.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "In force"
        EXPIRED = "expired", "Expired"
        TERMINATED = "terminated", "Terminated"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="agreements")
    model = models.CharField(max_length=3, choices=AgreementModel.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    signed_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True, help_text="Blank: runs until terminated.")
    moa_link = models.CharField("MOA link", max_length=500, blank=True)
    max_authorized_officers = models.PositiveIntegerField(
        null=True, blank=True, help_text="Officer cap written in the MOA (R1.8). Check against the signed MOA."
    )
    refresher_interval_months = models.PositiveSmallIntegerField(
        default=24, help_text="Refresher every N months (R2.4 default 24). Check against the signed MOA."
    )
    igsa = models.BooleanField(
        "Intergovernmental Service Agreement", default=False, help_text="Suspends the WSO 48-hour clock (R1.7)."
    )

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["agency", "model", "-signed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "model", "signed_on"],
                name="agreement_unique_agency_model_signed",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        signed = self.signed_on.isoformat() if self.signed_on else "unsigned"
        return f"{self.get_model_display()} — {signed}"
