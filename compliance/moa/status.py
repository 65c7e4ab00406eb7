"""Where each requirement stands, stored when it changes (issue #15 item 1).

``requirements_check`` evaluates every active requirement of an agency over the last 12 months to
its agency-local today (``checklist_period``), through ``compliance.moa.evidence.requirement_evidence``
(the one entry point), and stores the answer:

* ``status``, ``status_reason`` and ``status_since`` are written only when the status or the reason
  changed, so the requirement's history (``AuditedHistory``) is the log of its changes — an
  unchanged re-check writes no history row (no phantom rows). ``status_since`` moves only when the
  status itself changes (a new reason for the same status keeps it).
* ``checked_at`` (the instant of the check) and ``last_met_on`` (the last agency-local day the
  requirement was met: today while it is met, kept when it stops being met) are written on every
  check; they are not tracked by history.
* A change to at risk or not met raises one ``RequirementNotice`` (unique per requirement and
  instant), told once in the supervisors' daily digest (``compliance.moa.digest``).

Attributed to ``actor`` (the system account for the nightly job). One transaction. Queries: the
requirements, then each evaluator's fixed number, then one write per changed requirement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from community.steering_committee.rules import add_months
from compliance.core.audit import acting_as
from compliance.core.models import Agency, AgreementRequirement, RequirementNotice, RequirementStatus
from compliance.core.system_account import system_user
from compliance.moa.evidence import Period, requirement_evidence

#: The statuses whose arrival is told in the digest.
TOLD_STATUSES = (RequirementStatus.AT_RISK, RequirementStatus.NOT_MET)
CHECK_REASON = "MOA requirements check"


def checklist_period(agency, now: datetime) -> Period:
    """The checklist's period at ``now``: the 12 months to the agency-local today (start: the day after the same
    date a year before), answered at ``now``."""
    today = timezone.localdate(now, agency.zone)
    return Period(start=add_months(today, -12) + timedelta(days=1), end=today, as_of=now)


@dataclass
class CheckResult:
    """What one check did: requirements evaluated, those whose status or reason changed, notices raised."""

    checked: int = 0
    changed: int = 0
    notices: int = 0


def requirement_store(requirement: AgreementRequirement, *, status: str, reason: str, now: datetime, today: date):
    """Store one evaluation on ``requirement`` (module docstring's rules); returns (changed, notice raised).
    Call inside ``acting_as`` and a transaction."""
    changed = status != requirement.status or reason != requirement.status_reason
    status_changed = status != requirement.status
    requirement.checked_at = now
    if status == RequirementStatus.MET:
        requirement.last_met_on = today
    if changed:
        requirement.status = status
        requirement.status_reason = reason
        if status_changed:
            requirement.status_since = now
    requirement.save(update_fields=["status", "status_reason", "status_since", "last_met_on", "checked_at"])
    raised = False
    if status_changed and status in TOLD_STATUSES:
        _, raised = RequirementNotice.objects.get_or_create(
            requirement=requirement,
            changed_at=now,
            defaults={"agency_id": requirement.agency_id, "status": status, "reason": reason},
        )
    return changed, raised


def requirements_check(*, agency, now: datetime | None = None, actor=None, agreement=None) -> CheckResult:
    """Evaluate and store every active requirement of ``agency`` (or only of ``agreement``) at ``now``.

    Args:
        agency: a ``compliance.Agency``.
        now: an aware datetime (default: the current time).
        actor: who the history rows name (default: the system account).
        agreement: only this agreement's requirements ("Check now" on its checklist).

    Returns:
        A ``CheckResult``. Idempotent: a second call at the same state changes nothing and raises no notice.
    """
    now = now or timezone.now()
    period = checklist_period(agency, now)
    requirements = AgreementRequirement.objects.filter(agency=agency, active=True).select_related("agreement", "agency")
    if agreement is not None:
        requirements = requirements.filter(agreement=agreement)
    result = CheckResult()
    with transaction.atomic(), acting_as(actor or system_user(), reason=CHECK_REASON):
        for requirement in requirements.order_by("agreement_id", "position", "pk"):
            evidence = requirement_evidence(requirement, period=period)
            changed, raised = requirement_store(
                requirement, status=evidence.status, reason=evidence.reason, now=now, today=period.end
            )
            result.checked += 1
            result.changed += changed
            result.notices += raised
    return result


def requirements_check_agencies(agency_ids: set[int], now: datetime) -> CheckResult:
    """The nightly job's work (``compliance.core.local_day_jobs``): ``requirements_check`` for each agency of
    ``agency_ids`` at ``now``; the totals."""

    total = CheckResult()
    for agency in Agency.objects.filter(pk__in=agency_ids).order_by("pk"):
        one = requirements_check(agency=agency, now=now)
        total.checked += one.checked
        total.changed += one.changed
        total.notices += one.notices
    return total


def requirement_recheck(requirement: AgreementRequirement, *, now: datetime | None = None) -> tuple[bool, bool]:
    """Evaluate and store one requirement right after a change to it (a document attached or withdrawn, a custom
    requirement added, an edit), so the stored status never disagrees with "Evidence now" until the nightly job.

    The same rules as ``requirements_check`` (``requirement_store``: history only when the status or reason
    changed, a notice when it becomes at risk or not met); an inactive requirement is not checked. Call it inside
    the service's transaction and ``acting_as`` (the history row names the service's actor and reason).

    Args:
        requirement: the ``AgreementRequirement`` (its agreement and agency loadable).
        now: an aware datetime (default: the current time).

    Returns:
        (changed, notice raised); (False, False) for an inactive requirement.
    """
    if not requirement.active:
        return False, False
    now = now or timezone.now()
    period = checklist_period(requirement.agency, now)
    evidence = requirement_evidence(requirement, period=period)
    return requirement_store(requirement, status=evidence.status, reason=evidence.reason, now=now, today=period.end)
