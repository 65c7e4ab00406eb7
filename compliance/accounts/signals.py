"""What allauth's account events mean here: enrolling the first authenticator counts as passing the second factor."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.signals import authenticator_added
from django.dispatch import receiver


@receiver(authenticator_added, dispatch_uid="accounts.enrolment_passes_second_factor")
def enrolment_passes_second_factor(sender, request, user, authenticator, **kwargs) -> None:
    """Record an ``mfa`` step in the session of a user who just proved a new authenticator.

    allauth accepts a new TOTP app or security key only after the user answered it
    (the code, or the key's signature), so this session has shown the second factor.
    """
    if request is not None and getattr(request, "user", None) is not None and request.user.is_authenticated:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True)
