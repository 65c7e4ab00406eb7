"""Account events in the audit trail: sign-ins, failed sign-ins, sign-outs, lockouts, MFA and password changes.

Each receiver writes exactly one ``AccessLog`` row (``access_log_event``) with the account
(or the username typed, when no such account exists), the address, the outcome and the
time (SECURITY.md D1, D2; CJIS AU-2 c-1, c-3). The row belongs to the account's home agency,
so that agency's auditors read its people's sign-ins on the access-log page.

The signals are the libraries' own:

- a sign-in that passed every step (password and second factor): allauth's ``user_logged_in``
  (not Django's, which also fires for ``force_login`` and for the password step alone);
- a refused password (or a refused second-factor code, when the sign-in flow reports it the
  same way): Django's ``user_login_failed``;
- a sign-out: Django's ``user_logged_out``;
- a lockout (the failure that locks, and each attempt while locked): django-axes' ``user_locked_out``;
- an authenticator added, removed, or recovery codes renewed: allauth.mfa's signals;
- a password changed, set, or reset: allauth.account's signals.
"""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.dispatch import receiver

from compliance.core.models import AccessLog, access_log_event

Action = AccessLog.Action
Outcome = AccessLog.Outcome


def _account_named(username: str):
    """The account with ``username`` (case-insensitive, as allauth signs in), or None."""
    if not username:
        return None
    return get_user_model().objects.filter(username__iexact=username).select_related("home_agency").first()


def _typed_username(credentials: dict | None) -> str:
    """The username a failed sign-in typed (allauth's ``username`` or the form's ``login``); never the password."""
    credentials = credentials or {}
    value = credentials.get("username") or credentials.get("login") or ""
    return value if isinstance(value, str) else ""


@receiver(account_signals.user_logged_in, dispatch_uid="audit.sign_in")
def sign_in_recorded(sender, request, user, **kwargs) -> None:
    """A completed sign-in (every factor passed): one ``sign_in``/``success`` row."""
    access_log_event(request, action=Action.SIGN_IN, user=user)


@receiver(user_login_failed, dispatch_uid="audit.sign_in_failed")
def sign_in_failure_recorded(sender, credentials, request=None, **kwargs) -> None:
    """A refused sign-in: one ``sign_in``/``failure`` row with the typed username (and its account, if any)."""
    username = _typed_username(credentials)
    access_log_event(
        request, action=Action.SIGN_IN, outcome=Outcome.FAILURE, user=_account_named(username), username=username
    )


@receiver(user_logged_out, dispatch_uid="audit.sign_out")
def sign_out_recorded(sender, request, user, **kwargs) -> None:
    """A sign-out (the user's, or one forced by a password change): one ``sign_out`` row. Nothing without a user."""
    if user is not None:
        access_log_event(request, action=Action.SIGN_OUT, user=user)


@receiver(user_locked_out, dispatch_uid="audit.locked_out")
def lockout_recorded(sender, request, username=None, ip_address=None, **kwargs) -> None:
    """django-axes locked (or kept locked) an account: one ``locked_out``/``denied`` row."""
    username = username if isinstance(username, str) else ""
    access_log_event(
        request, action=Action.LOCKED_OUT, outcome=Outcome.DENIED, user=_account_named(username), username=username
    )


def _account_change_receiver(action: str):
    def record(sender, request=None, user=None, **kwargs) -> None:
        access_log_event(request, action=action, user=user)

    record.__doc__ = f"An allauth account or MFA change: one ``{action}`` row for the account."
    return record


mfa_added_recorded = _account_change_receiver(Action.MFA_ADDED)
mfa_removed_recorded = _account_change_receiver(Action.MFA_REMOVED)
mfa_reset_recorded = _account_change_receiver(Action.MFA_RESET)
password_changed_recorded = _account_change_receiver(Action.PASSWORD_CHANGED)
password_reset_recorded = _account_change_receiver(Action.PASSWORD_RESET)

mfa_signals.authenticator_added.connect(mfa_added_recorded, dispatch_uid="audit.mfa_added")
mfa_signals.authenticator_removed.connect(mfa_removed_recorded, dispatch_uid="audit.mfa_removed")
mfa_signals.authenticator_reset.connect(mfa_reset_recorded, dispatch_uid="audit.mfa_reset")
account_signals.password_changed.connect(password_changed_recorded, dispatch_uid="audit.password_changed")
account_signals.password_set.connect(password_changed_recorded, dispatch_uid="audit.password_set")
account_signals.password_reset.connect(password_reset_recorded, dispatch_uid="audit.password_reset")
