"""Writes to the incident log: create and update an incident or complaint.

The incident pages call these, and ``incidents.detainers.services`` opens an
incident for a hold past its deadline (R4.8), from a request or the deadline sweep.

Each function takes keyword-only arguments and the acting user (``actor``), runs
in one transaction, and attributes every history row it writes to ``actor``
(``acting_as``), inside a request or not. Callers check permissions first
(``compliance.core.access``); these functions do not, so the deadline sweep can act
as the system account.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from compliance.core.audit import acting_as
from compliance.core.models import Agency
from compliance.core.writes import locked_update, refuse_unknown_fields
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Incident

INCIDENT_FIELDS = frozenset({"kind", "severity", "status", "title", "description", "occurred_at"})


def incident_create(
    *,
    agency: Agency,
    actor,
    kind: str,
    severity: str,
    title: str,
    occurred_at: datetime,
    status: str = Incident.Status.OPEN,
    description: str = "",
    detainer: Detainer | None = None,
    reason: str | None = None,
) -> Incident:
    """Log an incident or complaint in ``agency``, reported by ``actor``.

    Args:
        agency: the agency it belongs to; a linked ``detainer`` must be of the same agency.
        actor: the reporting user (``reported_by`` and history author).
        kind, severity, status: ``Incident.Kind`` / ``Severity`` / ``Status`` values.
        title, description: free text (the title is shown in lists and emails; keep names out of it).
        occurred_at: aware datetime (UTC stored).

    Raises:
        ValueError: ``detainer`` belongs to another agency.
    """
    if detainer is not None and detainer.agency_id != agency.pk:
        raise ValueError("An incident can only be linked to a detainer of its own agency.")
    incident = Incident(
        agency=agency,
        kind=kind,
        severity=severity,
        status=status,
        title=title,
        description=description,
        occurred_at=occurred_at,
        detainer=detainer,
        reported_by=actor,
    )
    with transaction.atomic(), acting_as(actor, reason=reason):
        incident.save()
    return incident


def incident_update(*, incident: Incident, actor, reason: str | None = None, **fields) -> Incident:
    """Change an incident's kind, severity, status, title, description or time.

    Args:
        incident: the incident (permission-checked by the caller).
        actor: the user making the change (history author).
        **fields: keyword-only new values, any of ``INCIDENT_FIELDS``.

    Raises:
        TypeError: a field outside ``INCIDENT_FIELDS`` was passed.
    """
    refuse_unknown_fields(fields, INCIDENT_FIELDS, "incident_update")
    # Locked: two reviewers saving at once must not overwrite each other's status silently.
    return locked_update(instance=incident, actor=actor, reason=reason, fields=fields)
