"""Reads of integrations, scoped to the agencies the user administers (``compliance.core.access.ADMINISTER``)."""

from __future__ import annotations

from compliance.core import access
from compliance.core.models import Integration


def integrations_for(user):
    """The integrations of every agency ``user`` administers: active first, then by agency and name."""
    return (
        access.scope(Integration.objects.all(), user, access.ADMINISTER)
        .select_related("agency", "user", "created_by", "revoked_by")
        .order_by("revoked_at", "agency__name", "name")
    )


def integration_or_404(user, public_id) -> Integration:
    """The integration ``public_id`` of an agency ``user`` administers; any other answers 404 (``Http404``)."""
    return access.get_scoped_or_404(
        Integration.objects.select_related("agency", "user"), user, access.ADMINISTER, public_id=public_id
    )
