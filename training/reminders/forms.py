"""Forms of the reminder settings page. They validate only; ``training.reminders.thresholds`` saves."""

from __future__ import annotations

import re

from django import forms

from training.reminders.thresholds import MAX_THRESHOLD_DAYS, THRESHOLD_OUT_OF_RANGE

THRESHOLDS_NOT_NUMBERS = "Write whole numbers of days separated by commas, e.g. 90, 60, 30, 7, 0."


class ReminderSettingsForm(forms.Form):
    reminder_thresholds_days = forms.CharField(
        label="Notice thresholds (days before the last valid day)",
        max_length=100,
        help_text=f"Whole numbers from 0 to {MAX_THRESHOLD_DAYS}, separated by commas, e.g. 90, 60, 30, 7, 0. "
        "The notice on the last valid day (0) is always sent.",
    )

    def clean_reminder_thresholds_days(self) -> list[int]:
        parts = [part for part in re.split(r"[,\s;]+", self.cleaned_data["reminder_thresholds_days"]) if part]
        # ASCII digits only: "²" or "٣" pass str.isdigit() but are not numbers int() reads (a server error).
        if not parts or not all(part.isascii() and part.isdigit() for part in parts):
            raise forms.ValidationError(THRESHOLDS_NOT_NUMBERS)
        values = [int(part) for part in parts]
        if any(value > MAX_THRESHOLD_DAYS for value in values):
            raise forms.ValidationError(THRESHOLD_OUT_OF_RANGE)
        return values
