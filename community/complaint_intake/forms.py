"""The public complaint form and the status look-up form: they validate only (views call the services).

Every label, hint and message is translated (``gettext_lazy``): the page is in the visitor's
language. The date (and optional time) is on the chosen agency's clock. Free text is stored in
NFC (a decomposed "ñ" from a Mac is the same letter) and may not hold NUL bytes (Django's
``ProhibitNullCharactersValidator``). ``website`` is a honeypot: hidden from people by a CSS
class, a bot that fills it is answered as if it succeeded and nothing is stored (the view).
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from datetime import datetime, time

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy

from compliance.core.forms import BoundedDateField
from compliance.core.models import Agency
from incidents.incident_log.models import Incident

DESCRIPTION_MAX = 20_000
HONEYPOT = "website"
FUTURE_DATE = gettext_lazy("The date cannot be in the future.")
FUTURE_TIME = gettext_lazy("The time cannot be in the future.")
DATE_OUT_OF_RANGE = gettext_lazy("Enter a date from 1900-01-01 to 2199-12-31.")


class MultipleFileInput(forms.FileInput):
    """A file input that lets the person choose several files at once."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Up to ``settings.CASE_FILE_MAX_COUNT`` files; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(MultipleFileField, self).clean(item, initial) for item in items if item]
        if len(cleaned) > settings.CASE_FILE_MAX_COUNT:
            raise forms.ValidationError(
                gettext_lazy("Attach at most %(limit)d files.") % {"limit": settings.CASE_FILE_MAX_COUNT},
                code="too_many_files",
            )
        return cleaned


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return f"{obj.name} ({obj.state})"


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value or "").strip()


PHONE = RegexValidator(
    r"^[0-9+()\-.\s/extEXT#]{0,40}$",
    gettext_lazy("Enter a phone number using digits, spaces, +, - or parentheses."),
)


class ComplaintForm(forms.Form):
    """What a resident tells about an incident: what, when, where, who, and how to reach them (all optional)."""

    agency = AgencyChoiceField(
        queryset=Agency.objects.order_by("state", "name"),
        to_field_name="public_id",
        label=gettext_lazy("Which agency is your complaint about?"),
        help_text=gettext_lazy("The sheriff's office or police department whose officer was involved."),
        empty_label=gettext_lazy("Choose an agency"),
    )
    description = forms.CharField(
        label=gettext_lazy("What happened?"),
        help_text=gettext_lazy("Tell us in your own words. You can write in English or Spanish."),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=DESCRIPTION_MAX,
    )
    occurred_on = BoundedDateField(
        label=gettext_lazy("On what date did it happen?"),
        help_text=gettext_lazy("For example: 2026-03-14."),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"date_out_of_range": DATE_OUT_OF_RANGE},
    )
    occurred_time = forms.TimeField(
        label=gettext_lazy("At what time? (optional)"),
        help_text=gettext_lazy("If you remember. For example: 14:30."),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    location = forms.CharField(
        label=gettext_lazy("Where did it happen?"),
        help_text=gettext_lazy("An address, a road and the nearest town, or a place such as the county jail."),
        max_length=300,
    )
    officer = forms.CharField(
        label=gettext_lazy("Which officer? (optional)"),
        help_text=gettext_lazy("A name or badge number, if you know it."),
        max_length=200,
        required=False,
    )
    immigration = forms.ChoiceField(
        label=gettext_lazy("Is it about immigration: questions about status, holds for immigration, or ICE?"),
        choices=[
            (Incident.Immigration.YES, gettext_lazy("Yes")),
            (Incident.Immigration.NO, gettext_lazy("No")),
            (Incident.Immigration.UNSURE, gettext_lazy("Not sure")),
        ],
        initial=Incident.Immigration.UNSURE,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=gettext_lazy("Your name (optional)"), max_length=200, required=False)
    email = forms.EmailField(
        label=gettext_lazy("E-mail (optional)"),
        help_text=gettext_lazy("We send a message when your complaint is received and when it is closed."),
        max_length=254,
        required=False,
    )
    phone = forms.CharField(label=gettext_lazy("Phone (optional)"), max_length=40, required=False, validators=[PHONE])
    language = forms.ChoiceField(
        label=gettext_lazy("In which language should we write to you?"), choices=(), required=True
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Documents or photos (optional)"),
        help_text=gettext_lazy("Up to 3 files: PDF, PNG or JPEG, at most 10 MB each."),
        required=False,
    )
    website = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
        current = (get_language() or "en").split("-")[0]
        self.fields["language"].initial = current if current in dict(settings.LANGUAGES) else "en"

    def clean_description(self):
        return _nfc(self.cleaned_data["description"])

    def clean_location(self):
        return _nfc(self.cleaned_data["location"])

    def clean_officer(self):
        return _nfc(self.cleaned_data["officer"])

    def clean_name(self):
        return _nfc(self.cleaned_data["name"])

    def clean_phone(self):
        return re.sub(r"\s+", " ", _nfc(self.cleaned_data["phone"]))

    @property
    def is_bot(self) -> bool:
        """The honeypot was filled: a person never sees it."""
        return bool((self.data.get(HONEYPOT) or "").strip())

    def clean(self):
        cleaned = super().clean()
        agency, day = cleaned.get("agency"), cleaned.get("occurred_on")
        if agency is None or day is None:
            return cleaned
        zone = zoneinfo.ZoneInfo(agency.time_zone)
        now = timezone.now().astimezone(zone)
        if day > now.date():
            self.add_error("occurred_on", FUTURE_DATE)
            return cleaned
        moment = datetime.combine(day, cleaned.get("occurred_time") or time(0, 0), tzinfo=zone)
        if moment > now:
            self.add_error("occurred_time", FUTURE_TIME)
            return cleaned
        cleaned["occurred_at"] = moment
        return cleaned


class StatusForm(forms.Form):
    """The tracking number, typed (sent by POST: never in the URL)."""

    tracking_number = forms.CharField(
        label=gettext_lazy("Tracking number"),
        help_text=gettext_lazy("The 10 letters and numbers you received, for example: 7KQP-X4M-RT9."),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
