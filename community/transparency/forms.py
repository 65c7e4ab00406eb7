"""The administrator's transparency settings form: which sections are published, and the small-count threshold."""

from __future__ import annotations

from django import forms

from community.transparency.models import MIN_SUPPRESSION_THRESHOLD
from community.transparency.services import MAX_SUPPRESSION_THRESHOLD, THRESHOLD_MESSAGE, section_choices


class TransparencySettingsForm(forms.Form):
    """Sections (checkboxes, page order) and the threshold (5 to 100, default 10); the service checks them again."""

    sections = forms.MultipleChoiceField(
        label="Sections published",
        widget=forms.CheckboxSelectMultiple,
        help_text="Only the sections ticked appear on the public page and in its CSV.",
        error_messages={"required": "Choose at least one section to publish."},
    )
    suppression_threshold = forms.IntegerField(
        label="Small-count threshold",
        min_value=MIN_SUPPRESSION_THRESHOLD,
        max_value=MAX_SUPPRESSION_THRESHOLD,
        help_text=(
            f"Any count from 1 to one less than this shows as “fewer than” it, with other cells hidden so it "
            f"cannot be worked out. At least {MIN_SUPPRESSION_THRESHOLD}; 10 is the usual choice."
        ),
        error_messages={
            key: THRESHOLD_MESSAGE.format(low=MIN_SUPPRESSION_THRESHOLD, high=MAX_SUPPRESSION_THRESHOLD)
            for key in ("min_value", "max_value", "invalid", "required")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = [(key, str(title)) for key, title in section_choices()]
