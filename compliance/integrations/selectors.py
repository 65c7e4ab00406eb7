"""Reads of integrations: the list for everyone who may export an agency's records (supervisors, auditors,
administrators: ``access.EXPORT``), to see which systems write into them; one integration to change for its
agency's administrators (``access.ADMINISTER``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from compliance.core import access
from compliance.core.models import Integration


def integrations_for(user):
    """The integrations of every agency whose records ``user`` may export: active first, then by agency and name.

    Each carries ``can_manage``: whether ``user`` administers its agency (revoke, webhook), set by
    ``integrations_with_rights``.
    """
    return (
        access.scope(Integration.objects.all(), user, access.EXPORT)
        .select_related("agency", "user", "created_by", "revoked_by")
        .order_by("revoked_at", "agency__name", "name")
    )


def integrations_with_rights(user) -> list[Integration]:
    """``integrations_for(user)`` as a list, each with ``can_manage`` (``user`` administers its agency)."""
    administered = access.agency_ids_for(user, access.ADMINISTER)
    integrations = list(integrations_for(user))
    for integration in integrations:
        integration.can_manage = integration.agency_id in administered
    return integrations


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
