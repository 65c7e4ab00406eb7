"""Every U.S.-citizenship claim or sign opens a finding, besides the STOP; only the supervisor's resolution closes it.

DOMAIN.md R5.1 (ICE Directive 16001.2): a claim of U.S. citizenship, or any sign of it, is
investigated immediately and with the highest priority. The STOP (``incidents.citizenship.services``)
gates every 287(g) step; this finding puts the claim on the supervisors' findings page and on the
custody board's row (``incidents.custody``) until it is resolved, so it is seen even when nobody
tries an action:

* ``claim_finding_open`` — when a claim or sign is first recorded on a detainer: one critical
  ``Finding(kind=CITIZENSHIP_CLAIM)`` linked to the detainer (one per record and kind), opened by
  the person who recorded the claim;
* ``claim_finding_close`` — when a supervisor records the resolution of the claim (R5.2): the
  finding is resolved, attributed to that supervisor, with the resolution as its note
  (``compliance.core.findings.finding_resolve_on_record``);
* ``claim_still_unresolved`` — the guard registered in ``compliance.core.findings.CLOSE_GUARDS``:
  while the claim has no recorded resolution, the finding cannot be resolved or marked a false
  positive on the findings page.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from compliance.core import findings
from compliance.core.audit import acting_as
from compliance.core.models import Finding
from incidents.detainers.models import Detainer

RULE = "R5.1 U.S.-citizenship claim or sign: investigate immediately (ICE Directive 16001.2)"
SUMMARY = (
    "A claim or sign of U.S. citizenship was recorded on a detainer. ICE has no civil-immigration authority "
    "over a U.S. citizen: investigate immediately and with the highest priority, escalate to ICE and record the "
    "resolution on the detainer's citizenship page (R5.1–R5.2). Every 287(g) step is stopped until then."
)
RESOLVED_NOTE = "Claim resolved on the detainer: {resolution} (R5.2)"
ONLY_BY_RESOLUTION_MESSAGE = (
    "A U.S.-citizenship claim's finding is closed only by the supervisor's recorded resolution of the claim on "
    "the detainer's citizenship page (escalation to ICE, then resolution; R5.1–R5.2)."
)


def claim_finding(detainer: Detainer) -> Finding | None:
    """The detainer's citizenship-claim finding, whatever its status, or None. One query."""
    return Finding.objects.filter(
        content_type=ContentType.objects.get_for_model(Detainer),
        object_id=detainer.pk,
        kind=Finding.Kind.CITIZENSHIP_CLAIM,
    ).first()


def claim_finding_open(*, detainer: Detainer, actor) -> Finding:
    """Open the critical R5.1 finding for ``detainer``'s claim, once. Call inside the claim's transaction.

    Args:
        detainer: the saved detainer whose claim or sign was just recorded.
        actor: the user who recorded it (the finding's history author).

    Returns:
        The finding (the existing one, unchanged, if the detainer already has it).
    """
    with acting_as(actor, reason="Finding opened by rule R5.1: U.S.-citizenship claim or sign recorded"):
        finding, _ = findings.finding_open_once(
            record=detainer,
            kind=Finding.Kind.CITIZENSHIP_CLAIM,
            severity=Finding.Severity.CRITICAL,
            rule=RULE,
            summary=SUMMARY,
            opened_at=timezone.now(),
        )
    return finding


def claim_finding_close(*, detainer: Detainer, actor) -> Finding | None:
    """The supervisor's recorded resolution closes the claim's finding. Call inside the resolution's transaction.

    Args:
        detainer: the detainer, its ``citizenship_resolution`` set.
        actor: the supervisor who recorded the resolution (``resolved_by`` of the finding).

    Returns:
        The resolved finding, or None when there is none or it was already closed.
    """
    finding = claim_finding(detainer)
    if finding is None:
        return None
    note = RESOLVED_NOTE.format(resolution=detainer.get_citizenship_resolution_display())
    return findings.finding_resolve_on_record(finding=finding, actor=actor, note=note)


def claim_still_unresolved(finding: Finding) -> str | None:
    """``CLOSE_GUARDS`` entry: why the finding cannot be closed on the findings page (no resolution yet), or None.

    One query (the detainer's resolution).
    """
    detainer = Detainer.objects.filter(pk=finding.object_id).only("citizenship_resolution").first()
    if detainer is not None and not detainer.citizenship_resolution:
        return ONLY_BY_RESOLUTION_MESSAGE
    return None


def register() -> None:
    """Register the guard in ``compliance.core.findings.CLOSE_GUARDS`` (idempotent; ``IncidentsConfig.ready``)."""
    findings.CLOSE_GUARDS[Finding.Kind.CITIZENSHIP_CLAIM] = claim_still_unresolved
