"""The inspection-readiness page's period form: validates the dates only (``compliance.views.inspection``)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from compliance.core.forms import BoundedDateField
from compliance.core.models import Report
from compliance.reports.forms import ERR_FUTURE, ERR_ORDER, ERR_SPAN, MAX_PERIOD_DAYS

BASIS_CHOICES = [
    (Report.Basis.EFFECTIVE.value, "As effective on: facts count from the day they happened"),
    (Report.Basis.RECORDED.value, "As recorded by: what the records said at the end of the last day"),
]


class InspectionPeriodForm(forms.Form):
    """The period of the inspection page and of its PDF request: first and last agency-local day, the basis.

    ``agency`` (keyword): the agreement's agency, whose today bounds the last day. Errors name the field: the last
    day after today, the first after the last, a period longer than ``MAX_PERIOD_DAYS`` (three years), a date
    outside the app's calendar (``BoundedDateField``) or not a date.
    """

    start = BoundedDateField(
        label="Period from",
        help_text="The first day, included (the agency's local date).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = BoundedDateField(
        label="Period to",
        help_text="The last day, included; not after today. The answer is as things stood at the end of that day.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    basis = forms.ChoiceField(
        label="What “as of” means",
        required=False,
        choices=BASIS_CHOICES,
        widget=forms.RadioSelect,
        help_text="Only the findings and requirements entered later differ between the two.",
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if end:
            today = timezone.localdate(timezone=self.agency.zone)
            if end > today:
                self.add_error("end", ERR_FUTURE.format(today=today.isoformat()))
        if start and end:
            if start > end:
                self.add_error("start", ERR_ORDER.format(end=end.isoformat()))
            elif (end - start) + timedelta(days=1) > timedelta(days=MAX_PERIOD_DAYS):
                self.add_error("start", ERR_SPAN.format(years=3))
        cleaned["basis"] = cleaned.get("basis") or Report.Basis.EFFECTIVE.value
        return cleaned
