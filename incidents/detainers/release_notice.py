"""Notice to DHS before release (R4.6) and the local authority to hold (R4.9).

R4.6: the I-247A asks the agency to "notify DHS as early as practicable (at
least 48 hours, if possible) before the alien is released from your custody".
The app records ``Detainer.ice_notified_at`` (custody-board quick action) and:

* shows a check on the record's page (``check_ice_notified_before_release``);
* warns the agency's supervisors once when the person's release
  (``would_be_released_at``) is less than 48 hours away and ICE has not been
  notified (``sweep_release_notices``, beat every 15 minutes). One
  ``ReleaseNoticeAlert`` row per (detainer, release time): a second sweep, or
  two at once, cannot warn twice for the same release time; a changed release
  time warns afresh.

Neither check blocks a hold: a missing notice is a duty of the agency, not a
defect of the detainer. R4.9's check flags a detainer that requests a hold
with no local legal authority recorded: holding is the agency's own decision
(Galarza; Miranda-Olivares), so the record must say what it rests on.

Emails carry the agency, the release time and a link, never the person's name
or booking number. The sweep writes only ``ReleaseNoticeAlert`` rows (not
audited); the detainer itself is not changed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from compliance.core.agency_time import hours_until, in_zone
from incidents.detainers import checks
from incidents.detainers.links import detainer_link
from incidents.detainers.models import Detainer, ReleaseNoticeAlert
from incidents.detainers.selectors import agency_supervisor_emails
from incidents.detainers.sweep import lock_pending

logger = logging.getLogger(__name__)

#: R4.6: notify DHS at least this long before release, where possible.
NOTICE_AHEAD = timedelta(hours=48)
NOTICE_SOURCE = "Form I-247A (02/17), “notify DHS … at least 48 hours, if possible, before … release”"
AUTHORITY_SOURCE = "Galarza v. Szalczyk (3d Cir. 2014); Miranda-Olivares v. Clackamas County (D. Or. 2014)"


def check_ice_notified_before_release(detainer: Detainer, at: datetime) -> checks.Check:
    """R4.6: ICE told of the release date and time, at least 48 hours ahead where possible.

    Args:
        detainer: the record; reads ``ice_notified_at``, ``would_be_released_at``
            (aware datetimes, UTC) and ``outcome``.
        at: aware datetime the question is asked.

    Returns:
        passed True once notified (the message says how long before release, and
        notes when it was less than 48 hours); False when not notified and the
        release is less than 48 hours away or has come; None while the release
        time is unknown or more than 48 hours away, or the detainer was lifted.
        Never blocks a hold (``blocks_hold=False``).

    Source: DOMAIN.md R4.6 (Form I-247A text and ICE guidance).
    """
    name, rule = "ICE notified before release", "R4.6"
    release = detainer.would_be_released_at
    notified = detainer.ice_notified_at
    if notified is not None and notified <= at:
        shown = in_zone(notified, detainer.agency)
        if release is None:
            return checks.Check(name, rule, NOTICE_SOURCE, True, f"ICE notified {shown}.", blocks_hold=False)
        ahead = release - notified
        if ahead >= NOTICE_AHEAD:
            message = f"ICE notified {shown}, {hours_until(release, notified)} before release."
        elif ahead > timedelta(0):
            message = f"ICE notified {shown}, only {hours_until(release, notified)} before release (aim for 48 h)."
        else:
            message = f"ICE notified {shown}, after the release time {in_zone(release, detainer.agency)}."
        return checks.Check(name, rule, NOTICE_SOURCE, True, message, blocks_hold=False)
    if detainer.outcome == Detainer.Outcome.LIFTED:
        return checks.Check(name, rule, NOTICE_SOURCE, None, "The detainer was lifted.", blocks_hold=False)
    if release is None:
        message = "The release time is not known yet; notify ICE at least 48 hours before it."
        return checks.Check(name, rule, NOTICE_SOURCE, None, message, blocks_hold=False)
    notify_by = release - NOTICE_AHEAD
    if at < notify_by:
        message = f"Notify ICE of the release by {in_zone(notify_by, detainer.agency)} (48 hours ahead)."
        return checks.Check(name, rule, NOTICE_SOURCE, None, message, blocks_hold=False)
    message = (
        f"ICE has not been notified of the release at {in_zone(release, detainer.agency)}. "
        "Notify ICE now and record it (custody board: “ICE notified”)."
    )
    return checks.Check(name, rule, NOTICE_SOURCE, False, message, blocks_hold=False)


def check_local_hold_authority(detainer: Detainer, at: datetime) -> checks.Check:
    """R4.9: the local legal authority the agency relies on to hold is recorded.

    Args:
        detainer: reads ``form`` and ``local_hold_authority`` (text).
        at: aware datetime (unused; every check takes it).

    Returns:
        True when recorded; False when the detainer requests a hold and nothing
        is recorded; None for an I-247N (it requests notification, no hold).
        Does not block a hold by itself (the detainer may be in order); the
        message says the agency must not hold on the detainer alone.

    Source: DOMAIN.md R4.9 (Galarza v. Szalczyk, 745 F.3d 634 (3d Cir. 2014);
    Miranda-Olivares v. Clackamas County (D. Or. 2014); Gonzalez v. ICE (C.D. Cal. 2019)).
    """
    name, rule = "Local authority to hold recorded", "R4.9"
    if detainer.form == Detainer.Form.I247N:
        return checks.Check(name, rule, AUTHORITY_SOURCE, None, "An I-247N requests no hold.", blocks_hold=False)
    authority = detainer.local_hold_authority.strip()
    if authority:
        return checks.Check(name, rule, AUTHORITY_SOURCE, True, f"Relies on: {authority}", blocks_hold=False)
    message = (
        "No local legal authority recorded. A detainer is a request, not an order: record the state or local "
        "law the agency relies on before holding anyone past release."
    )
    return checks.Check(name, rule, AUTHORITY_SOURCE, False, message, blocks_hold=False)


RELEASE_NOTICE_CHECKS = (check_ice_notified_before_release, check_local_hold_authority)


def register() -> None:
    """Append this module's checks to ``incidents.detainers.checks.CHECKS`` once (idempotent;
    ``IncidentsConfig.ready``)."""
    checks.register_checks(*RELEASE_NOTICE_CHECKS)


def sweep_release_notices(*, now: datetime | None = None) -> dict:
    """Warn supervisors once when a release is < 48 h away and ICE has not been notified (R4.6).

    Args:
        now: aware "current" instant (tests); defaults to ``timezone.now()``.

    Returns:
        Counts, no personal data: ``{"notices_due_sent", "notices_due_without_recipient"}``.

    Due: outcome pending, ``ice_notified_at`` empty, ``would_be_released_at``
    within the next 48 hours (or already come while the person is still held,
    up to the hold deadline), and no ``ReleaseNoticeAlert`` for that release
    time. Each row in its own transaction with the row locked
    (``select_for_update(skip_locked=True)``); the mail is sent before the mark
    commits, so a refused mail is retried by the next run. Two queries to find
    due rows and supervisors, then a constant number per due row.

    Source: DOMAIN.md R4.6 (Form I-247A).
    """
    now = now or timezone.now()
    alerted = ReleaseNoticeAlert.objects.filter(detainer=OuterRef("pk"), release_at=OuterRef("would_be_released_at"))
    due = list(
        Detainer.objects.open()
        .filter(ice_notified_at__isnull=True, would_be_released_at__lte=now + NOTICE_AHEAD, hold_deadline__gt=now)
        .exclude(Exists(alerted))
        .values_list("pk", "agency_id")
    )
    result = {"notices_due_sent": 0, "notices_due_without_recipient": 0}
    if not due:
        return result
    recipients = agency_supervisor_emails(agency_id for _, agency_id in due)
    for pk, agency_id in due:
        sent = _warn(pk, now=now, to=recipients.get(agency_id, []))
        if sent is True:
            result["notices_due_sent"] += 1
        elif sent is False:
            result["notices_due_without_recipient"] += 1
    logger.info("Release-notice sweep: %s", result)
    return result


def _warn(pk: int, *, now: datetime, to: list[str]) -> bool | None:
    """One warning for detainer ``pk``; True sent, False nobody to tell, None skipped (locked, done, no longer due)."""
    with transaction.atomic():
        detainer = lock_pending(
            pk, ice_notified_at__isnull=True, would_be_released_at__isnull=False, hold_deadline__gt=now
        )
        if detainer is None:
            return None
        release = detainer.would_be_released_at
        if ReleaseNoticeAlert.objects.filter(detainer=detainer, release_at=release).exists():
            return None
        if to:
            _email(detainer, now=now, to=to).send()
        else:
            logger.warning(
                "Release of detainer id %s is near and ICE not notified; agency id %s has no supervisor to alert.",
                detainer.pk,
                detainer.agency_id,
            )
        ReleaseNoticeAlert.objects.create(detainer=detainer, release_at=release, sent_at=now, recipient_count=len(to))
    return bool(to)


def _email(detainer: Detainer, *, now: datetime, to: list[str]) -> EmailMessage:
    release = detainer.would_be_released_at
    link = detainer_link(detainer)
    when = f"in {hours_until(release, now)}" if release > now else "already reached"
    body = (
        f"A person held at {detainer.agency.name} on an immigration detainer is due for release at "
        f"{in_zone(release, detainer.agency)} ({when}), and ICE has not been notified.\n\n"
        "The detainer asks the agency to notify DHS as early as practicable, at least 48 hours before release "
        "where possible (R4.6). Notify ICE and record it on the custody board.\n"
        f"Open the detainer: {link}\n"
    )
    return EmailMessage(subject="Release near: notify ICE", body=body, to=to)
