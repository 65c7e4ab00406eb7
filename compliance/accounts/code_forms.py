"""The second-factor forms of sign-in and re-authentication: a wrong code counts toward the lockout.

allauth's code step emits only its own ``authentication_failed`` signal, which django-axes does
not hear; a guessed code would then never lock the account. These forms (allauth's
``MFA_FORMS`` hook) also send Django's ``user_login_failed`` with the username, as a wrong
password does, so axes counts it in the same 5-in-15-minutes window (SECURITY.md A4 (6);
CJIS AC-7). A locked account's code step refuses even the right code.
"""

from __future__ import annotations

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib.auth.signals import user_login_failed

from compliance.accounts.lockout import LOCKED_MESSAGE, is_locked

#: The code field's label and hint on the second-factor step.
CODE_LABEL = "Code"
CODE_HINT = "The 6-digit code your authenticator app shows now, or one of your recovery codes."


def _credentials(user) -> dict:
    """The credentials django-axes reads the username from (``compliance.accounts.lockout.axes_username``)."""
    return {"username": user.get_username()}


def code_failed(user) -> None:
    """Tell Django (and so django-axes) that ``user``'s second-factor code was wrong at the current request.

    Args:
        user: the user whose code was refused.

    Side effects: one ``user_login_failed`` signal with ``{"username": username}`` as credentials;
    axes records a failure for that username (SECURITY.md A4 (6)).
    """
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=context.request)


class _CodeCountsTowardLockout(forms.Form):
    """Mixin for allauth's code forms: the field labelled and hinted; a refusal reported to axes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        code.label = CODE_LABEL
        code.help_text = CODE_HINT
        code.widget.attrs.pop("placeholder", None)
        code.widget.attrs.update({"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"})

    def clean_code(self) -> str:
        """The code, when the account is not locked and one of the user's authenticators accepts it.

        Raises:
            ValidationError: ``LOCKED_MESSAGE`` when the account is locked until an administrator unlocks it
                (``User.locked_at``, compliance.accounts.lockout) or axes holds the username locked; allauth's
                "incorrect code" otherwise (after reporting the failure to axes).
        """
        request = context.request
        if is_locked(self.user.get_username()) or AxesProxyHandler.is_locked(request, _credentials(self.user)):
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        try:
            return super().clean_code()
        except forms.ValidationError:
            code_failed(self.user)
            raise


class SignInCodeForm(_CodeCountsTowardLockout, AuthenticateForm):
    """The sign-in's code step (``MFA_FORMS["authenticate"]``)."""


class ReauthenticationCodeForm(_CodeCountsTowardLockout, ReauthenticateForm):
    """The code asked again before a sensitive change (``MFA_FORMS["reauthenticate"]``)."""
