"""Quick-action forms of the custody board. They validate only; ``incidents.custody.views`` calls the services.

Times are typed on the agency's clock (``AgencyLocalDateTimeField``, DST-safe,
case D3) and reach services as aware UTC datetimes.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone

from incidents.actions.language import LANGUAGE_REQUIRED_MESSAGE, USED_TYPES, service_language_errors
from incidents.detainers.choices import InterpreterType
from incidents.detainers.forms import OUTCOME_EXPLANATION_HELP, explanation_field
from incidents.detainers.local_time import AgencyLocalDateTimeField, AgencyTimesForm
from incidents.detainers.rules import FUTURE_MESSAGE


class _AgencyTimesForm(AgencyTimesForm):
    """A small form whose times are read in ``agency``'s zone and may not be in the future."""

    def clean(self):
        cleaned = super().clean()
        for name in self.local_time_fields():
            value = cleaned.get(name)
            if isinstance(value, datetime) and value > timezone.now():
                self.add_error(name, FUTURE_MESSAGE)
        return cleaned


class ServiceForm(_AgencyTimesForm):
    """A copy of the detainer served on the person held (R4.5): when, by whom, language, interpreter (R3.8).

    The language is required, and a used interpreter needs its kind (in person,
    telephone, video); a kind without a used interpreter is refused
    (``incidents.actions.language``, the rule the service applies too).
    """

    served_on_subject_at = AgencyLocalDateTimeField(label="Served at")
    served_by = forms.CharField(label="Served by (name or badge)", max_length=100)
    service_language = forms.CharField(
        label="Language",
        max_length=60,
        error_messages={"required": LANGUAGE_REQUIRED_MESSAGE},
        help_text="The language the copy was served or explained in (R3.8).",
    )
    interpreter_used = forms.BooleanField(label="An interpreter was used", required=False)
    service_interpreter_type = forms.ChoiceField(
        label="Interpreter",
        choices=[("", "- Select -"), *((value, InterpreterType(value).label) for value in USED_TYPES)],
        required=False,
        help_text="Required when an interpreter was used.",
    )

    def clean(self):
        cleaned = super().clean()
        errors = service_language_errors(
            language=cleaned.get("service_language", ""),
            interpreter_used=bool(cleaned.get("interpreter_used")),
            interpreter_type=cleaned.get("service_interpreter_type", ""),
        )
        for name, message in errors.items():
            if name not in self.errors:  # a blank language already says so once ("required")
                self.add_error(name, message)
        return cleaned


class IceNotifiedForm(_AgencyTimesForm):
    """When ICE was told of the person's release date and time."""

    ice_notified_at = AgencyLocalDateTimeField(label="ICE notified at")


class CustodyEndForm(_AgencyTimesForm):
    """When the person was transferred to ICE custody, or released; the explanation when that broke a rule.

    Custody that ended after the hold deadline (or after the release time on an I-247N) is recorded
    as it happened; the service then requires the explanation (``incidents.detainers.rule_breaks``).
    """

    outcome_at = AgencyLocalDateTimeField(label="When")
    explanation = explanation_field(help_text=OUTCOME_EXPLANATION_HELP)
