"""The detainer record (I-247A and its warrant), its hold-deadline alerts and release-notice warnings."""

from django.db import models
from django.db.models.functions import Coalesce

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedQuerySet
from compliance.core.crypto.fields import EncryptedCharField, EncryptedDateField
from compliance.core.models import AgencyScopedModel
from compliance.core.names import NameIndexField, name_display

# The citizenship STOP and consular notification fields, as abstract mixins (DOMAIN.md R5.1–R5.7).
from incidents.citizenship.models import CitizenshipFields, stopped_condition
from incidents.consular.models import ConsularFields, consular_duty_outstanding_q
from incidents.detainers.choices import InterpreterType
from incidents.detainers.lift_reasons import LiftReason

# The I-247A and compliance fields of the record, as an abstract mixin (DOMAIN.md §7.1–7.2).
from incidents.detainers.record_fields import RecordFields


class DetainerQuerySet(AuditedQuerySet):
    def open(self):
        """Detainers with no outcome recorded yet."""
        return self.filter(outcome=Detainer.Outcome.PENDING)


class Detainer(RecordFields, CitizenshipFields, ConsularFields, AgencyScopedModel):
    """An immigration detainer lodged against a person booked into the agency's jail.

    ``hold_deadline`` is stored (for indexing and the sweep) and always equals
    ``would_be_released_at + incidents.detainers.rules.HOLD_LIMIT`` (48 h); ``incidents.detainers.rules.hold_deadline``
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
    # Names as given (compliance.core.names.name_clean: NFC, outer spaces trimmed); a person with a single name has it
    # as the last name and no first name (docs/decisions/names.md).
    # Names, date of birth and A-number are encrypted in this table and its history (compliance.core.crypto,
    # SECURITY.md E4): the database holds ciphertext only.
    subject_last_name = EncryptedCharField(
        max_length=100,
        help_text="The family name, or the only name of a person who has one.",
        purpose="detainer.subject_last_name",
    )
    subject_first_name = EncryptedCharField(
        max_length=100,
        blank=True,
        help_text="Blank for a person with a single name.",
        purpose="detainer.subject_first_name",
    )
    # Their keyed blind indexes (compliance.core.names.name_index), derived at every save: the STOP's same-subject
    # match (incidents.citizenship.subject_stop) and the detainer log's name look-up.
    subject_last_name_key = NameIndexField(source="subject_last_name")
    subject_first_name_key = NameIndexField(source="subject_first_name")
    subject_date_of_birth = EncryptedDateField(null=True, blank=True, purpose="detainer.subject_date_of_birth")
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
    # ICE's lift-reason vocabulary (incidents.detainers.lift_reasons); older free-text values stay stored and shown
    # as typed.
    lift_reason = models.CharField(max_length=100, choices=LiftReason.choices, blank=True)
    handling_officer = models.ForeignKey(
        "training.Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="detainers"
    )
    deadline_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Service of the detainer on the subject (R4.5, R3.8) and ICE notification (R4.6): the custody board's quick
    # actions.
    served_on_subject_at = models.DateTimeField(
        null=True, blank=True, help_text="When a copy of the detainer was served on the person (R4.5)."
    )
    served_by = models.CharField(max_length=100, blank=True, help_text="Who served the copy (name or badge).")
    service_language = models.CharField(max_length=60, blank=True, help_text="Language the copy was explained in.")
    interpreter_used = models.BooleanField(default=False)
    # R3.8: how the interpreter served (in person, telephone, video); blank = none / not recorded (older rows).
    service_interpreter_type = models.CharField(
        "Interpreter at service", max_length=10, choices=InterpreterType.choices, blank=True
    )
    ice_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When ICE was told of the person's release date and time."
    )

    # The offense-level page (incidents.offense_levels; R3.3, GAO-09-109 finding 1).
    minor_offense_only = models.BooleanField(
        "Only a traffic or other minor offense",
        default=False,
        help_text=(
            "Tick when the only charge is a traffic or other minor offense (e.g. speeding, driving without a "
            "license). GAO-09-109 found agencies using 287(g) authority for such offenses (R3.3)."
        ),
    )

    # A past fact that broke a rule is recorded as it happened, with the recorder's explanation
    # (incidents.detainers.rule_breaks; docs/decisions/past-facts-and-gates.md). The latest is kept here,
    # every earlier one in the history.
    explanation = models.TextField(
        "Explanation of a rule broken",
        blank=True,
        help_text="What happened and why, given when a recorded fact broke a rule (officer, agreement, hold).",
    )

    objects = DetainerQuerySet.as_manager()
    history = AuditedHistory(excluded_fields=["subject_last_name_key", "subject_first_name_key", "a_number_index"])

    class Meta:
        ordering = ["hold_deadline"]
        indexes = [
            # Custody board and sweep: open detainers by nearest hold deadline.
            models.Index(fields=["agency", "outcome", "hold_deadline"], name="detainer_open_deadline_idx"),
            # Deadline sweep (incidents.detainers.sweep), across all agencies every 15 minutes:
            # pending detainers whose deadline is near or past. Partial, so its size
            # follows the open detainers, not the whole log.
            models.Index(
                fields=["hold_deadline"],
                condition=models.Q(outcome="pending"),
                name="detainer_pending_deadline_idx",
            ),
            # Detainer log page (incidents.detainer_log.paging): open detainers in page order (a few thousand
            # rows), then closed ones newest received first, per agency and across agencies, so each
            # keyset page is an index range that stops after 26 rows. ASC is NULLS LAST in PostgreSQL.
            models.Index(
                fields=["hold_deadline", "-received_at", "-public_id"],
                condition=models.Q(outcome="pending"),
                name="detainer_open_list_idx",
            ),
            models.Index(
                fields=["agency", "-received_at", "-public_id"],
                condition=~models.Q(outcome="pending"),
                name="detainer_closed_agency_idx",
            ),
            models.Index(
                fields=["-received_at", "-public_id"],
                condition=~models.Q(outcome="pending"),
                name="detainer_closed_recv_idx",
            ),
            # The public transparency figures (community.transparency.figures): one agency's detainers received
            # in a quarter or year, whatever their outcome (the partial indexes above split open from closed).
            models.Index(fields=["agency", "received_at"], name="detainer_agency_received_idx"),
            # The STOP's same-subject check on every create and edit (incidents.citizenship.subject_stop, R5.1):
            # the agency's detainers in STOP, newest first. Partial, so it holds the few in STOP, not the log.
            models.Index(fields=["agency", "-received_at"], condition=stopped_condition(), name="detainer_stopped_idx"),
            # Detainer log lookup: exact booking number or A-number (its blind index).
            models.Index(fields=["booking_number"], name="detainer_booking_number_idx"),
            models.Index(fields=["a_number_index"], name="detainer_a_number_idx"),
            # Detainer log look-up by name and the STOP's same-subject match (R5.1): equal name keys in an agency.
            models.Index(
                fields=["agency", "subject_last_name_key", "subject_first_name_key"], name="detainer_subject_name_idx"
            ),
            # Consular sweep (incidents.consular.services): outstanding consular duties by clock start (booking, else
            # receipt), so detainers whose custody ended are looked up by a bounded clock range.
            models.Index(
                Coalesce("booked_at", "received_at"),
                condition=consular_duty_outstanding_q(),
                name="detainer_consular_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Detainer {self.form} — booking {self.booking_number}"

    @property
    def subject_name(self) -> str:
        """ "Last, First", or the single name alone (``compliance.core.names.name_display``)."""
        return name_display(self.subject_last_name, self.subject_first_name)

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.PENDING


class DeadlineAlert(models.Model):
    """One hold-deadline warning: sent (or attempted) once per detainer, lead time and deadline.

    The unique constraint makes a second warning for the same (detainer, lead
    time, deadline) impossible, whatever the number of sweeps running (case D4).
    The deadline is part of the key: when ``would_be_released_at`` changes the
    deadline moves and the sweep warns afresh. Not audited itself: the
    detainer's history row written with it (``deadline_alerted_at``) is.
    """

    detainer = models.ForeignKey(Detainer, on_delete=models.CASCADE, related_name="deadline_alerts")
    lead_hours = models.PositiveSmallIntegerField()
    hold_deadline = models.DateTimeField()
    sent_at = models.DateTimeField()
    recipient_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["detainer", "lead_hours", "hold_deadline"], name="deadline_alert_once_per_lead_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lead_hours} h warning for detainer {self.detainer_id}"


class ReleaseNoticeAlert(models.Model):
    """One R4.6 warning: release less than 48 h away and ICE not notified, once per detainer and release time.

    Written by ``incidents.detainers.release_notice.sweep_release_notices``. The release
    time is part of the key, so a changed ``would_be_released_at`` warns afresh.
    Not audited itself (the email is the event); nothing personal stored.
    """

    detainer = models.ForeignKey(Detainer, on_delete=models.CASCADE, related_name="release_notice_alerts")
    release_at = models.DateTimeField()
    sent_at = models.DateTimeField()
    recipient_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["detainer", "release_at"], name="release_notice_alert_once_per_release")
        ]

    def __str__(self) -> str:
        return f"Release-notice warning for detainer {self.detainer_id}"
