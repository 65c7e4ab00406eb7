"""Past facts recorded although they broke a rule: the explanation, one finding per record and rule, the alert.

A log exists to document what happened (docs/decisions/past-facts-and-gates.md). When staff
record something that already happened and broke a rule, the record is **saved**, the failed
check shows on the detainer page (``incidents.detainers.checks``), a **finding** opens and the
agency's **supervisors are e-mailed**, and the person recording it **explains**. Nothing of it is
refused: a refusal would lose the documentation the agency needs most.

The rule breaks (``RuleBreak.kind`` is a ``compliance.Finding.Kind``):

* ``OFFICER_NOT_AUTHORIZED`` — R2.4, R2.7: a 287(g) action (the detainer's own, or one in the
  action log) by an officer not authorized on the agency-local day it was taken
  (``checks.officer_problem``);
* ``ACTION_OUTSIDE_AGREEMENT`` — R1.6 (and R3.10 [S] for a Task Force Model field action without
  ICE supervision and prior approval): an action the agreement's model does not allow
  (``checks.action_problem``; ``incidents.actions.approvals.missing_approval``);
* ``HOLD_WITHOUT_AUTHORITY`` — R4.1, critical: custody past the release time on a form that cannot
  authorize a hold, the I-247N (``checks.held_without_authority``);
* ``HOLD_DEADLINE_PASSED`` — R4.7–R4.8, critical: custody ended after the 48-hour deadline. Its
  finding and incident are opened by ``incidents.detainers.services.detainer_open_hold_violation``
  (and by the deadline sweep while the person is still held); only the explanation and the
  alert go through here.

What a service that records one does, inside its transaction:

1. ``explanation_required(new_breaks, explanation)``: a save that records a rule break the record
   did not already show needs an explanation — ``ValidationError`` keyed ``explanation``, whose
   message names each failed rule; the form shows it next to its explanation field and keeps
   everything typed; nothing is saved;
2. it saves the record with the explanation (stored on the record, kept in its history; the
   history row's reason names the rules: ``history_reason``);
3. ``rule_breaks_open``: per kind, one finding on the **detainer** (``finding_open_once``:
   one per record and rule, whatever the number of breaks of it), attributed to the actor; a
   closed finding of that kind is reopened by the system (the rule was broken again); an open
   one is left as it is (no second alert);
4. ``tell_supervisors_on_commit``: after commit, one e-mail to the agency's supervisors with links
   to the findings and the detainer — no name, no booking number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from compliance.core.audit import acting_as
from compliance.core.findings import CLOSED_STATUSES, finding_open_once, finding_reopen_by_system
from compliance.core.models import Finding
from compliance.core.site_links import absolute_url
from incidents.detainers import checks
from incidents.detainers.links import detainer_link
from incidents.detainers.models import Detainer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FindingRule:
    """How a kind of rule break is opened as a finding: severity, rule ids, rule text, summary (no personal data)."""

    severity: str
    ids: str
    rule: str
    summary: str


RULES: dict[str, FindingRule] = {
    Finding.Kind.OFFICER_NOT_AUTHORIZED: FindingRule(
        Finding.Severity.HIGH,
        "R2.4, R2.7",
        "R2.4, R2.7 only trained, certified and authorized officers use 287(g) authority (MOA)",
        "A 287(g) action was recorded as taken by an officer who was not authorized to use 287(g) authority "
        "that day (designation, training or agreement; R2.4, R2.7). It was saved as it happened, with an "
        "explanation. Review the action and the officer's authorization on the roster.",
    ),
    Finding.Kind.ACTION_OUTSIDE_AGREEMENT: FindingRule(
        Finding.Severity.HIGH,
        "R1.6, R3.10",
        "R1.6 the agreement's 287(g) model; R3.10 ICE supervision and prior approval [S]",
        "A 287(g) action outside what the agreement allows was recorded (R1.6; a Task Force Model field action "
        "needs ICE supervision and prior approval, R3.10). It was saved as it happened, with an explanation. "
        "Review it with ICE and the agency's MOA.",
    ),
    Finding.Kind.HOLD_WITHOUT_AUTHORITY: FindingRule(
        Finding.Severity.CRITICAL,
        "R4.1",
        "R4.1 an I-247N never authorizes a hold (ICE I-247A guidance; Federal Defenders NY)",
        "A person was held past the time state custody would otherwise have ended on a detainer form that "
        "cannot authorize a hold (an I-247N asks only for notification of release; R4.1). Release the person "
        "if still held, and review why they were held.",
    ),
}

EXPLANATION_NEEDED_MESSAGE = (
    "What you are recording broke a rule: {problems} It will be saved as it happened, with the failed check "
    "shown, a finding opened and the supervisors told. Say here what happened and why, then save again."
)
HISTORY_REASON = "Recorded as it happened, breaking {rules}"
REOPEN_REASON = "The rule was broken again: {what}"
EMAIL_SUBJECT = "Rule broken on a detainer: supervisor review"


@dataclass(frozen=True)
class RuleBreak:
    """One past fact that broke a rule, as the person recording it is told.

    Attributes:
        kind: a ``Finding.Kind`` value (one finding per detainer and kind).
        message: what was wrong, for the page (may name the officer; never e-mailed).
    """

    kind: str
    message: str

    @property
    def rule_ids(self) -> str:
        """The rule ids, e.g. "R2.4, R2.7"."""
        if self.kind == Finding.Kind.HOLD_DEADLINE_PASSED:
            return "R4.7–R4.8"
        return RULES[self.kind].ids if self.kind in RULES else self.kind


def record_rule_breaks(detainer: Detainer, *, at: datetime) -> list[RuleBreak]:
    """The rule breaks the detainer record itself states, as its values stand in memory.

    Args:
        detainer: saved or not; ``agency``, ``agreement`` and ``handling_officer`` are read.
        at: aware datetime the question is asked (for a hold still running).

    Returns:
        In this order, those that apply: the handling officer not authorized at the instant of
        the record's action (``action_at``, else ``received_at``; R2.4, R2.7), the record's action
        outside the agreement's model (R1.6), a hold on an I-247N (R4.1). Up to six queries
        (the officer's authorization, ``training.roster.authorization``).
    """
    breaks = []
    officer = detainer.handling_officer
    when = detainer.action_at or detainer.received_at
    if officer is not None and when is not None:
        problem = checks.officer_problem(officer=officer, at=when, agreement=detainer.agreement)
        if problem:
            breaks.append(RuleBreak(Finding.Kind.OFFICER_NOT_AUTHORIZED, problem))
    problem = checks.action_problem(agreement=detainer.agreement, action=detainer.action or "")
    if problem:
        breaks.append(RuleBreak(Finding.Kind.ACTION_OUTSIDE_AGREEMENT, problem))
    problem = checks.held_without_authority(detainer, at)
    if problem:
        breaks.append(RuleBreak(Finding.Kind.HOLD_WITHOUT_AUTHORITY, problem))
    return breaks


def new_rule_breaks(before: list[RuleBreak], after: list[RuleBreak]) -> list[RuleBreak]:
    """The breaks of ``after`` the record did not already state (same kind and same message) ``before``."""
    known = {(item.kind, item.message) for item in before}
    return [item for item in after if (item.kind, item.message) not in known]


def explanation_required(breaks: list[RuleBreak], explanation: str) -> None:
    """Refuse a save that records ``breaks`` without an explanation (the fact itself is never refused).

    Raises:
        ValidationError: keyed ``explanation``, ``EXPLANATION_NEEDED_MESSAGE`` naming each failed rule,
            when ``breaks`` is not empty and ``explanation`` is blank.
    """
    if breaks and not explanation.strip():
        problems = " ".join(item.message for item in breaks)
        raise ValidationError(
            {"explanation": EXPLANATION_NEEDED_MESSAGE.format(problems=problems)}, code="explanation_required"
        )


def history_reason(breaks: list[RuleBreak], reason: str | None = None) -> str | None:
    """The history change reason of a save that records ``breaks``: the rules named, after ``reason`` when given.

    E.g. "API: Jail management system; Recorded as it happened, breaking R2.4, R2.7" (who wrote it, and what
    the row records); ``reason`` alone without breaks. ``acting_as`` cuts it to the column's 100 characters.
    """
    if not breaks:
        return reason
    rules = HISTORY_REASON.format(rules=", ".join(dict.fromkeys(item.rule_ids for item in breaks)))
    return f"{reason}; {rules}" if reason else rules


def rule_breaks_open(
    *, detainer: Detainer, breaks: list[RuleBreak], actor, now: datetime | None = None
) -> list[Finding]:
    """Open (or reopen) the findings of ``breaks`` on ``detainer``: one per kind. Call inside the save's transaction.

    Args:
        detainer: the saved detainer (the finding's record, whichever record the break is about).
        breaks: rule breaks this save recorded (``HOLD_DEADLINE_PASSED`` ones are skipped: that finding
            comes with an incident, ``detainer_open_hold_violation``).
        actor: whose save it is; the opening is attributed to them. A reopening is the system's.
        now: aware datetime the finding is opened at (default now).

    Returns:
        The findings opened or reopened by this call (an already open one is not returned: its
        supervisors were told when it opened).
    """
    now = now or timezone.now()
    changed = []
    for kind in dict.fromkeys(item.kind for item in breaks if item.kind in RULES):
        rule = RULES[kind]
        with acting_as(actor, reason=f"Finding opened by rule {rule.ids}: recorded as it happened"):
            finding, created = finding_open_once(
                record=detainer,
                kind=kind,
                severity=rule.severity,
                rule=rule.rule,
                summary=rule.summary,
                opened_at=now,
            )
        if created:
            changed.append(finding)
        elif finding.status in CLOSED_STATUSES:
            reopened = finding_reopen_by_system(
                finding=finding, reason=REOPEN_REASON.format(what=Finding.Kind(kind).label.lower())
            )
            if reopened is not None:
                changed.append(reopened)
    return changed


def tell_supervisors_on_commit(detainer: Detainer, findings: list[Finding]) -> None:
    """After commit, e-mail the agency's supervisors one message linking ``findings`` and the detainer (if any)."""
    if findings:
        transaction.on_commit(lambda: _tell_supervisors(detainer, findings))


def rule_break_email(detainer: Detainer, findings: list[Finding], *, to: list[str]) -> EmailMessage:
    """The supervisors' e-mail: what kind of rule was broken and links. No name, no booking number."""
    lines = [
        f"A fact that breaks a rule was recorded on a detainer at {detainer.agency.name}. It was saved as it "
        "happened, with the failed check shown on the detainer's page and the explanation of the person who "
        "recorded it (docs/decisions/past-facts-and-gates.md). Review it.",
        "",
    ]
    for finding in findings:
        lines.append(f"{finding.get_kind_display()} ({finding.get_severity_display()}; {finding.rule}):")
        lines.append(f"  {absolute_url(reverse('findings:detail', args=[finding.public_id]))}")
    lines += ["", f"Detainer: {detainer_link(detainer)}", ""]
    return EmailMessage(subject=EMAIL_SUBJECT, body="\n".join(lines), to=to)


def _tell_supervisors(detainer: Detainer, findings: list[Finding]) -> None:
    from incidents.detainers.selectors import agency_supervisor_emails

    to = agency_supervisor_emails([detainer.agency_id]).get(detainer.agency_id, [])
    if not to:
        logger.warning(
            "Rule break recorded on detainer id %s; agency id %s has no supervisor to tell.",
            detainer.pk,
            detainer.agency_id,
        )
        return
    try:
        rule_break_email(detainer, findings, to=to).send()
    except OSError:
        # The record and the findings are saved; the findings stay open on the findings page.
        logger.exception("Rule-break e-mail failed for detainer id %s", detainer.pk)
