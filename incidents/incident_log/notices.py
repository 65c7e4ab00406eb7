"""Telling staff about case work that is now theirs: an in-app notification and one e-mail each.

Sent when a public complaint arrives (the agency's supervisors), when an investigator is assigned or
a case is returned to investigation (the investigator), and when a case is sent to supervisor review
(the supervisors). The text names the kind of case, its stage and its received date, never a
title a person typed, a name or a detail of the complaint; the link is the case page, which checks
access again. Rows are written in the caller's transaction; e-mails go after commit, one per
recipient (no one sees another's address), so a rolled-back step tells nobody. Nobody is told of
their own action.
"""

from __future__ import annotations

import logging
from functools import partial

from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import get_users_with_perms

from compliance.core import access
from compliance.core.site_links import absolute_url
from incidents.incident_log.models import Incident
from training.reminders.models import Notification

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "287(g) compliance: "


def case_reviewers(incident: Incident) -> list:
    """The active users holding ``review_records`` in the case's agency (its supervisors and administrators)."""
    holders = get_users_with_perms(incident.agency, only_with_perms_in=[access.REVIEW], with_group_users=True)
    return list(holders.filter(is_active=True).order_by("pk"))


def case_summary(incident: Incident) -> str:
    """ "Complaint received 2026-12-05": the words a notice may carry about a case (no typed text, no names)."""
    received = timezone.localdate(incident.received_at, timezone=incident.agency.zone)
    return f"{incident.get_kind_display()} received {received.isoformat()}"


def case_notify(*, incident: Incident, recipients, text: str, actor=None) -> int:
    """Notify each of ``recipients`` (users; ``actor`` left out) about ``incident`` with ``text``.

    Args:
        incident: the case (its agency scopes the notification; its page is the link).
        recipients: users; duplicates and inactive users are dropped.
        text: at most 300 characters, no personal data (``case_summary`` builds the case's part).
        actor: the user whose step caused the notice; never told of their own action.

    Returns:
        How many were notified. The e-mails leave after commit; a mail failure is logged (ids only)
        and loses nothing: the in-app notification stays.
    """
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if actor is not None:
        people.pop(actor.pk, None)
    if not people:
        return 0
    link = reverse("incidents:incident_detail", args=[incident.public_id])
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(recipient=user, agency=incident.agency, text=text[:300], link=link, created_at=now)
        for user in people.values()
    )
    addresses = sorted({user.email for user in people.values() if user.email})
    if addresses:
        transaction.on_commit(partial(_mail, incident_id=incident.pk, text=text, link=link, addresses=addresses))
    return len(people)


def _mail(*, incident_id: int, text: str, link: str, addresses: list[str]) -> None:
    body = f"{text}\n\nOpen the case (sign-in required): {absolute_url(link)}\n"
    for address in addresses:
        try:
            EmailMessage(subject=SUBJECT_PREFIX + text[:120], body=body, to=[address]).send()
        except OSError:
            logger.exception("Case notice e-mail failed for case id %s", incident_id)
