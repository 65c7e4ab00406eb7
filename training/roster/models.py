"""Officers, courses, certifications and the stored training facts: who may use delegated 287(g) authority."""

from django.conf import settings
from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.models import AgencyScopedModel
from compliance.core.names import NameKeyField, name_display


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

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["agency", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="course_unique_agency_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Rank(AgencyScopedModel):
    """A rank in the agency's rank order (``seniority``: higher is more senior), where the agency records one.

    Used to keep an investigator from being below the officer they investigate
    (``incidents.case_review.rules``).
    """

    name = models.CharField(max_length=60)
    seniority = models.PositiveSmallIntegerField(help_text="Higher is more senior (e.g. deputy 10, sergeant 20).")

    objects = AuditedManager()
    history = AuditedHistory()

    class Meta:
        ordering = ["-seniority", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="rank_unique_agency_name"),
        ]

    def __str__(self) -> str:
        return self.name


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

    # Names as given (compliance.core.names.name_clean: NFC, outer spaces trimmed). A person with a single name
    # has it as the last name and no first name (docs/decisions/names.md).
    first_name = models.CharField(max_length=100, blank=True, help_text="Blank for a person with a single name.")
    last_name = models.CharField(max_length=100, help_text="The family name, or the only name of a person who has one.")
    # Their comparison keys (compliance.core.names.name_key), derived at every save: the roster search.
    last_name_key = NameKeyField(source="last_name")
    first_name_key = NameKeyField(source="first_name")
    badge_number = models.CharField(max_length=30)
    unit = models.CharField(max_length=100, blank=True)
    rank = models.ForeignKey(Rank, null=True, blank=True, on_delete=models.PROTECT, related_name="officers")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officer",
        help_text="The officer's own sign-in account, if they have one.",
    )
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOMINATED)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_officers",
        help_text="The agency supervisor who receives this officer's expiry notices.",
    )

    # Agreement link, nomination checklist (R2.8), ICE credential (R2.9), certification date and
    # early-separation flag. Status changes go through training.lifecycle.services.officer_set_status.
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

    objects = AuditedManager()
    history = AuditedHistory(excluded_fields=["last_name_key", "first_name_key"])

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "badge_number"], name="officer_unique_agency_badge"),
        ]
        indexes = [
            # The roster page in its default order (name, badge as tie-breaker): a page of 50 is an index range
            # instead of a sort of the agency's whole roster (15 ms of PostgreSQL at 10,000 officers;
            # docs/performance.md, "the signed-in floor").
            models.Index(fields=["agency", "last_name", "first_name", "badge_number"], name="officer_agency_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} (#{self.badge_number})"

    @property
    def display_name(self) -> str:
        """ "Last, First", or the single name alone (``compliance.core.names.name_display``)."""
        return name_display(self.last_name, self.first_name)


class Certification(AgencyScopedModel):
    """A completed course. ``expires_on`` is the last valid day, inclusive (case T1).

    ``expires_on`` is derived by ``training.roster.rules.certification_expires_on`` from
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
        help_text=(
            "The agency-local date the daily job recorded that this certification lapsed (training.roster.lapses)."
        ),
    )

    objects = AuditedManager()
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
            # "Latest certification per (officer, course)" (training.roster.selectors): the
            # NOT EXISTS newer-row probe of the roster status, report and reminders.
            models.Index(fields=["officer", "course", "-completed_on"], name="cert_officer_course_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} completed {self.completed_on}"


class OfficerTrainingFacts(models.Model):
    """What an officer's roster status depends on apart from today's date (a cache, not a record).

    Computed from ``training.roster.authorization.OfficerTraining.training_status`` (the
    rule of the officer page) by ``training.roster.facts.training_facts_refresh``,
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
