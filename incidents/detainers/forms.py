"""The detainer form and the outcome form. They validate only; views pass ``cleaned_data`` to services.

Times are typed on the agency's clock (``incidents.detainers.local_time``) and
reach services as aware UTC datetimes. A user who may change records in more
than one agency picks the agency on the create form (``compliance.core.forms.AgencyChoiceMixin``).
What the law forbids outright is refused next to the field (``incidents.detainers.checks.refusal_*``).
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone

from compliance.core.forms import AgencyChoiceMixin, BoundedDateField
from compliance.core.models import Agency, Agreement
from incidents.detainers import checks
from incidents.detainers.choices import PCBasis
from incidents.detainers.lift_reasons import LiftReason
from incidents.detainers.local_time import (
    AgencyLocalDateTimeField,
    AgencyLocalTimesMixin,
    AgencyTimesForm,
    zone_of,
)
from incidents.detainers.models import Detainer
from incidents.detainers.rules import FUTURE_MESSAGE
from incidents.detainers.scope import agreement_in_force, agreements_in_force, several_agreements_message
from incidents.detainers.validators import a_number_normalise, country_code_normalise
from training.roster.models import Officer

WARRANT_TYPE_NEEDED_MESSAGE = "Choose the warrant type (I-200 or I-205) that was signed."

RELEASE_BEFORE_BOOKING_MESSAGE = "The person cannot be due for release before they were booked."

RECEIVED_BEFORE_ISSUED_MESSAGE = "The detainer cannot be received before it was issued."


BIRTH_DATE_MESSAGE = "The date of birth must be in the past."

OFFICER_AGENCY_MESSAGE = "This officer is not on the roster of {agency}."

LIFT_REASON_MESSAGE = "Say why the detainer was lifted or declined."

PENDING_OUTCOME_MESSAGE = "Choose what happened: transferred, released, or lifted."

ACTION_TIME_MESSAGE = "Say when the 287(g) action was taken."


class DetainerForm(AgencyChoiceMixin, AgencyLocalTimesMixin, forms.ModelForm):
    """Log or correct a detainer (I-247A and its warrant). The hold deadline is derived, never typed."""

    booked_at = AgencyLocalDateTimeField(label="Booked at", required=False)
    issued_at = AgencyLocalDateTimeField(label="Detainer issued at", required=False)
    received_at = AgencyLocalDateTimeField(label="Detainer received at")
    would_be_released_at = AgencyLocalDateTimeField(
        label="Would otherwise be released at",
        required=False,
        help_text=(
            "When state custody would otherwise end: bail posted, charges dismissed, sentence served or release "
            "ordered. The hold deadline is this time plus 48 hours (R4.7)."
        ),
    )

    # The I-247A's probable-cause boxes (R4.2, R4.4) and the time of the 287(g) action (R1.6, R2.7).
    pc_basis = forms.MultipleChoiceField(
        label="Probable-cause basis (Box 1), as ticked on the detainer",
        choices=PCBasis.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The last two are not probable cause; a detainer stating them is flagged (R4.4).",
    )
    # Typed with spaces or hyphens (A-123-456-789); stored as A and 9 digits (``a_number_normalise``).
    a_number = forms.CharField(
        label="A-number",
        max_length=20,
        required=False,
        help_text="The detainer's File No.: A followed by 8 or 9 digits.",
    )
    action_at = AgencyLocalDateTimeField(
        label="287(g) action taken at",
        required=False,
        help_text="When the handling officer acted; the officer must be authorized at that moment.",
    )

    class Meta:
        model = Detainer
        fields = [
            "subject_last_name",
            "subject_first_name",
            "subject_date_of_birth",
            "subject_sex",
            "subject_country_of_citizenship",
            "a_number",
            "booking_number",
            "booked_at",
            "underlying_charge",
            "offense_level",
            "minor_offense_only",  # R3.3: the offense-level page
            "form",
            "form_version",
            "issuing_office",
            "issued_at",
            "received_at",
            "box_1_probable_cause",
            "pc_basis",
            "box_2_transfer_for_proceeding",
            "warrant_type",
            "warrant_signed",
            "would_be_released_at",
            "release_cause",
            "local_hold_authority",
            "agreement",
            "handling_officer",
            "ice_supervisor",
            "action",
            "action_at",
        ]
        labels = {
            "subject_last_name": "Subject's last name",
            "subject_first_name": "Subject's first name",
            "subject_date_of_birth": "Subject's date of birth",
            "underlying_charge": "Underlying criminal charge",
            "form": "Detainer form",
            "warrant_signed": "The warrant is signed",
        }
        widgets = {"subject_date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        field_classes = {"subject_date_of_birth": BoundedDateField}

    def __init__(self, *args, agencies, agency: Agency | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_agency(agencies=agencies, agency=agency)
        self.fields["underlying_charge"].required = True
        scope = [self.fixed_agency] if self.fixed_agency else list(agencies)
        officers = self.fields["handling_officer"]
        officers.queryset = Officer.objects.filter(agency__in=scope).order_by("last_name", "first_name")
        if len(scope) > 1:
            names = {a.pk: a.name for a in scope}
            officers.label_from_instance = lambda officer: f"{officer} — {names.get(officer.agency_id, '')}"
        self._init_agreement(scope)
        self.init_local_times(zone_of(self.fixed_agency))

    def _init_agreement(self, scope: list[Agency]) -> None:
        """The agreements of the form's agencies; a new record defaults to the one in force (R1.6)."""
        field = self.fields["agreement"]
        field.queryset = Agreement.objects.filter(agency__in=scope).select_related("agency")
        field.empty_label = "- The agreement in force when the detainer was received -"
        if len(scope) > 1:
            field.label_from_instance = lambda agreement: f"{agreement} — {agreement.agency.name}"
        if "agreement" not in self.initial and self.fixed_agency is not None:
            self.initial["agreement"] = agreement_in_force(agency=self.fixed_agency, at=timezone.now())

    def clean_a_number(self) -> str:
        return a_number_normalise(self.cleaned_data.get("a_number", ""))

    def clean_subject_country_of_citizenship(self) -> str:
        return country_code_normalise(self.cleaned_data.get("subject_country_of_citizenship", ""))

    def clean(self):
        cleaned = super().clean()
        agency = self.selected_agency()
        self.clean_local_times(zone_of(agency))
        if agency is not None:
            self._check_rules(agency)
        return cleaned

    def _check_rules(self, agency: Agency) -> None:
        data = self.cleaned_data
        now = timezone.now()
        today = timezone.localdate(timezone=agency.zone)
        issued, received = data.get("issued_at"), data.get("received_at")
        booked, release = data.get("booked_at"), data.get("would_be_released_at")
        form_type = data.get("form")
        if issued and form_type:
            problem = checks.refusal_form_issue_date(
                form=form_type, issued_on=timezone.localdate(issued, timezone=agency.zone)
            )
            if problem:
                self.add_error("form", problem)
        for name in ("issued_at", "received_at", "booked_at"):
            value = data.get(name)
            if isinstance(value, datetime) and value > now:
                self.add_error(name, FUTURE_MESSAGE)
        if issued and received and received < issued:
            self.add_error("received_at", RECEIVED_BEFORE_ISSUED_MESSAGE)
        if booked and release and release < booked:
            self.add_error("would_be_released_at", RELEASE_BEFORE_BOOKING_MESSAGE)
        birth = data.get("subject_date_of_birth")
        if birth and birth >= today:
            self.add_error("subject_date_of_birth", BIRTH_DATE_MESSAGE)
        if data.get("warrant_signed") and not data.get("warrant_type"):
            self.add_error("warrant_type", WARRANT_TYPE_NEEDED_MESSAGE)
        officer = data.get("handling_officer")
        if officer is not None and officer.agency_id != agency.pk:
            self.add_error("handling_officer", OFFICER_AGENCY_MESSAGE.format(agency=agency.name))
            officer = None
        self._check_legal_limits(agency, officer)

    def _check_legal_limits(self, agency: Agency, officer) -> None:
        """What the law forbids is refused here, next to the field (``incidents.detainers.checks``)."""
        data = self.cleaned_data
        action_at = data.get("action_at")
        if isinstance(action_at, datetime) and action_at > timezone.now():
            self.add_error("action_at", FUTURE_MESSAGE)
            return
        problem = checks.refusal_boxes(
            box_1=bool(data.get("box_1_probable_cause")),
            box_2=bool(data.get("box_2_transfer_for_proceeding")),
            pc_basis=data.get("pc_basis") or [],
        )
        if problem:
            self.add_error("box_2_transfer_for_proceeding", problem)
        if data.get("action") and not action_at:
            self.add_error("action_at", ACTION_TIME_MESSAGE)
        when = action_at or data.get("received_at")
        agreement = data.get("agreement")
        if agreement is not None and agreement.agency_id != agency.pk:
            self.add_error("agreement", checks.AGREEMENT_AGENCY_MESSAGE)
            return
        if agreement is None and isinstance(when, datetime):
            in_force = agreements_in_force(agency=agency, at=when)
            if len(in_force) > 1:  # never save a detainer silently without its MOA (R1.6)
                self.add_error("agreement", several_agreements_message(in_force))
                return
            agreement = in_force[0] if in_force else None
        problem = checks.refusal_action(agreement=agreement, action=data.get("action") or "")
        if problem:
            self.add_error("action", problem)
        if officer is not None and isinstance(when, datetime):
            problem = checks.refusal_officer(officer=officer, at=when, agreement=agreement)
            if problem:
                self.add_error("handling_officer", problem)


class DetainerOutcomeForm(AgencyTimesForm):
    """Record how a detainer ended: transferred to ICE, released, or lifted."""

    outcome = forms.ChoiceField(
        # No outcome preselected: custody ending is never recorded by leaving a default in place.
        choices=[("", "- Select how custody ended -")]
        + [(value, label) for value, label in Detainer.Outcome.choices if value != Detainer.Outcome.PENDING],
        error_messages={"required": PENDING_OUTCOME_MESSAGE},
    )
    outcome_at = AgencyLocalDateTimeField(label="When")
    lift_reason = forms.ChoiceField(
        label="Why lifted or declined (ICE's lift reason)",
        choices=[("", "- Select -"), *LiftReason.choices],
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        when = cleaned.get("outcome_at")
        if isinstance(when, datetime) and when > timezone.now():
            self.add_error("outcome_at", FUTURE_MESSAGE)
        if cleaned.get("outcome") == Detainer.Outcome.LIFTED and not cleaned.get("lift_reason"):
            self.add_error("lift_reason", LIFT_REASON_MESSAGE)
        return cleaned
