"""The hold-deadline sweep: warn before a detainer's 48-hour limit, act once it has passed.

Run by beat every 15 minutes (``incidents.tasks.sweep_hold_deadlines_task``).
Safe to run as often as anyone likes, and in two workers at once (case D4):

* a warning goes once per detainer and lead time (``settings.HOLD_DEADLINE_ALERT_HOURS``,
  default 6 h and 2 h before the deadline): a ``DeadlineAlert`` row per (detainer,
  lead time, deadline), unique, so a second is impossible; a sweep that first sees
  a detainer inside several lead times sends one warning and records them all.
  ``Detainer.deadline_alerted_at`` shows the latest warning;
* past the deadline with no outcome, one critical ``Finding`` (the unique
  constraint on (record, kind) makes a second impossible) and one ``Incident``
  linked to the detainer, and supervisors are told to act now (R4.8);
* a form that never authorizes a hold (the I-247N, R4.1) has no deadline: once the
  time state custody would otherwise have ended passes with no outcome, the person is
  held without authority — one critical ``HOLD_WITHOUT_AUTHORITY`` finding (the same
  one the detainer's services open when such a hold is recorded,
  ``incidents.detainers.rule_breaks``) and supervisors are told to release now.

Each row is handled in its own transaction with its row locked
(``select_for_update(skip_locked=True)``): a second sweep running at the same
moment skips it instead of sending again. Mail is sent inside that
transaction, before the mark is committed (SECURITY.md b2, step 3): if the mail
server refuses, the mark rolls back and the next run tries again; nothing is
ever marked sent that was not handed to the mail server.

Changes are attributed to ``system_user()``. Emails carry a link and the
deadline, never the person's name or booking number.
"""

from __future__ import annotations

import logging
import operator
from datetime import datetime, timedelta
from functools import reduce

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from compliance.core.agency_time import hours_until, in_zone
from compliance.core.audit import acting_as
from compliance.core.feed import hold_deadline_near_emit
from compliance.core.models import Finding
from compliance.core.system_account import system_user
from incidents.detainers import rule_breaks
from incidents.detainers.checks import NOTIFICATION_ONLY_FORMS, held_without_authority
from incidents.detainers.lead_times import normalise_lead_hours
from incidents.detainers.links import detainer_link
from incidents.detainers.models import DeadlineAlert, Detainer
from incidents.detainers.rules import hold_alert_at
from incidents.detainers.selectors import agency_supervisor_emails
from incidents.detainers.services import HOLD_VIOLATION_RULE, detainer_open_hold_violation

logger = logging.getLogger(__name__)

FINDING_RULE = HOLD_VIOLATION_RULE
ALERT_REASON = "Hold-deadline sweep: supervisors warned"
NO_RECIPIENT_REASON = "Hold-deadline sweep: deadline near, but the agency has no supervisor to warn"
VIOLATION_REASON = "Hold-deadline sweep: deadline passed with no outcome"
NO_AUTHORITY_REASON = "Hold-deadline sweep: held past the release time on a form that cannot authorize a hold"


def sweep_hold_deadlines(*, now: datetime | None = None) -> dict:
    """Warn supervisors of near hold deadlines and open a finding + incident for passed ones.

    Args:
        now: aware "current" instant (tests); defaults to ``timezone.now()``.

    Returns:
        Counts, no personal data: ``{"alerts_sent", "alerts_without_recipient",
        "findings_opened", "incidents_opened", "holds_without_authority"}``.

    Rules: a warning at each lead time of ``settings.HOLD_DEADLINE_ALERT_HOURS``
    (hours; default ``(6, 2)``; a single int still works) before ``hold_deadline``
    (``rules.hold_alert_at``), while the deadline has not passed; past
    ``hold_deadline`` with the outcome still pending → critical violation
    (DOMAIN.md R4.7–R4.8, case D4). A detainer whose deadline passed before any
    sweep saw it gets the violation notice only. An I-247N (no deadline, R4.1) still
    pending after ``would_be_released_at`` opens one critical ``HOLD_WITHOUT_AUTHORITY``
    finding, counted in ``holds_without_authority``.

    Queries: two to find due rows (whatever the number of lead times) and one
    lookup of supervisors for all their agencies, then a constant number per
    due row; nothing per agency.
    """
    now = now or timezone.now()
    leads = normalise_lead_hours(settings.HOLD_DEADLINE_ALERT_HOURS)
    finding_type = ContentType.objects.get_for_model(Detainer)

    to_warn = list(
        Detainer.objects.open()
        .filter(hold_deadline__gt=now, hold_deadline__lte=now + timedelta(hours=leads[0]))
        .filter(_any_lead_unalerted(leads, now))
        .values_list("pk", "agency_id")
    )
    already_found = Finding.objects.filter(
        content_type=finding_type, object_id=OuterRef("pk"), kind=Finding.Kind.HOLD_DEADLINE_PASSED
    )
    without_authority_found = Finding.objects.filter(
        content_type=finding_type, object_id=OuterRef("pk"), kind=Finding.Kind.HOLD_WITHOUT_AUTHORITY
    )
    notification_only = Q(form__in=NOTIFICATION_ONLY_FORMS)
    # One query for both: a passed deadline (R4.7–R4.8), or an I-247N (no deadline, R4.1) past its release
    # time. Both branches read pending rows by ``hold_deadline`` (past, or none), the partial index's range.
    overdue = list(
        Detainer.objects.open()
        .filter(
            (Q(hold_deadline__lt=now) & ~notification_only & ~Exists(already_found))
            | (
                Q(hold_deadline__isnull=True, would_be_released_at__lt=now)
                & notification_only
                & ~Exists(without_authority_found)
            )
        )
        .values_list("pk", "agency_id", "form")
    )
    passed = [(pk, agency_id) for pk, agency_id, form in overdue if form not in NOTIFICATION_ONLY_FORMS]
    without_authority = [(pk, agency_id) for pk, agency_id, form in overdue if form in NOTIFICATION_ONLY_FORMS]
    result = {
        "alerts_sent": 0,
        "alerts_without_recipient": 0,
        "findings_opened": 0,
        "incidents_opened": 0,
        "holds_without_authority": 0,
    }
    if not to_warn and not passed and not without_authority:
        return result

    recipients = agency_supervisor_emails(agency_id for _, agency_id in to_warn + passed + without_authority)
    actor = system_user()
    for pk, agency_id in to_warn:
        sent = _warn(pk, now=now, leads=leads, to=recipients.get(agency_id, []), actor=actor)
        if sent is True:
            result["alerts_sent"] += 1
        elif sent is False:
            result["alerts_without_recipient"] += 1
    for pk, agency_id in passed:
        if _open_violation(pk, now=now, to=recipients.get(agency_id, []), actor=actor):
            result["findings_opened"] += 1
            result["incidents_opened"] += 1
    for pk, agency_id in without_authority:
        if _open_without_authority(pk, now=now, to=recipients.get(agency_id, []), actor=actor):
            result["holds_without_authority"] += 1
    logger.info("Hold-deadline sweep: %s", result)
    return result


def _open_without_authority(pk: int, *, now: datetime, to: list[str], actor) -> bool:
    """Open the R4.1 finding for detainer ``pk`` (an I-247N still held past its release time) and tell supervisors.

    False when the row is taken by another sweep, no longer held, or its finding already exists.
    """
    with transaction.atomic(), acting_as(actor, reason=NO_AUTHORITY_REASON):
        detainer = lock_pending(pk, form__in=NOTIFICATION_ONLY_FORMS, would_be_released_at__lt=now)
        if detainer is None:
            return False
        problem = held_without_authority(detainer, now)
        if problem is None:
            return False
        opened = rule_breaks.rule_breaks_open(
            detainer=detainer,
            breaks=[rule_breaks.RuleBreak(Finding.Kind.HOLD_WITHOUT_AUTHORITY, problem)],
            actor=actor,
            now=now,
        )
        if not opened:
            return False
        if to:
            rule_breaks.rule_break_email(detainer, opened, to=to).send()
        else:
            logger.warning(
                "Detainer id %s held past its release time on a notification-only form; agency id %s has no "
                "supervisor to alert.",
                detainer.pk,
                detainer.agency_id,
            )
    return True


def _any_lead_unalerted(leads: tuple[int, ...], now: datetime) -> Q:
    """Rows inside at least one lead time that has no ``DeadlineAlert`` for the current deadline."""
    conditions = []
    for hours in leads:
        alerted = DeadlineAlert.objects.filter(
            detainer=OuterRef("pk"), lead_hours=hours, hold_deadline=OuterRef("hold_deadline")
        )
        conditions.append(Q(hold_deadline__lte=now + timedelta(hours=hours)) & ~Q(Exists(alerted)))
    return reduce(operator.or_, conditions)


def due_lead_hours(deadline: datetime, *, now: datetime, leads: tuple[int, ...]) -> list[int]:
    """The lead times (hours) whose warning time has come for ``deadline`` at ``now``, deadline not yet passed.

    A warning for lead ``h`` is due from ``rules.hold_alert_at(deadline, lead_hours=h)``
    until the deadline itself (R4.7–R4.8; the lead times are our figures, not a sourced rule).
    """
    if deadline <= now:
        return []
    return [hours for hours in leads if hold_alert_at(deadline, lead_hours=hours) <= now]


def lock_pending(pk: int, **conditions) -> Detainer | None:
    """The pending detainer ``pk`` locked for this transaction, or None if taken or no longer due."""
    return (
        Detainer.objects.open()
        # Lock only the detainer row (not the joined agency); skip a row another sweep holds.
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("agency")
        .filter(pk=pk, **conditions)
        .first()
    )


def _warn(pk: int, *, now: datetime, leads: tuple[int, ...], to: list[str], actor) -> bool | None:
    """Send one warning for detainer ``pk`` covering every lead time now due; record them.

    Returns True sent, False nobody to send to, None skipped (locked elsewhere, no longer due, already done).
    """
    with transaction.atomic():
        detainer = lock_pending(pk, hold_deadline__gt=now)
        if detainer is None:
            return None
        done = set(
            DeadlineAlert.objects.filter(detainer=detainer, hold_deadline=detainer.hold_deadline).values_list(
                "lead_hours", flat=True
            )
        )
        missing = [hours for hours in due_lead_hours(detainer.hold_deadline, now=now, leads=leads) if hours not in done]
        if not missing:
            return None
        if to:
            _warning_email(detainer, now=now, to=to).send()
            sent, reason = True, ALERT_REASON
        else:
            sent, reason = False, NO_RECIPIENT_REASON
            logger.warning(
                "Hold deadline near for detainer id %s but agency id %s has no supervisor to alert.",
                detainer.pk,
                detainer.agency_id,
            )
        DeadlineAlert.objects.bulk_create(
            DeadlineAlert(
                detainer=detainer,
                lead_hours=hours,
                hold_deadline=detainer.hold_deadline,
                sent_at=now,
                recipient_count=len(to),
            )
            for hours in missing
        )
        hold_deadline_near_emit(detainer=detainer, lead_hours=min(missing), now=now)
        detainer.deadline_alerted_at = now
        with acting_as(actor, reason=reason):
            detainer.save()
    return sent


def _open_violation(pk: int, *, now: datetime, to: list[str], actor) -> bool:
    """Open the finding and incident for detainer ``pk`` and tell supervisors. False if already done or resolved."""
    with transaction.atomic(), acting_as(actor, reason=VIOLATION_REASON):
        detainer = lock_pending(pk, hold_deadline__lt=now)
        if detainer is None:
            return False
        incident = detainer_open_hold_violation(detainer=detainer, actor=actor, found_at=now, reason=VIOLATION_REASON)
        if incident is None:
            return False
        if to:
            _violation_email(detainer, now=now, to=to).send()
        else:
            logger.warning(
                "Hold deadline passed for detainer id %s; agency id %s has no supervisor to alert.",
                detainer.pk,
                detainer.agency_id,
            )
    return True


def _warning_email(detainer: Detainer, *, now: datetime, to: list[str]) -> EmailMessage:
    deadline = in_zone(detainer.hold_deadline, detainer.agency)
    body = (
        f"A detainer hold deadline is near at {detainer.agency.name}.\n\n"
        f"Hold deadline: {deadline} (in {hours_until(detainer.hold_deadline, now)}).\n"
        f"Open the detainer: {detainer_link(detainer)}\n\n"
        "Record the outcome (transferred to ICE, released, or lifted) before the deadline. Holding a person "
        "past 48 hours after they would otherwise have been released is a violation (R4.7–R4.8).\n"
    )
    subject = f"Hold deadline in {hours_until(detainer.hold_deadline, now)}: a detainer needs action"
    return EmailMessage(subject=subject, body=body, to=to)


def _violation_email(detainer: Detainer, *, now: datetime, to: list[str]) -> EmailMessage:
    deadline = in_zone(detainer.hold_deadline, detainer.agency)
    body = (
        f"A detainer hold at {detainer.agency.name} has passed its 48-hour deadline ({deadline}) with no "
        "outcome recorded.\n\n"
        "Release the person now, or record the transfer to ICE if it happened. A critical finding and an "
        "incident have been opened.\n"
        f"Open the detainer: {detainer_link(detainer)}\n"
    )
    return EmailMessage(subject="Hold deadline passed: act now", body=body, to=to)
