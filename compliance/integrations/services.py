"""Creating and revoking an agency's integrations (issue #15 item 3); the agency administrator's writes.

An integration is a system (the JMS) calling ``/api/v1/`` for one agency. It gets its own account, which
can never sign in (unusable password, no role, no e-mail), so that history and the access log name it; and a
bearer token, made by ``compliance.api.authentication.token_new``, returned once to the caller and stored
only as its hash. Each write is one transaction with its history (``acting_as``) and one ``AccountEvent``
(SECURITY.md A10).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.api.authentication import token_new
from compliance.core.audit import acting_as
from compliance.core.models import AccountEvent, Agency, Integration, User, account_event_record
from compliance.core.names import name_clean

NAME_REQUIRED_MESSAGE = "Name the system, e.g. 'Jail management system (vendor)'."
NAME_TAKEN_MESSAGE = "Your agency already has an active integration with this name."
ALREADY_REVOKED_MESSAGE = "This integration was already revoked."
USERNAME_START = "integration-"


@dataclass(frozen=True)
class CreatedIntegration:
    """A new integration and its token: the token exists only here, to be shown once."""

    integration: Integration
    token: str


def integration_create(*, agency: Agency, actor, name: str, request=None) -> CreatedIntegration:
    """Create an integration of ``agency`` named ``name``, its account and its token.

    Args:
        agency: the agency it acts for (the caller checked ``access.ADMINISTER`` there).
        actor: the administrator creating it (history author, ``AccountEvent.actor``).
        name: what the system is (NFC, outer spaces trimmed; 1 to 100 characters).
        request: the request, for the address on the account event, or None.

    Returns:
        ``CreatedIntegration``: the saved integration and the token (``pgc_<prefix>_<secret>``), never stored.

    Raises:
        ValidationError: keyed ``name``: blank, too long, or the name of another active integration of the agency.
    """
    name = name_clean(name or "")
    if not name:
        raise ValidationError({"name": NAME_REQUIRED_MESSAGE})
    if len(name) > 100:
        raise ValidationError({"name": "Use at most 100 characters."})
    token, prefix, digest = token_new()
    with transaction.atomic(), acting_as(actor, reason="Integration created"):
        if Integration.objects.filter(agency=agency, name=name, revoked_at=None).exists():
            raise ValidationError({"name": NAME_TAKEN_MESSAGE})
        user = User(username=f"{USERNAME_START}{prefix}", home_agency=agency, email="")
        user.set_unusable_password()
        user.save()
        integration = Integration.objects.create(
            agency=agency, name=name, user=user, token_prefix=prefix, token_hash=digest, created_by=actor
        )
        account_event_record(
            action=AccountEvent.Action.CREATED,
            actor=actor,
            target=user,
            agency=agency,
            detail=f"Integration '{name}' created (API token {prefix}…)",
            request=request,
        )
    return CreatedIntegration(integration=integration, token=token)


def integration_revoke(*, integration: Integration, actor, request=None) -> Integration:
    """Revoke ``integration`` now: its token answers 401 from the next request; its account is deactivated.

    Raises:
        ValidationError: it was already revoked.
    """
    with transaction.atomic(), acting_as(actor, reason="Integration revoked"):
        locked = Integration.objects.select_for_update().select_related("user").get(pk=integration.pk)
        if locked.revoked_at is not None:
            raise ValidationError(ALREADY_REVOKED_MESSAGE)
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        locked.user.is_active = False
        locked.user.save(update_fields=["is_active"])
        account_event_record(
            action=AccountEvent.Action.DEACTIVATED,
            actor=actor,
            target=locked.user,
            agency=locked.agency,
            detail=f"Integration '{locked.name}' revoked (API token {locked.token_prefix}…)",
            request=request,
        )
    return locked
