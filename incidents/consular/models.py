"""Consular notification records (DOMAIN.md R5.4–R5.7): the country list and the detainer's fields.

``ConsularCountryList`` is a versioned copy of the State Department's
mandatory-notification country list; ``ConsularFields`` are the detainer's
consular-notification record. Rules: ``incidents.consular.services``.
"""

from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager


class ConsularCountryList(models.Model):
    """One version of the mandatory-notification country list (R5.6).

    The list in effect for an arrest is the one with the latest
    ``effective_from`` on or before the arrest's local date
    (``incidents.consular.services.country_list_at``). Shipped as data
    (``incidents/data/mandatory_notification_countries.csv``), editable by
    administrators in the Django admin.
    """

    version = models.CharField(max_length=60, unique=True)
    source = models.CharField(max_length=300)
    published_on = models.DateField(help_text="Date of the source document.")
    effective_from = models.DateField(help_text="Arrests on or after this date use this list.")
    confirmed = models.BooleanField(
        default=False,
        help_text="Checked against the source text. Unchecked means [U]: the exact list is unconfirmed (R5.6).",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = "consular mandatory-notification country list"

    def __str__(self) -> str:
        return f"{self.version} (from {self.effective_from})"


class ConsularCountry(models.Model):
    """A country on one version of the mandatory-notification list."""

    country_list = models.ForeignKey(ConsularCountryList, on_delete=models.CASCADE, related_name="countries")
    code = models.CharField("ISO 3166-1 alpha-2 code", max_length=2)
    name = models.CharField(max_length=100)
    aliases = models.CharField(
        max_length=400, blank=True, help_text="Other names that mean this country, separated by semicolons."
    )
    note = models.CharField(max_length=300, blank=True, help_text="Conditions, e.g. who is covered.")

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["name"]
        verbose_name = "mandatory-notification country"
        verbose_name_plural = "mandatory-notification countries"
        constraints = [
            models.UniqueConstraint(fields=["country_list", "code"], name="consular_country_one_per_list"),
        ]

    def __str__(self) -> str:
        return self.name


def consular_duty_outstanding_q() -> models.Q:
    """Detainers with a consular duty not yet done (R5.4), stored fields only.

    ``incidents.consular.services.outstanding_q`` (the sweep's filter) and the partial index
    ``detainer_consular_due_idx`` share this one definition, so the index always matches.
    A foreign national is a detainer whose ``consular_mandatory`` is known: it is derived
    (``incidents.consular.services.consular_derive``) from the nationality recorded in the
    consular section, else from the detainer's country of citizenship, and stays None
    while neither is known (or it is the United States).
    """
    foreign = models.Q(consular_mandatory__isnull=False)
    mandatory_due = models.Q(consular_mandatory=True, consular_notified_at__isnull=True)
    advice_due = models.Q(consular_mandatory=False, consular_advised_of_right_at__isnull=True)
    request_due = models.Q(consular_mandatory=False, consular_requested=True, consular_notified_at__isnull=True)
    return foreign & (mandatory_due | advice_due | request_due)


class ConsularMethod(models.TextChoices):
    FAX = "fax", "Fax"
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Telephone"
    IN_PERSON = "in_person", "In person"
    OTHER = "other", "Other"


class ConsularFields(models.Model):
    """The detainer's consular-notification record (R5.4: keep a written record)."""

    ConsularMethod = ConsularMethod

    consular_nationality = models.CharField(
        "Nationality",
        max_length=100,
        blank=True,
        help_text="Without better information, the country that issued the passport or travel document (R5.4).",
    )
    # Derived, never typed: from ``consular_nationality``, else the detainer's ``subject_country_of_citizenship``
    # (``incidents.consular.services.consular_derive``); None while no nationality is known.
    consular_mandatory = models.BooleanField("Mandatory-notification country", null=True, blank=True, editable=False)
    consular_country_list = models.ForeignKey(
        ConsularCountryList, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    consular_advised_of_right_at = models.DateTimeField("Advised of consular notification at", null=True, blank=True)
    consular_requested = models.BooleanField("The person asked for the consulate to be told", null=True, blank=True)
    consular_notified_at = models.DateTimeField("Consulate notified at", null=True, blank=True)
    consular_method = models.CharField("How", max_length=12, choices=ConsularMethod.choices, blank=True)
    consular_officer = models.ForeignKey(
        "training.Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consular_warned_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
