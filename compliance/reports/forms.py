"""The report request form: validates only; ``services.report_request`` acts."""

from django import forms
from django.utils import timezone

from compliance.core import access
from compliance.core.forms import BoundedDateField
from compliance.core.models import Agency, Report

ERR_FUTURE = "The report date cannot be after today ({today}) in the agency's time zone."


class ReportRequestForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), empty_label=None, to_field_name="public_id")
    kind = forms.ChoiceField(label="Report", choices=Report.Kind.choices)
    as_of = BoundedDateField(
        label="As of",
        help_text=(
            "The agency-local date the statuses are computed for. The detainer log, the incidents and "
            "complaints report and the outreach and steering committee report cover the 90 days ending on this date."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only agencies where the user holds export_reports (an object permission).
        self.fields["agency"].queryset = access.agencies_for(user, access.EXPORT).order_by("state", "name")

    def clean(self):
        cleaned = super().clean()
        agency, as_of = cleaned.get("agency"), cleaned.get("as_of")
        if agency and as_of:
            today = timezone.localdate(timezone=agency.zone)
            if as_of > today:
                self.add_error("as_of", ERR_FUTURE.format(today=today.isoformat()))
        return cleaned
