"""No record before the second factor (SECURITY.md A1; CJIS IA-2(1), IA-2(2)).

django-allauth asks an enrolled user for the second factor before it signs them in, but
it does not make anyone enrol. ``SecondFactorRequiredMiddleware`` does: a signed-in user
whose session has not passed a second factor reaches only the pages that let them enrol
one (or sign out). Everything else answers with a redirect:

- no authenticator yet → the enrolment page (``mfa_index``), and back afterwards;
- an authenticator, but this session never passed it (a session made some other way) →
  signed out and sent to the sign-in page, which asks for both factors.

A session "passed" when allauth recorded an ``mfa`` authentication step in it (its code
or key was accepted at sign-in or re-authentication), or when the user enrolled their
first authenticator in it (``compliance.accounts.signals``): proving the new code is the
second factor.
"""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse

#: URL names a signed-in user may reach before their session passed the second factor.
ENROLMENT_URL_NAMES = frozenset(
    {
        "account_logout",
        "account_reauthenticate",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_signup_webauthn",
        "mfa_generate_recovery_codes",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_reauthenticate",
    }
)


def second_factor_passed(request) -> bool:
    """True when ``request``'s session recorded a passed second factor for its signed-in user.

    Args:
        request: a request whose ``user`` is signed in.

    Returns:
        Whether allauth's authentication records of this session (for this user) hold an
        ``mfa`` step.
    """
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class SecondFactorRequiredMiddleware:
    """Sends a signed-in user who has not passed a second factor to enrol (or to sign in again).

    Anonymous requests pass through (each view's ``login_required`` answers them);
    static files never reach here (WhiteNoise is above).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not second_factor_passed(request):
            match = getattr(request, "resolver_match", None)
            if match is None:
                from django.urls import Resolver404, resolve

                try:
                    match = resolve(request.path_info)
                except Resolver404:
                    match = None
            view_name = match.view_name if match is not None else None
            if view_name != "account_logout" and Authenticator.objects.filter(user=user).exists():
                # Enrolled, yet this session never passed the second factor: sign in again properly. Not even
                # the enrolment pages: adding a key there would count as passing (compliance.accounts.signals).
                logout(request)
                return redirect_to_login(request.get_full_path(), reverse("account_login"))
            if view_name not in ENROLMENT_URL_NAMES:
                return redirect(f"{reverse('mfa_index')}")
        return self.get_response(request)
