"""Who may see a complainant's contact details (issue #11 item 7; SECURITY.md D3).

Only the case's assigned investigator (who also holds CHANGE in its agency) and the
supervisors of its agency (REVIEW) see the name, e-mail and phone; each viewing writes an
access-log row (``incidents.complaints.views.complainant_contact``). Everyone else who may
see the case (other staff, auditors) reads only "contact on file" or "anonymous".
"""

from __future__ import annotations

from compliance.core import access
from incidents.incident_log.models import Incident


def contact_visible_to(user, incident: Incident) -> bool:
    """True if ``user`` may see the complainant's contact details of ``incident``.

    Args:
        user: the signed-in user.
        incident: the case (its ``agency`` and ``investigator_id`` are read).

    Returns:
        True for a supervisor (REVIEW) of the case's agency, or its assigned investigator
        holding CHANGE there; False otherwise (auditors, other staff, other agencies).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if access.can(user, access.REVIEW, incident.agency):
        return True
    return incident.investigator_id == user.pk and access.can(user, access.CHANGE, incident.agency)
