"""Detainer findings a supervisor may not resolve while their cause is still going on.

Registered into ``compliance.core.findings.RESOLVE_GUARDS`` by ``IncidentsConfig.ready``.
"""

from __future__ import annotations

from compliance.core import findings
from compliance.core.models import Finding
from incidents.detainers.models import Detainer

STILL_HELD_MESSAGE = (
    "The person is still held past the hold deadline: release them or record the transfer to ICE custody "
    "first, then resolve this finding (R4.7–R4.8). Mark it a false positive instead if the deadline was wrong."
)


def hold_deadline_still_passed(finding: Finding) -> str | None:
    """Why a "hold deadline passed" finding cannot be resolved yet: its detainer is still pending, or None.

    A resolution says the problem was dealt with; while the outcome is still
    pending the person is, on the record, still held past 48 hours (R4.8: release
    immediately). One query (the detainer).
    """
    detainer = Detainer.objects.filter(pk=finding.object_id).only("outcome").first()
    if detainer is not None and detainer.outcome == Detainer.Outcome.PENDING:
        return STILL_HELD_MESSAGE
    return None


def register() -> None:
    """Register the guards (idempotent)."""
    findings.RESOLVE_GUARDS[Finding.Kind.HOLD_DEADLINE_PASSED] = hold_deadline_still_passed
