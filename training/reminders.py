"""Certification expiry notices: 90, 60, 30, 7 and 0 days before the last valid day.

Rules (DESIGN.md "Background work", case T2):

* Thresholds are counted on each agency's local date (``rules.agency_today``).
* Only the latest certification of an (officer, course) gets notices; a renewed
  one is history. Officers who are separated or disqualified get none.
* Never twice for one (certification, threshold): the ``CertificationReminder``
  row is inserted, under its unique constraint, in the same transaction that
  sends the mail. A second run, or a second worker racing this one, hits the
  constraint (IntegrityError) and skips. Inserting first also means the mail is
  only recorded as sent once the mail server accepted it: if sending fails the
  row rolls back and the next run retries (SECURITY.md F-12).
* Catch-up: after days without a run only the most urgent threshold reached is
  sent (``rules.reminder_threshold_due``); an already-expired certification
  still gets its 0-day notice within ``rules.EXPIRED_CATCH_UP_DAYS`` (30) days
  after expiry, never later, so the first run over old data does not flood.
* Mail goes to the officer's address and to the officer's supervisor when that
  user is active. It names the course and dates and links to the officer page
  (``settings.SITE_URL``); it never contains a person's name or badge number.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from compliance.audit import acting_as, system_user
from compliance.models import Agency
from training import rules
from training.models import Certification, CertificationReminder
from training.selectors import INACTIVE_OFFICER_STATUSES, latest_certifications

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueReminder:
    """A notice due now: send ``threshold_days`` for ``certification`` on the agency date ``today``."""

    certification: Certification
    threshold_days: int
    today: date


def reminders_due(*, now: datetime) -> list[DueReminder]:
    """Every notice due at ``now`` and not yet sent. Three queries whatever the data size.

    Args:
        now: an aware datetime (UTC or any zone); each agency's local date is taken from it.

    Returns:
        ``DueReminder``s, at most one per certification (the most urgent threshold).
    """
    todays = {agency.pk: rules.agency_today(agency, now) for agency in Agency.objects.only("pk", "time_zone")}
    if not todays:
        return []
    # One window covering every agency's date (zones differ by a day at most).
    earliest = min(todays.values()) - timedelta(days=rules.EXPIRED_CATCH_UP_DAYS)
    latest = max(todays.values()) + timedelta(days=max(rules.REMINDER_THRESHOLDS_DAYS))
    candidates = (
        latest_certifications()
        .filter(expires_on__range=(earliest, latest))
        .exclude(officer__status__in=INACTIVE_OFFICER_STATUSES)
        .select_related("course", "officer", "officer__supervisor")
        .order_by("expires_on", "pk")
    )
    sent: dict[int, int] = {}  # certification id → most urgent threshold already sent
    for certification_id, threshold in CertificationReminder.objects.filter(
        certification__expires_on__range=(earliest, latest)
    ).values_list("certification_id", "threshold_days"):
        sent[certification_id] = min(threshold, sent.get(certification_id, threshold))
    due = []
    for certification in candidates:
        today = todays[certification.agency_id]
        threshold = rules.reminder_threshold_due(certification.expires_on, today)
        if threshold is None:
            continue
        if certification.pk in sent and sent[certification.pk] <= threshold:
            continue  # this notice, or a more urgent one, went out already
        due.append(DueReminder(certification, threshold, today))
    return due


def reminder_send(*, due: DueReminder, now: datetime) -> bool:
    """Record and send one notice. True if this call sent it, False if it was already sent or failed.

    The reminder row and the mail share one transaction: the unique constraint
    on (certification, threshold) lets only one run or worker through; a mail
    failure rolls the row back so a later run retries.
    """
    certification = due.certification
    recipients = reminder_recipients(certification)
    try:
        with transaction.atomic():
            CertificationReminder.objects.create(
                certification=certification,
                threshold_days=due.threshold_days,
                sent_at=now,
                sent_for_date=due.today,
                recipients=len(recipients),
            )
            if recipients:
                reminder_message(due, recipients).send(fail_silently=False)
    except IntegrityError:
        return False  # another run or worker sent it first
    except (smtplib.SMTPException, OSError) as exc:
        # Ids and the error class only: an SMTP error's text can hold addresses (no
        # personal data in logs). The row rolled back; the next run retries.
        logger.warning(
            "Expiry notice for certification %s (%s days) not sent: %s",
            certification.pk,
            due.threshold_days,
            type(exc).__name__,
        )
        return False
    return True


def send_certification_reminders(*, now: datetime | None = None) -> int:
    """Send every expiry notice due at ``now`` (default: the current time). Safe to run twice.

    Args:
        now: an aware datetime; tests pass a fixed one, the daily task passes none.

    Returns:
        How many notices this call sent (a notice with no recipient is recorded and counted).
    """
    now = now or timezone.now()
    sent = 0
    # The reminder log is not an audited model; any history row a future change
    # writes here is attributed to the system account (case H3).
    with acting_as(system_user(), reason="Certification expiry reminders"):
        for due in reminders_due(now=now):
            sent += reminder_send(due=due, now=now)
    return sent


def reminder_recipients(certification: Certification) -> list[str]:
    """The officer's address and the supervisor's, if that user is active; no duplicates."""
    officer = certification.officer
    addresses = [officer.email]
    supervisor = officer.supervisor
    if supervisor is not None and supervisor.is_active:
        addresses.append(supervisor.email)
    return list(dict.fromkeys(address.strip() for address in addresses if address and address.strip()))


def reminder_message(due: DueReminder, recipients: list[str]) -> EmailMessage:
    """The notice: course, threshold, last valid day and a link; no names (DESIGN.md, Safety)."""
    certification = due.certification
    days_left = (certification.expires_on - due.today).days
    if days_left > 0:
        when = f"expires in {days_left} days"
    elif days_left == 0:
        when = "expires today"
    else:
        when = f"expired {-days_left} days ago"
    link = settings.SITE_URL.rstrip("/") + reverse(
        "training:officer_detail", kwargs={"public_id": certification.officer.public_id}
    )
    body = (
        f"A 287(g) certification ({certification.course.code}) held by an officer of your agency {when}.\n"
        f"Last valid day: {certification.expires_on.isoformat()}.\n\n"
        "An officer whose certification has expired may not use delegated immigration authority "
        "until it is renewed.\n\n"
        f"Open the officer's record to see the training and record the renewal:\n{link}\n\n"
        "This notice is sent once at each of 90, 60, 30, 7 and 0 days before the last valid day.\n"
    )
    subject = f"287(g) certification {when} ({due.threshold_days}-day notice)"
    return EmailMessage(subject=subject, body=body, to=recipients)
