"""The retention schedules form (administrators) and the legal hold forms (supervisors and administrators)."""

from __future__ import annotations

from django import forms

from compliance.core.models import AUDIT_MINIMUM_DAYS, SCHEDULE_FIELDS, LegalHold, RetentionSettings, Schedule
from compliance.core.privacy.schedules import AUDIT_MINIMUM_MESSAGE, MAX_DAYS

CHECK_SCHEDULE = "Check against your records schedule."


class RetentionSettingsForm(forms.Form):
    """One number of days per schedule (0 to 36,500; the access log and account events at least 365)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for schedule, (name, default) in SCHEDULE_FIELDS.items():
            model_field = RetentionSettings._meta.get_field(name)
            low = AUDIT_MINIMUM_DAYS if schedule == Schedule.AUDIT_LOG else 0
            field = forms.IntegerField(
                label=model_field.verbose_name[:1].upper() + model_field.verbose_name[1:],
                min_value=low,
                max_value=MAX_DAYS,
                help_text=f"{Schedule(schedule).label}. Default: {default} days. {CHECK_SCHEDULE}",
            )
            if schedule == Schedule.AUDIT_LOG:
                field.error_messages["min_value"] = AUDIT_MINIMUM_MESSAGE
            self.fields[name] = field

    def confirm_purge(self, warnings: list[str]) -> bool:
        """Whether the administrator ticked "I understand …" for ``warnings`` (what the next purge would remove
        now); adds the tick box, with an error when it is not ticked. Call after ``is_valid()``."""
        field = forms.BooleanField(
            label="I understand that the next purge will remove this personal data for good",
            required=False,
            help_text=" ".join(warnings),
        )
        self.fields["confirm_purge"] = field
        ticked = field.widget.value_from_datadict(self.data, self.files, self.add_prefix("confirm_purge"))
        if not ticked:
            self.add_error(
                "confirm_purge",
                "A shorter period removes records at the next purge: tick to confirm, or keep the longer period.",
            )
        return bool(ticked)


class LegalHoldForm(forms.Form):
    """What a new hold covers, why, and its reference. On a case (``subject_allowed=False``) a hold covers the record
    only: no choice is asked and ``cleaned_data["scope"]`` is ``record``."""

    scope = forms.ChoiceField(
        label="The hold covers", choices=LegalHold.Scope.choices, widget=forms.RadioSelect, initial="record"
    )
    reason = forms.ChoiceField(label="Reason", choices=[("", "- Select -"), *LegalHold.Reason.choices])
    reference = forms.CharField(
        label="Reference",
        max_length=120,
        help_text="The court case, records request or investigation number. Do not type the person's name.",
    )

    def __init__(self, *args, subject_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject_allowed = subject_allowed
        if not subject_allowed:
            del self.fields["scope"]

    def clean(self):
        cleaned = super().clean()
        if not self.subject_allowed:
            cleaned["scope"] = LegalHold.Scope.RECORD
        return cleaned


class LegalHoldReleaseForm(forms.Form):
    """Why a hold is released."""

    reason = forms.CharField(
        label="Why is the hold released?", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
