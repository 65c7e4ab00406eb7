"""Forms of the people pages: input only (the services check again who may grant what)."""

from __future__ import annotations

from django import forms

from compliance.accounts.people import grantable_roles
from compliance.core.models import User
from compliance.core.roles import Role

ROLE_CHOICES = [("", "Choose a role"), *((role, role) for role in Role.ALL)]


class _AgencyRoleMixin:
    """Agency choices limited to the administrator's agencies; the role must be one they may grant there."""

    def _limit(self, admin, agencies, *names):
        self.admin = admin
        for name in names:
            self.fields[name].queryset = agencies

    def _check_role(self, agency_field: str):
        agency, role = self.cleaned_data.get(agency_field), self.cleaned_data.get("role")
        if agency and role and role not in grantable_roles(self.admin, agency):
            self.add_error("role", f"You cannot give this role in {agency.name}.")


class InviteForm(_AgencyRoleMixin, forms.Form):
    username = forms.CharField(label="Username", max_length=150, help_text="Letters, digits and @ . + - _ only.")
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    email = forms.EmailField(label="E-mail address", help_text="The invitation link is sent here.")
    agency = forms.ModelChoiceField(label="Agency", queryset=None, empty_label="Choose an agency")
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES)

    def __init__(self, *args, admin, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit(admin, agencies, "agency")

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is taken: choose another.")
        return username

    def clean(self):
        data = super().clean()
        self._check_role("agency")
        return data


class RoleForm(_AgencyRoleMixin, forms.Form):
    agency = forms.ModelChoiceField(label="Agency", queryset=None, empty_label="Choose an agency")
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES)

    def __init__(self, *args, admin, agencies, **kwargs):
        super().__init__(*args, prefix="role", **kwargs)
        self._limit(admin, agencies, "agency")

    def clean(self):
        data = super().clean()
        self._check_role("agency")
        return data


class MoveForm(_AgencyRoleMixin, forms.Form):
    from_agency = forms.ModelChoiceField(label="From agency", queryset=None, empty_label="Choose an agency")
    to_agency = forms.ModelChoiceField(label="To agency", queryset=None, empty_label="Choose an agency")
    role = forms.ChoiceField(label="Role in the new agency", choices=ROLE_CHOICES)

    def __init__(self, *args, admin, agencies, **kwargs):
        super().__init__(*args, prefix="move", **kwargs)
        self._limit(admin, agencies, "from_agency", "to_agency")

    def clean(self):
        data = super().clean()
        if data.get("from_agency") and data.get("from_agency") == data.get("to_agency"):
            self.add_error("to_agency", "Choose another agency than the one the person leaves.")
        self._check_role("to_agency")
        return data


class SetPasswordForm(forms.Form):
    """The invited person's first password, checked by Django's validators (SECURITY.md A5)."""

    password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; not a common password, not all digits, not like your name.",
    )
    password2 = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password2(self):
        from django.contrib.auth.password_validation import validate_password

        p1, p2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError("The two passwords differ: type the same one twice.")
        if p2:
            validate_password(p2, self.user)
        return p2
