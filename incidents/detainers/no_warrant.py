"""R4.3: an I-247A saved without a signed I-200 or I-205 opens a finding for supervisor review, once.

DOMAIN.md R4.3 (ICE Policy 10074.2, issued 24 Mar 2017, effective 2 Apr 2017):
every I-247A must come with a signed I-200 or I-205; if the warrant is missing
or unsigned, ``hold_authorized`` is false (``incidents.detainers.checks.check_warrant_attached``)
**and** an alert goes to a supervisor for review. This module is the alert:
``detainer_create`` and ``detainer_update`` call ``no_warrant_sync`` inside their
transaction, after the save.

Which detainers: exactly those whose R4.3 check fails — an I-247A with no
warrant or an unsigned one. The check is the single source, so the finding and
the "No hold authorized" verdict always agree. The I-247N requests no hold; the
rescinded PEP forms (I-247D, I-247X) and the legacy I-247 predate Policy 10074.2
(no warrant was required with them, and one dated after 2 Apr 2017 already fails
R4.1), so none of them opens this finding.

What happens on each save (``was_missing``: the check failed before the save):

* warrant missing, no finding yet → one ``Finding(kind=NO_WARRANT)`` (high severity;
  unique per record and kind, so a second can never exist) and, after commit, one
  e-mail to the agency's supervisors carrying links only (no name, no booking number);
* warrant missing, finding open or acknowledged → nothing (saving again adds nothing);
* signed warrant attached (or the form is no longer an I-247A), finding open or
  acknowledged → resolved by the system account with a note ("Signed warrant
  attached"), through ``compliance.core.findings.finding_resolve_by_system``;
* warrant removed again (the check passed before this save and fails now) and the
  finding closed → reopened by the system account (``finding_reopen_by_system``) and
  the supervisors are e-mailed again: it is a new lapse. A finding a supervisor closed
  while the warrant was still missing (e.g. marked a false positive: the signed paper
  warrant is on file) is not reopened by a later save that leaves the warrant as it
  was — the supervisor's decision stands until the warrant state changes again.
"""

from __future__ import annotations

import logging

from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from compliance.core.audit import acting_as
from compliance.core.findings import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    finding_open_once,
    finding_reopen_by_system,
    finding_resolve_by_system,
)
from compliance.core.models import Finding
from compliance.core.site_links import absolute_url
from incidents.detainers.checks import check_warrant_attached
from incidents.detainers.links import detainer_link
from incidents.detainers.models import Detainer

logger = logging.getLogger(__name__)

RULE = "R4.3 signed I-200/I-205 with every I-247A (ICE Policy 10074.2)"
SUMMARY = (
    "An I-247A was saved without a signed I-200 or I-205 warrant ({why}). No hold is authorized on it "
    "(ICE Policy 10074.2, effective 2 Apr 2017). Attach the signed warrant or have the detainer lifted; "
    "review how it was logged without one."
)
RESOLVED_NOTE = "Signed warrant attached"
NOT_I247A_NOTE = "The form is no longer an I-247A ({form}): R4.3 does not apply"
REOPEN_REASON = "The signed warrant was removed from the I-247A again (R4.3)"
EMAIL_SUBJECT = "Detainer without a signed warrant: supervisor review (R4.3)"


def warrant_missing(detainer: Detainer) -> bool:
    """True when ``detainer`` fails R4.3: an I-247A with no I-200/I-205, or an unsigned one.

    Pure: reads the in-memory values (``check_warrant_attached``; the time does not matter to it).
    """
    return check_warrant_attached(detainer, timezone.now()).failed


def no_warrant_finding(detainer: Detainer) -> Finding | None:
    """The detainer's R4.3 finding, whatever its status, or None. One query."""
    return Finding.objects.filter(
        content_type=ContentType.objects.get_for_model(Detainer), object_id=detainer.pk, kind=Finding.Kind.NO_WARRANT
    ).first()


def no_warrant_sync(*, detainer: Detainer, actor, was_missing: bool) -> Finding | None:
    """Open, resolve or reopen the detainer's R4.3 finding after a save (see the module docstring).

    Call it inside the saving service's transaction, after ``detainer.save()``.

    Args:
        detainer: the saved detainer (its ``agency`` loaded or loadable).
        actor: the user whose save it is: the finding's opening is attributed to them (the
            rule opened it; the history's reason says so). Resolving and reopening are
            attributed to ``system_user()``: no person decided them.
        was_missing: whether the R4.3 check failed before this save (False when creating).

    Returns:
        The finding opened, resolved or reopened by this call, or None when nothing changed.
        The supervisors' e-mail (opened or reopened) is sent after commit.

    Source: DOMAIN.md R4.3 (ICE Policy 10074.2).
    """
    missing = warrant_missing(detainer)
    finding = no_warrant_finding(detainer)
    if missing:
        if finding is None:
            finding = _open(detainer, actor=actor)
        elif finding.status in CLOSED_STATUSES and not was_missing:
            finding = finding_reopen_by_system(finding=finding, reason=REOPEN_REASON)
        else:
            return None
        if finding is not None:
            transaction.on_commit(lambda: _tell_supervisors(detainer, finding))
        return finding
    if finding is not None and finding.status in OPEN_STATUSES:
        note = RESOLVED_NOTE if detainer.form == Detainer.Form.I247A else NOT_I247A_NOTE.format(form=detainer.form)
        return finding_resolve_by_system(finding=finding, note=note)
    return None


def _open(detainer: Detainer, *, actor) -> Finding:
    why = f"the {detainer.warrant_type} is not signed" if detainer.warrant_type else "none attached"
    with transaction.atomic(), acting_as(actor, reason="Finding opened by rule R4.3: I-247A without a signed warrant"):
        finding, _ = finding_open_once(
            record=detainer,
            kind=Finding.Kind.NO_WARRANT,
            severity=Finding.Severity.HIGH,
            rule=RULE,
            summary=SUMMARY.format(why=why),
            opened_at=timezone.now(),
        )
    return finding


def _tell_supervisors(detainer: Detainer, finding: Finding) -> None:
    """E-mail the agency's supervisors links to the finding and the detainer: no name, no booking number."""
    from incidents.detainers.selectors import agency_supervisor_emails

    to = agency_supervisor_emails([detainer.agency_id]).get(detainer.agency_id, [])
    if not to:
        return
    body = (
        "An I-247A detainer was saved without a signed I-200 or I-205 warrant. No hold is authorized on it "
        "(DOMAIN.md R4.3; ICE Policy 10074.2). Review it: attach the signed warrant or have the detainer lifted.\n\n"
        f"Finding: {absolute_url(reverse('findings:detail', args=[finding.public_id]))}\n"
        f"Detainer: {detainer_link(detainer)}\n"
    )
    try:
        EmailMessage(subject=EMAIL_SUBJECT, body=body, to=to).send()
    except OSError:
        # The detainer and the finding are saved; the finding stays open on the findings page.
        logger.exception("R4.3 supervisor e-mail failed for finding %s", finding.public_id)
