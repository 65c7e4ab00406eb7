"""Forms for organisations and contacts, and the list pages' filters. They validate only; views pass
``cleaned_data`` to ``community.organisations.services``."""

from __future__ import annotations

from django import forms

from community.organisations.models import Contact, Organisation
from compliance.core.forms import AgencyChoiceMixin, PersonNameField
from compliance.core.models import Agency


class ContactChoiceField(forms.ModelChoiceField):
    """A contact of the agency, shown as "Name — Organisation" (just the name when the contact has none).

    Give it a queryset with ``select_related("organisation")`` so the choices cost one query.
    """

    def label_from_instance(self, obj) -> str:
        return f"{obj.name} — {obj.organisation.name}" if obj.organisation_id else obj.name


class OrganisationForm(AgencyChoiceMixin, forms.ModelForm):
    """Add or change an organisation: name, kind, website, notes (the agency is chosen on create only)."""

    name = PersonNameField(label="Name", max_length=200)

    class Meta:
        model = Organisation
        fields = ["name", "kind", "website", "notes"]
        labels = {"website": "Website"}
        help_texts = {"website": "Shown as text, e.g. example.org.", "notes": "Nothing about any one resident."}

    def __init__(self, *args, agencies, agency: Agency | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_agency(agencies=agencies, agency=agency)


class ContactForm(AgencyChoiceMixin, forms.ModelForm):
    """Add or change a contact: a person the agency deals with (their e-mail and phone are personal data)."""

    name = PersonNameField(label="Name", max_length=200)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        to_field_name="public_id",
        required=False,
        label="Organisation",
        empty_label="- None -",
        help_text="The organisation they speak for, if any.",
    )

    class Meta:
        model = Contact
        fields = ["name", "organisation", "role", "email", "phone", "languages", "notes"]
        labels = {"email": "E-mail", "phone": "Phone", "languages": "Languages they prefer"}
        help_texts = {"notes": "Only what the agency needs to work with them."}

    def __init__(self, *args, agencies, agency: Agency | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_agency(agencies=agencies, agency=agency)
        pks = [agency.pk] if agency is not None else [a.pk for a in agencies]
        queryset = Organisation.objects.filter(agency__in=pks).select_related("agency").order_by("name", "pk")
        self.fields["organisation"].queryset = queryset
        if len(pks) > 1:
            self.fields["organisation"].label_from_instance = lambda org: f"{org.name} ({org.agency.name})"
        else:
            self.fields["organisation"].label_from_instance = lambda org: (
                org.name + ("" if org.active else " (inactive)")
            )


class OrganisationFilterForm(forms.Form):
    """The organisation list's filters (GET): a name to search for and a kind."""

    q = forms.CharField(label="Name contains", required=False, max_length=200)
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *Organisation.Kind.choices])
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Active"), ("inactive", "Inactive"), ("all", "Active and inactive")],
    )


class ContactFilterForm(forms.Form):
    """The contact list's filters (GET): their organisation, active or not (no name: it would be in the URL)."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        to_field_name="public_id",
        required=False,
        label="Organisation",
        empty_label="Any organisation",
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Active"), ("inactive", "Inactive"), ("all", "Active and inactive")],
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
