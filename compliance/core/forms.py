"""Form helpers every app's record forms share: the agency choice, a person's name, bounded dates, service errors.

A user who may change records in more than one agency picks the agency on
create forms (``AgencyChoiceMixin``; used by the detainer, incident and outreach
forms). ``PersonNameField`` cleans a name as it is stored (``compliance.core.names``).
Every date a form or filter reads is a ``BoundedDateField`` (or carries
``validate_day_in_range``): ``9999-12-31`` or ``0001-01-01`` is refused next to
the field instead of overflowing later. ``add_service_errors`` puts a service's
``ValidationError`` next to the fields it names.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from compliance.core.local_days import DAY_OUT_OF_RANGE_MESSAGE, day_in_range
from compliance.core.models import Agency
from compliance.core.names import name_clean

CHOOSE_AGENCY_MESSAGE = "Choose the agency this record belongs to."


#: The roster and import pages' wording of the agency choice: a hint under it, Django's plain empty choice.
AGENCY_HELP = "You can change records in more than one agency: choose the one this record belongs to."
LISTED_CHOICE = {"help_text": AGENCY_HELP, "empty_label": "---------", "required_message": None}


class AgencyChoiceMixin:
    """The agency a form's record belongs to: fixed (edit, or only one allowed) or chosen.

    Call ``init_agency(agencies=..., agency=...)`` in ``__init__``. ``agencies``
    is where the user holds ``change_records`` (``compliance.core.access.agencies_for``);
    with more than one and no fixed ``agency`` an "Agency" select (by public id, in
    the agencies' order: state, name) is added first. ``selected_agency()`` answers
    which one, after ``is_valid``.
    """

    fixed_agency: Agency | None = None

    def init_agency(
        self,
        *,
        agencies,
        agency: Agency | None = None,
        initial: Agency | None = None,
        help_text: str = "",
        empty_label: str = "- Select the agency -",
        required_message: str | None = CHOOSE_AGENCY_MESSAGE,
    ) -> None:
        """Fix the agency or add the choice.

        Args:
            agencies: the agencies the user may choose among (iterable of ``Agency``).
            agency: the record's agency when it is fixed (an edit form).
            initial: the pre-selected agency (e.g. the user's home agency), if any.
            help_text, empty_label, required_message: the page's wording (``LISTED_CHOICE`` for the
                roster and import pages); ``required_message=None`` keeps Django's.
        """
        agencies = list(agencies)
        self.fixed_agency = agency or (agencies[0] if len(agencies) == 1 else None)
        if self.fixed_agency is None:
            field = forms.ModelChoiceField(
                queryset=Agency.objects.filter(pk__in=[a.pk for a in agencies]),
                to_field_name="public_id",
                label="Agency",
                empty_label=empty_label,
                initial=getattr(initial, "public_id", None),
                help_text=help_text,
                error_messages={"required": required_message} if required_message else None,
            )
            self.fields = {"agency": field, **self.fields}

    def selected_agency(self) -> Agency | None:
        """The fixed agency, or the valid chosen one (None until chosen)."""
        return self.fixed_agency or self.cleaned_data.get("agency")


class PersonNameField(forms.CharField):
    """A person's last or first name: cleaned by ``compliance.core.names.name_clean`` (NFC, outer spaces trimmed).

    A value of only spaces or invisible characters is empty, so a required name says
    "This field is required." next to the field. ``max_length`` counts the cleaned name.
    Use it (or ``Meta.field_classes`` on a model form) for every name field of a form.
    """

    def to_python(self, value):
        return name_clean(super().to_python(value))


def validate_day_in_range(value) -> None:
    """Refuse a date outside ``compliance.core.local_days.EARLIEST_DAY``–``LATEST_DAY`` (a field validator).

    Raises:
        ValidationError: ``DAY_OUT_OF_RANGE_MESSAGE``, code ``date_out_of_range``.
    """
    if value is not None and not day_in_range(value):
        raise ValidationError(DAY_OUT_OF_RANGE_MESSAGE, code="date_out_of_range")


class BoundedDateField(forms.DateField):
    """A ``DateField`` that refuses dates outside the app's calendar (``validate_day_in_range``).

    Use it for every date a form or filter reads, and in ``Meta.field_classes`` for a model's date fields.
    """

    default_validators = [validate_day_in_range]


#: ``formfield_overrides`` for a site-admin page: its model date fields are ``BoundedDateField``s too.
ADMIN_BOUNDED_DATES = {models.DateField: {"form_class": BoundedDateField}}


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form``: per field when it names one, else on top."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
