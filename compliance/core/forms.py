"""Form helpers every app's record forms share: the agency choice, and a service's errors shown on a form.

A user who may change records in more than one agency picks the agency on
create forms (``AgencyChoiceMixin``; used by the detainer, incident and outreach
forms). ``add_service_errors`` puts a service's ``ValidationError`` next to the
fields it names.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from compliance.core.models import Agency

CHOOSE_AGENCY_MESSAGE = "Choose the agency this record belongs to."


class AgencyChoiceMixin:
    """The agency a form's record belongs to: fixed (edit, or only one allowed) or chosen.

    Call ``init_agency(agencies=..., agency=...)`` in ``__init__``. ``agencies``
    is the list of agencies where the user holds ``change_records``
    (``compliance.core.access.agencies_for``); with more than one and no fixed
    ``agency`` an "Agency" select (by public id) is added first.
    """

    def init_agency(self, *, agencies, agency: Agency | None) -> None:
        agencies = list(agencies)
        self.fixed_agency = agency or (agencies[0] if len(agencies) == 1 else None)
        if self.fixed_agency is None:
            field = forms.ModelChoiceField(
                queryset=Agency.objects.filter(pk__in=[a.pk for a in agencies]),
                to_field_name="public_id",
                label="Agency",
                empty_label="- Select the agency -",
                error_messages={"required": CHOOSE_AGENCY_MESSAGE},
            )
            self.fields = {"agency": field, **self.fields}

    def selected_agency(self) -> Agency | None:
        """The fixed agency, or the valid chosen one (None until chosen)."""
        return self.fixed_agency or self.cleaned_data.get("agency")


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form``: per field when it names one, else on top."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
