"""The agency administrator's writes on an integration's webhook: its address and its signing secret (issue #15).

Each is one transaction with the integration locked, attributed with ``acting_as`` so the integration's history
names who changed the address or the secret (the secret itself is stored encrypted; history keeps that form).
The caller checked ``actor`` administers the integration's agency (``webhook_views``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from compliance.core.audit import acting_as
from compliance.core.models import Integration
from compliance.integrations.webhooks import url_problem, webhook_secret_new

REVOKED_MESSAGE = "This integration is revoked: its webhook cannot be changed."
URL_TOO_LONG_MESSAGE = "Keep the address under 500 characters."


def _lock(integration: Integration) -> Integration:
    locked = Integration.objects.select_for_update().get(pk=integration.pk)
    if not locked.is_active:
        raise ValidationError(REVOKED_MESSAGE)
    return locked


def webhook_url_save(*, integration: Integration, actor, webhook_url: str) -> tuple[Integration, str | None]:
    """Set (or, with ``""``, clear) where ``integration``'s events are POSTed: ``(integration, new secret or None)``.

    A first address gets a signing secret (returned once, to be shown once); an existing secret is kept.
    Pending deliveries go to the new address; with none, the sender fails them ("webhook removed").

    Raises:
        ValidationError: ``{"webhook_url": ...}`` not https (``settings.WEBHOOK_ALLOW_HTTP`` aside), not a full
            address, with a user name or password, or too long; the integration is revoked.
    """
    webhook_url = webhook_url.strip()
    if len(webhook_url) > Integration._meta.get_field("webhook_url").max_length:
        raise ValidationError({"webhook_url": URL_TOO_LONG_MESSAGE})
    if webhook_url:
        problem = url_problem(webhook_url)
        if problem:
            raise ValidationError({"webhook_url": problem})
    secret = None
    with transaction.atomic():
        locked = _lock(integration)
        locked.webhook_url = webhook_url
        if webhook_url and not locked.webhook_secret:
            secret = locked.webhook_secret = webhook_secret_new()
        reason = "Webhook address set" if webhook_url else "Webhook address cleared"
        with acting_as(actor, reason=reason):
            locked.save()
    return locked, secret


def webhook_secret_regenerate(*, integration: Integration, actor) -> tuple[Integration, str]:
    """A new signing secret for ``integration``: ``(integration, secret)``, the secret to be shown once.

    Every delivery sent from now on is signed with it (pending ones too); the old one stops verifying.

    Raises:
        ValidationError: the integration is revoked.
    """
    with transaction.atomic():
        locked = _lock(integration)
        secret = locked.webhook_secret = webhook_secret_new()
        with acting_as(actor, reason="Webhook signing secret regenerated"):
            locked.save()
    return locked, secret
