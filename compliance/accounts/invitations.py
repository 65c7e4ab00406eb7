"""The invitation link: single-use and short-lived, like Django's password-reset link but its own.

``InvitationTokenGenerator`` is Django's ``PasswordResetTokenGenerator`` with its own salt (a reset
token is never an invitation token, nor the reverse) and its own lifetime, ``INVITATION_TIMEOUT``
(48 hours: long enough to reach someone over a weekend shift, well under the 72 hours allowed).
The token hashes the password: once the person sets one, the link is dead (single use).
"""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from compliance.core.models import User
from compliance.core.site_links import absolute_url

#: Seconds an invitation link stays valid (48 hours).
INVITATION_TIMEOUT = 48 * 3600


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for invitation links: own salt, 48-hour lifetime, dead once a password is set."""

    key_salt = "compliance.accounts.invitations.InvitationTokenGenerator"

    def __init__(self):
        super().__init__()
        self.timeout = INVITATION_TIMEOUT

    def check_token(self, user, token) -> bool:
        """True if ``token`` was made for ``user`` as it is now (no password since) less than 48 h ago.

        Django's own check reads ``PASSWORD_RESET_TIMEOUT`` (1 hour here, SECURITY.md A6); this one
        uses ``INVITATION_TIMEOUT``, with the same constant-time comparison.
        """
        if not (user and token) or "-" not in token:
            return False
        ts_b36 = token.split("-", 1)[0]
        try:
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not constant_time_compare(self._make_token_with_timestamp(user, ts, self.secret), token):
            return False
        return (self._num_seconds(self._now()) - ts) <= self.timeout


invitation_tokens = InvitationTokenGenerator()


def invitation_path(user) -> str:
    """The path of ``user``'s invitation link (user key in base 64 and a token; no name, no e-mail)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("people:accept", args=[uidb64, invitation_tokens.make_token(user)])


def invitation_send(user) -> None:
    """E-mail ``user`` their invitation link (valid 48 hours, once)."""
    send_mail(
        "287(g) compliance: your account",
        (
            "Your agency administrator has created an account for you in the 287(g) compliance manager.\n\n"
            f"Your username: {user.username}\n\n"
            f"Set your password here (the link works once, for 48 hours):\n{absolute_url(invitation_path(user))}\n\n"
            "You will then sign in and set up your authenticator app."
        ),
        None,
        [user.email],
    )


def invited_user(uidb64: str, token: str) -> User | None:
    """The invited user the link names, if the token is still good (unused, under 48 h); else None."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
        user = User.objects.get(pk=pk, is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    return user if invitation_tokens.check_token(user, token) else None
