"""A changed credential ends every other session of its user (SECURITY.md B6; ASVS5 7.4.3).

After a password change or set, a password reset, or an authenticator added, removed or reset
(new recovery codes), whoever holds another session of that user (a stolen cookie, a forgotten
shared terminal) is signed out: the sessions are deleted from the store and from allauth's list
("Your sessions"). The session that made the change stays signed in; after a reset, made while
signed out, every session of the user ends.
"""

from __future__ import annotations

from allauth.account.signals import password_changed, password_reset, password_set
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from allauth.usersessions.models import UserSession
from django.dispatch import receiver


def sessions_end_others(request, user) -> int:
    """End every session of ``user`` except ``request``'s own.

    Args:
        request: the request that changed the credential (its session is kept when it is ``user``'s);
            may be ``None`` (every session of ``user`` ends).
        user: whose sessions end.

    Returns:
        How many sessions were ended.
    """
    current = getattr(getattr(request, "session", None), "session_key", None)
    ended = 0
    for session in UserSession.objects.filter(user_id=user.pk):
        if current is not None and session.session_key == current:
            continue
        session.end()
        ended += 1
    return ended


@receiver(password_changed, dispatch_uid="accounts.password_changed_ends_other_sessions")
@receiver(password_set, dispatch_uid="accounts.password_set_ends_other_sessions")
@receiver(password_reset, dispatch_uid="accounts.password_reset_ends_other_sessions")
def password_change_ends_other_sessions(sender, request, user, **kwargs) -> None:
    """A new password: the user's other sessions end."""
    sessions_end_others(request, user)


@receiver(authenticator_added, dispatch_uid="accounts.authenticator_added_ends_other_sessions")
@receiver(authenticator_removed, dispatch_uid="accounts.authenticator_removed_ends_other_sessions")
@receiver(authenticator_reset, dispatch_uid="accounts.authenticator_reset_ends_other_sessions")
def authenticator_change_ends_other_sessions(sender, request, user, **kwargs) -> None:
    """An authenticator added, removed or reset: the user's other sessions end."""
    sessions_end_others(request, user)
