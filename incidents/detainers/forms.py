"""The detainer form and the outcome form. They validate only; views pass ``cleaned_data`` to services.

Times are typed on the agency's clock (``incidents.detainers.local_time``) and
reach services as aware UTC datetimes. A user who may change records in more
than one agency picks the agency on the create form (``compliance.core.forms.AgencyChoiceMixin``).
Input that cannot be right is refused next to the field (``incidents.detainers.checks.refusal_*``). A past
fact that broke a rule (an officer not authorized that day, an action outside the agreement, a hold on a
form that cannot authorize one) is not refused: the service records it and asks for the ``explanation``
(``incidents.detainers.rule_breaks``; docs/decisions/past-facts-and-gates.md).

The detainer form is long, so it comes in sections that follow the I-247A and the
jail's day (``DETAINER_SECTIONS``: subject, charge, detainer and warrant, service,
release, outcome; ``compliance.core.form_sections``), with the error summary on top.
Where the agency has several agreements in force, the one whose model covers the
chosen action is the default (``incidents.detainers.scope.agreements_covering``).
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone

from compliance.core.form_sections import FormSection, SectionedFormMixin
from compliance.core.forms import AgencyChoiceMixin, BoundedDateField, PersonNameField
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
from incidents.detainers.scope import (
    ALLOWED_ACTIONS,
    agreements_covering,
    agreements_in_force,
    several_agreements_message,
)
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

EXPLANATION_LABEL = "Explanation, if what you record broke a rule"
EXPLANATION_HELP = (
    "Required when what you record already happened and broke a rule (for example an officer who was not "
    "authorized that day, or a hold past its limit): it is saved as it happened, the failed check is shown, a "
    "finding is opened and the supervisors are told. Say what happened and why."
)

OUTCOME_EXPLANATION_HELP = (
    "Required when custody ended after the hold deadline, or after the release time on a form that cannot "
    "authorize a hold (I-247N): it is recorded as it happened, with a critical finding and the supervisors told."
)


def explanation_field(**kwargs) -> forms.CharField:
    """The optional explanation every form that records a past fact carries (the service says when it is required)."""
    return forms.CharField(
        label=kwargs.pop("label", EXPLANATION_LABEL),
        help_text=kwargs.pop("help_text", EXPLANATION_HELP),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        **kwargs,
    )


AGREEMENT_EMPTY_LABEL = "- The agreement in force that covers the action -"
AGREEMENT_HELP = (
    "Left blank: the agreement in force when the action was taken (or the detainer received). Where several are "
    "in force, the one whose model covers the action (R1.6)."
)

#: The detainer form's sections, in the order of the I-247A and of the jail's day (compliance.core.form_sections).
#: Fields of the detainer form that are not the model's: the agency choice and the explanation of a rule break.
FORM_ONLY_FIELDS = frozenset({"agency", "explanation"})

DETAINER_SECTIONS = (
    FormSection(
        "subject",
        "Subject",
        (
            "agency",
            "subject_last_name",
            "subject_first_name",
            "subject_date_of_birth",
            "subject_sex",
            "subject_country_of_citizenship",
            "a_number",
        ),
        hint="The person the detainer names, as printed on the I-247A.",
    ),
    FormSection(
        "charge",
        "Charge",
        ("booking_number", "booked_at", "underlying_charge", "offense_level", "minor_offense_only"),
        hint="The booking and the state or local criminal charge the person is held on (R4.4), and its level (R3.3).",
    ),
    FormSection(
        "detainer",
        "Detainer and warrant",
        (
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
        ),
        hint="The detainer form and its probable-cause boxes (R4.1–R4.2, R4.4), and the signed ICE warrant that "
        "must come with an I-247A (R4.3).",
    ),
    FormSection(
        "service",
        "Service and the 287(g) action",
        ("handling_officer", "action", "action_at", "agreement", "ice_supervisor", "explanation"),
        hint="Who acted under the agreement, what they did and when (R1.6, R3.4). Serving a copy on the person "
        "(R4.5) and telling ICE of the release are recorded from the custody board once the detainer is logged.",
    ),
    FormSection(
        "release",
        "Release",
        ("would_be_released_at", "release_cause", "local_hold_authority"),
        hint="When state custody would otherwise end: the 48-hour hold limit counts from it (R4.7–R4.8).",
    ),
    FormSection(
        "outcome",
        "Outcome",
        note="How custody ended (transferred to ICE, released, or the detainer lifted) is recorded on the "
        "detainer's page or the custody board when it happens; a hold past the deadline opens a finding (R4.8).",
    ),
)


class AgreementSelect(forms.Select):
    """The agreement choice; each option says which actions its model allows (static/js/detainer_form.js).

    ``in_force`` holds the keys of the agreements in force today: the script
    preselects, among them, the one whose model covers the action chosen.
    """

    in_force: frozenset = frozenset()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        agreement = getattr(value, "instance", None)
        if agreement is not None:
            option["attrs"]["data-actions"] = " ".join(sorted(ALLOWED_ACTIONS.get(agreement.model, ())))
            if agreement.pk in self.in_force:
                option["attrs"]["data-in-force"] = "true"
        return option


class DetainerForm(AgencyChoiceMixin, AgencyLocalTimesMixin, SectionedFormMixin, forms.ModelForm):
    """Log or correct a detainer (I-247A and its warrant). The hold deadline is derived, never typed."""

    sections = DETAINER_SECTIONS

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

    explanation = explanation_field()

    class Meta:
        model = Detainer
        # The model's fields, in the sections' order (the sections name two form-only fields too).
        fields = [name for section in DETAINER_SECTIONS for name in section.fields if name not in FORM_ONLY_FIELDS]
        labels = {
            "subject_last_name": "Subject's last name",
            "subject_first_name": "Subject's first name",
            "subject_date_of_birth": "Subject's date of birth",
            "underlying_charge": "Underlying criminal charge",
            "form": "Detainer form",
            "warrant_signed": "The warrant is signed",
            "agreement": "Agreement (MOA) acted under",
        }
        help_texts = {"agreement": AGREEMENT_HELP}
        widgets = {
            "subject_date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "agreement": AgreementSelect,
        }
        # Names as people have them (compliance.core.names): NFC, outer spaces trimmed; first name optional.
        # Dates within the app's calendar (compliance.core.forms.BoundedDateField).
        field_classes = {
            "subject_last_name": PersonNameField,
            "subject_first_name": PersonNameField,
            "subject_date_of_birth": BoundedDateField,
        }

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
        self.order_by_sections()

    def _init_agreement(self, scope: list[Agency]) -> None:
        """The agreements of the form's agencies; a new record defaults to the one in force (R1.6).

        With several in force, no agreement is preselected on the page until an action
        is chosen (``static/js/detainer_form.js`` then picks the one whose model covers
        it); left blank, ``clean`` picks it the same way.
        """
        field = self.fields["agreement"]
        field.queryset = Agreement.objects.filter(agency__in=scope).select_related("agency")
        field.empty_label = AGREEMENT_EMPTY_LABEL
        if len(scope) > 1:
            field.label_from_instance = lambda agreement: f"{agreement} — {agreement.agency.name}"
        if self.fixed_agency is not None:
            in_force = agreements_in_force(agency=self.fixed_agency, at=timezone.now())
            field.widget.in_force = frozenset(agreement.pk for agreement in in_force)
            if "agreement" not in self.initial and len(in_force) == 1:
                self.initial["agreement"] = in_force[0]

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
        self._check_legal_limits(agency)

    def _check_legal_limits(self, agency: Agency) -> None:
        """Input that cannot be right is refused here, next to the field (``incidents.detainers.checks``).

        The action outside the agreement and the officer not authorized are past facts: the service
        records them (``incidents.detainers.rule_breaks``); here only the agreement they are judged
        under must be known (among several in force: the one whose model covers the action, R1.6).
        """
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
            if len(in_force) > 1:
                # The default among several: the one whose model covers the action (R1.6).
                in_force = agreements_covering(in_force, action=data.get("action") or "") or in_force
                if len(in_force) > 1:  # never save a detainer silently without its MOA (R1.6)
                    self.add_error("agreement", several_agreements_message(in_force))
                    return
                data["agreement"] = in_force[0]


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
    explanation = explanation_field(help_text=OUTCOME_EXPLANATION_HELP)

    def clean(self):
        cleaned = super().clean()
        when = cleaned.get("outcome_at")
        if isinstance(when, datetime) and when > timezone.now():
            self.add_error("outcome_at", FUTURE_MESSAGE)
        if cleaned.get("outcome") == Detainer.Outcome.LIFTED and not cleaned.get("lift_reason"):
            self.add_error("lift_reason", LIFT_REASON_MESSAGE)
        return cleaned
