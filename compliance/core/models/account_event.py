"""Who changed which account: one append-only row per account change (SECURITY.md A10, D1 privileged actions)."""

from django.conf import settings
from django.db import models

from compliance.core.append_only import AppendOnlyRow, append_only_trigger
from compliance.core.client_address import client_address


class AccountEvent(AppendOnlyRow):
    """An append-only record of one change to an account (invited, role granted, deactivated, …) or a denied try.

    Holds who acted (``actor``; None for a lockout by the sign-in counter), whose account (``target``),
    in which agency, what, from which address and when; ``detail`` names roles and agencies, never
    personal data beyond names. Shown on the person's page, newest first (SECURITY.md A10, C5).
    """

    class Action(models.TextChoices):
        INVITED = "invited", "Invited"
        CREATED = "created", "Created"
        ROLE_GRANTED = "role_granted", "Role granted"
        ROLE_CHANGED = "role_changed", "Role changed"
        MOVED = "moved", "Moved to another agency"
        DEACTIVATED = "deactivated", "Deactivated"
        REACTIVATED = "reactivated", "Reactivated"
        LOCKED = "locked", "Locked"
        UNLOCKED = "unlocked", "Unlocked"
        DENIED = "denied", "Denied"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="account_events"
    )
    agency = models.ForeignKey("compliance.Agency", null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    detail = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True)

    class Meta:
        ordering = ["-at", "-pk"]
        triggers = [append_only_trigger()]  # SECURITY.md D5 (compliance.core.append_only)

    def __str__(self) -> str:
        return f"{self.get_action_display()} (user {self.target_id}) at {self.at:%Y-%m-%d %H:%M}"


def account_event_record(
    *, action: str, target, actor=None, agency=None, detail: str = "", request=None
) -> AccountEvent:
    """Write one account-change row (SECURITY.md A10).

    Args:
        action: an ``AccountEvent.Action`` value.
        target: the user whose account changed (or was reached for, when denied).
        actor: who did it; None when the system did (the lockout counter, the 90-day job).
        agency: the agency the change was in, if any.
        detail: what changed, in words (role and agency names; no other personal data).
        request: the request, for the client address (``compliance.core.client_address``), or None.

    Returns:
        The saved row.
    """
    return AccountEvent.objects.create(
        action=action,
        target=target,
        actor=actor,
        agency=agency,
        detail=detail[:300],
        ip_address=client_address(request) if request is not None else None,
    )
