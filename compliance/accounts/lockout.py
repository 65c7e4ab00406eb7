"""Lockout until an administrator unlocks (SECURITY.md A4): django-axes counts, this module keeps the lock.

django-axes counts failed sign-ins per username (5 within a rolling 15 minutes, settings) and fires
``user_locked_out``; ``mark_locked`` then sets ``User.locked_at`` and writes a "locked" account event.
Unlike axes' own lock, which cools off after 15 minutes, ``locked_at`` stays until an administrator
unlocks the account (``compliance.accounts.services.person_unlock``). While it is set the sign-in form
(``LoginForm``) and the second-factor form (``AuthenticateForm``) refuse even the right answer, with a
message that says to ask the agency administrator.

Failed second-factor codes count like failed passwords (A4 (6)): the code forms
(``compliance.accounts.code_forms``) send Django's ``user_login_failed``, which axes counts for that username,
and refuse a locked account's code.
"""

from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from axes.signals import user_locked_out
from django import forms
from django.dispatch import receiver
from django.utils import timezone

from compliance.core.models import AccountEvent, User, account_event_record

LOCKED_MESSAGE = "This account is locked after too many failed sign-ins. Ask your agency administrator to unlock it."


def axes_username(request, credentials) -> str | None:
    """The username django-axes counts a failure against (``AXES_USERNAME_CALLABLE``).

    allauth authenticates with ``credentials={"username": …}`` while its form field is ``login``;
    axes' default reads only the one named by ``AXES_USERNAME_FORM_FIELD`` and so counted nothing
    (every failure had no username). This reads either, then the posted ``login`` field.

    Args:
        request: the sign-in (or second-factor) request.
        credentials: what was passed to ``authenticate`` or sent with ``user_login_failed``, or None.

    Returns:
        The username as typed, or None when there is none.
    """
    credentials = credentials or {}
    username = credentials.get("username") or credentials.get("login")
    if not username and request is not None:
        username = request.POST.get("login")
    return username or None


def is_locked(username: str) -> bool:
    """True if the account ``username`` (case-insensitive) is locked until an administrator unlocks it."""
    return User.objects.filter(username__iexact=username, locked_at__isnull=False).exists()


@receiver(user_locked_out, dispatch_uid="accounts.mark_locked")
def mark_locked(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """On axes' lockout, lock the account until unlocked and write one "locked" event (A4 (5))."""
    if not username:
        return
    user = User.objects.filter(username__iexact=username, locked_at__isnull=True).first()
    if user is None:
        return  # an unknown username, or already locked
    User.objects.filter(pk=user.pk).update(locked_at=timezone.now())
    account_event_record(
        action=AccountEvent.Action.LOCKED,
        target=user,
        agency=user.home_agency,
        detail="Five failed sign-ins within 15 minutes",
        request=request,
    )


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form, refusing a locked account before its password is even checked."""

    def clean(self):
        login = (self.data.get("login") or "").strip()
        if login and is_locked(login):
            raise forms.ValidationError(LOCKED_MESSAGE)
        return super().clean()
