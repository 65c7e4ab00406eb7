"""Accounts unused for 90 days are deactivated by a nightly job (SECURITY.md A8; CJIS AC-2(3)(d))."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from compliance.accounts.services import person_deactivate
from compliance.core.models import AccountEvent, User

#: Days without a sign-in (or, never signed in, since the account was created) before deactivation.
INACTIVE_DAYS = 90


def inactive_accounts_deactivate(*, now=None) -> int:
    """Deactivate every active account unused for 90 days before ``now``.

    Unused: the last sign-in, or, never signed in, the invitation's acceptance or else the account's creation,
    is older than 90 days.

    Each is deactivated like an administrator would (sessions ended) with one "deactivated" account
    event by the system (actor None). The system account is never touched.

    Args:
        now: the instant to measure from (UTC aware); defaults to the current time.

    Returns:
        How many accounts were deactivated.
    """
    cutoff = (now or timezone.now()) - timedelta(days=INACTIVE_DAYS)
    stale = (
        User.objects.filter(is_active=True)
        .exclude(username=settings.SYSTEM_USERNAME)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        # Never signed in but accepted the invitation within the period: not yet inactive.
        .exclude(
            Exists(
                AccountEvent.objects.filter(target=OuterRef("pk"), action=AccountEvent.Action.CREATED, at__gte=cutoff)
            ),
            last_login__isnull=True,
        )
    )
    count = 0
    for user in stale:
        person_deactivate(actor=None, request=None, user=user, reason=f"No sign-in for {INACTIVE_DAYS} days")
        count += 1
    return count
