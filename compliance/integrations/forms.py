"""The form of a new integration: which agency (when the administrator has several) and what the system is."""

from __future__ import annotations

from django import forms

from compliance.core.forms import AgencyChoiceMixin


class IntegrationForm(AgencyChoiceMixin, forms.Form):
    """Name a new integration; the agency is chosen only by an administrator of several."""

    name = forms.CharField(
        label="What the system is",
        max_length=100,
        help_text="For example 'Jail management system (vendor name)'. Shown in history and the access log.",
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_agency(agencies=agencies)
        if "agency" in self.fields:  # the agency choice first, as on other forms
            self.order_fields(["agency", "name"])
