"""How django-allauth behaves here: nobody signs themselves up; people are invited by an administrator."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter


class AccountAdapter(DefaultAccountAdapter):
    """allauth's account adapter for the agency: no self sign-up (accounts come from an administrator's invitation)."""

    def is_open_for_signup(self, request) -> bool:
        """Always False: an account is created by an administrator's invitation, never by its owner."""
        return False

    def pre_login(self, request, user, **kwargs):
        """A new session key once the password is accepted, before the code step (SECURITY.md B3; ASVS5 7.2.4).

        Django gives a new key when the sign-in completes (after the code); this gives one
        at the password too, so a key planted before sign-in is dead at both steps.
        """
        request.session.cycle_key()
        return super().pre_login(request, user, **kwargs)


class MFAAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter; the authenticator app shows the agency system's name."""
