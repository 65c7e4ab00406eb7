"""Reads of integrations, scoped to the agencies the user administers (``compliance.core.access.ADMINISTER``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

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
    """The integration ``public_id`` of an agency ``user`` administers.

    Raises:
        Http404: the integration is of an agency whose records ``user`` may not see (or does not exist): the same
            answer for both (SECURITY.md C1).
        PermissionDenied: ``user`` sees the agency's records but does not administer it (403, logged).
    """
    integration = access.get_scoped_or_404(
        Integration.objects.select_related("agency", "user"), user, access.VIEW, public_id=public_id
    )
    if not access.can(user, access.ADMINISTER, integration.agency):
        raise PermissionDenied("Only the agency's administrators manage its integrations.")
    return integration
