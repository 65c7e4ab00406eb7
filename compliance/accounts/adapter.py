"""How django-allauth behaves here: nobody signs themselves up; people are invited by an administrator."""

from __future__ import annotations

import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """allauth's account adapter for the agency: no self sign-up (accounts come from an administrator's invitation)."""

    def is_open_for_signup(self, request) -> bool:
        """Always False: an account is created by an administrator's invitation, never by its owner."""
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """allauth's answer for second-factor changes, unless both factors were shown in the last 5 minutes (B5).

        SECURITY.md B5 asks for a password and a code within the last 5 minutes before one's
        second factor changes. allauth counts only its re-authentication page; this also counts
        the sign-in itself: someone sent to enrol right after typing their password (who has no
        second factor yet), or who just signed in with both, is not asked again. Read from
        allauth's records of this session (``ACCOUNT_REAUTHENTICATION_TIMEOUT``).
        """
        required = super().is_reauthentication_required(app=app, **kwargs)
        request = context.request
        if not required or app != "allauth.mfa" or request is None or not request.user.is_authenticated:
            return required
        window = settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
        recent = {
            record.get("method")
            for record in get_authentication_records(request, request.user)
            if time.time() - record.get("at", 0) < window
        }
        if "password" not in recent:
            return True
        return "mfa" not in recent and Authenticator.objects.filter(user=request.user).exists()

    def pre_login(self, request, user, **kwargs):
        """A new session key once the password is accepted, before the code step (SECURITY.md B3; ASVS5 7.2.4).

        Django gives a new key when the sign-in completes (after the code); this gives one
        at the password too, so a key planted before sign-in is dead at both steps.
        """
        request.session.cycle_key()
        return super().pre_login(request, user, **kwargs)


class MFAAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter; the authenticator app shows the agency system's name."""
