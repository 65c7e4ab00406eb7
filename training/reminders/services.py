"""Certification expiry notices, sent as one digest per recipient per day (case T2; R2.4).

Two records, two guarantees:

* A **notice** (``CertificationReminder``) is raised once per (certification,
  threshold) under a unique constraint. Thresholds are the agency's own
  (``training.reminders.thresholds``, default 90/60/30/7/0 days), counted on the
  agency-local date. After days without a run only the most urgent threshold
  reached is raised (``rules.reminder_threshold_due``); an expired
  certification still gets its 0-day notice up to ``rules.EXPIRED_CATCH_UP_DAYS``
  days after expiry, never later. Only the latest certification of an
  (officer, course) counts; separated and disqualified officers get none.
* A **digest** (``ReminderDigest``) goes to each recipient at most once per
  agency-local day, under a unique constraint on (recipient, date). It lists
  every notice due for that recipient and not yet delivered to them: the
  officer about their own certifications (by the officer's address), the
  officer's supervisor about their officers, the agency administrators about
  the whole agency. Each line is recorded as a ``ReminderDelivery``; users also
  get one in-app ``Notification`` per line, so the list works without email.
  Only the most urgent notice of a certification is delivered: a 60-day
  notice not yet delivered when the 30-day one is raised is not sent.

The digest row, its delivery rows, its notifications and the e-mail's claim
(``compliance.core.mail_outbox``, key ``digest_key``: recipient and date) share one
transaction: a second run or worker racing this one hits the unique constraint and
skips that recipient. The e-mail is sent after that commit and marked sent after the
server accepted it, so a worker killed in between never sends it twice (at most once,
SECURITY.md F-1); a refused e-mail is retried by the next run (F-12). A recipient who
already got today's digest gets newly raised notices tomorrow.

Scheduling: ``training.tasks.send_certification_reminders_task`` runs hourly and
handles each agency once per local day at ``REMINDER_LOCAL_HOUR``
(``compliance.core.local_day_jobs``); ``agency_ids`` limits a run to those agencies.

Who is notified: active users only (``is_active``), never an inactive one. An
officer's address that belongs to a user account is that user (one digest, and
in-app notifications too); if that account is inactive the officer's address
is not mailed. Mail and notifications name a course, dates and a link to the
officer page (``settings.SITE_URL``); never a person's name or badge number.

Queries: a fixed number for the whole run (agencies, thresholds, candidates,
notices, deliveries, users, today's digests; one more per agency with notices
for its administrators), then a few per recipient for its own transaction. None
per certification.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from guardian.shortcuts import get_users_with_perms

from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.mail_outbox import address_token, mail_claim, mail_deliver, mail_outbox_flush
from compliance.core.models import Agency, OutboundMail, User
from compliance.core.system_account import system_user
from training.reminders.messages import DigestLine, digest_message, digest_notifications
from training.reminders.models import CertificationReminder, Notification, ReminderDelivery, ReminderDigest
from training.reminders.sections import DIGEST_SECTIONS, DigestSection, SectionLine
from training.reminders.thresholds import reminder_thresholds_by_agency
from training.roster import rules
from training.roster.models import Certification
from training.roster.selectors import INACTIVE_OFFICER_STATUSES, latest_certifications

logger = logging.getLogger(__name__)

Role = ReminderDelivery.Role
#: The ``OutboundMail.purpose`` of the digests.
DIGEST_PURPOSE = "digest"
# When one person is reached in several roles for one notice, the most personal wins.
ROLE_PRIORITY = {Role.OFFICER: 0, Role.SUPERVISOR: 1, Role.ADMINISTRATOR: 2}


@dataclass(frozen=True)
class DueNotice:
    """The most urgent threshold reached for ``certification`` on its agency's date ``today``."""

    certification: Certification
    threshold_days: int
    today: date


@dataclass
class Recipient:
    """One digest to send: to a user (in-app, and mail if the user has an address) or to an address."""

    key: tuple[str, object]  # ("user", pk) or ("email", lower-cased address)
    user: User | None
    address: str
    lines: list[DigestLine] = field(default_factory=list)
    #: Lines of the sections registered by the floors above (``training.reminders.sections``), per section.
    extra: list[tuple[DigestSection, list[SectionLine]]] = field(default_factory=list)

    @property
    def today(self) -> date:
        """The digest's date: the latest agency date among its lines (zones differ by a day at most)."""
        return max([line.today for line in self.lines] + [line.today for _, lines in self.extra for line in lines])


@dataclass
class ReminderRunResult:
    """What one run did. ``digests_sent`` counts recipients reached (mail and/or in-app)."""

    notices_raised: int = 0
    digests_sent: int = 0
    emails_sent: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"{self.notices_raised} notices raised, {self.digests_sent} digests sent "
            f"({self.emails_sent} by email), {self.failed} failed"
        )


@dataclass
class ReminderWindow:
    """Every agency's local date at ``now`` and the expiry range any notice can concern."""

    todays: dict[int, date]
    agencies: dict[int, Agency]
    thresholds: dict[int, tuple[int, ...]]
    earliest: date
    latest: date


def reminder_window(*, now: datetime, agency_ids: set[int] | None = None) -> ReminderWindow | None:
    """Every agency's (or only ``agency_ids``') local date and thresholds at ``now``, and the expiry range a notice
    can concern. Two queries."""
    queryset = Agency.objects.only("pk", "public_id", "name", "time_zone")
    if agency_ids is not None:
        queryset = queryset.filter(pk__in=agency_ids)
    agencies = {agency.pk: agency for agency in queryset}
    if not agencies:
        return None
    todays = {pk: rules.agency_today(agency, now) for pk, agency in agencies.items()}
    thresholds = reminder_thresholds_by_agency(agencies)
    most_distant = max(max(values, default=0) for values in thresholds.values())
    return ReminderWindow(
        todays=todays,
        agencies=agencies,
        thresholds=thresholds,
        # One range covering every agency's date (zones differ by a day at most).
        earliest=min(todays.values()) - timedelta(days=rules.EXPIRED_CATCH_UP_DAYS),
        latest=max(todays.values()) + timedelta(days=most_distant),
    )


def reminders_due(*, now: datetime) -> list[DueNotice]:
    """Every certification with a threshold reached at ``now``, sent or not. Four queries.

    Args:
        now: an aware datetime; each agency's local date is taken from it.

    Returns:
        One ``DueNotice`` per certification (latest of its officer and course,
        officer not separated or disqualified) whose ``rules.reminder_threshold_due``
        is not None, with the officer, supervisor and course loaded.
    """
    window = reminder_window(now=now)
    return _due(window) if window else []


def _due(window: ReminderWindow) -> list[DueNotice]:
    candidates = (
        latest_certifications()
        .filter(expires_on__range=(window.earliest, window.latest), agency_id__in=list(window.agencies))
        .exclude(officer__status__in=INACTIVE_OFFICER_STATUSES)
        .select_related("course", "officer", "officer__supervisor")
        .order_by("expires_on", "pk")
    )
    due = []
    for certification in candidates:
        today = window.todays[certification.agency_id]
        threshold = rules.reminder_threshold_due(
            certification.expires_on, today, window.thresholds[certification.agency_id]
        )
        if threshold is not None:
            due.append(DueNotice(certification, threshold, today))
    return due


def _notices_by_certification(window: ReminderWindow) -> dict[int, list[CertificationReminder]]:
    notices = defaultdict(list)
    for notice in CertificationReminder.objects.filter(
        certification__expires_on__range=(window.earliest, window.latest)
    ).only("pk", "certification_id", "threshold_days", "sent_at", "sent_for_date"):
        notices[notice.certification_id].append(notice)
    return notices


def notices_raise(*, due: list[DueNotice], recipients: dict[int, list], window: ReminderWindow, now: datetime) -> int:
    """Insert the notices in ``due`` not raised yet (nor a more urgent one). Returns how many this call raised.

    One bulk insert in the usual case. If another run raised some of them in the
    meantime, the unique constraint refuses the batch and each row is tried on
    its own (savepoints), so each (certification, threshold) exists once.
    """
    existing = _notices_by_certification(window)
    rows = []
    for item in due:
        sent = [notice.threshold_days for notice in existing.get(item.certification.pk, [])]
        if sent and min(sent) <= item.threshold_days:
            continue  # this notice, or a more urgent one, was raised already
        rows.append(
            CertificationReminder(
                certification=item.certification,
                threshold_days=item.threshold_days,
                sent_at=now,
                sent_for_date=item.today,
                recipients=len(recipients.get(item.certification.pk, [])),
            )
        )
    if not rows:
        return 0
    try:
        with transaction.atomic():
            CertificationReminder.objects.bulk_create(rows, batch_size=500)
        return len(rows)
    except IntegrityError:
        pass  # a concurrent run raised some of them: one at a time below
    raised = 0
    for row in rows:
        row.pk = None
        try:
            with transaction.atomic():
                row.save(force_insert=True)
            raised += 1
        except IntegrityError:
            continue
    return raised


def _users_by_address(due: list[DueNotice]) -> dict[str, User | None]:
    """Officer address (lower-cased) → the user owning it: an active one if any, else None (inactive only)."""
    addresses = {item.certification.officer.email.strip().lower() for item in due} - {""}
    if not addresses:
        return {}
    owners: dict[str, User | None] = {}
    users = User.objects.annotate(address=Lower("email")).filter(address__in=addresses).order_by("-is_active", "pk")
    for user in users:
        owners.setdefault(user.address, user if user.is_active else None)
    return owners


def _administrators(agency_ids: set[int], agencies: dict[int, Agency]) -> dict[int, list[User]]:
    """Active users holding ``administer_agency`` in each agency. One query per agency."""
    admins = {}
    for pk in agency_ids:
        holders = get_users_with_perms(agencies[pk], only_with_perms_in=[access.ADMINISTER], with_group_users=False)
        admins[pk] = list(holders.filter(is_active=True).order_by("pk"))
    return admins


def notice_recipients(
    *, due: list[DueNotice], window: ReminderWindow
) -> dict[int, list[tuple[tuple, User | None, str, str]]]:
    """Who is told about each due certification: ``{certification id: [(key, user, address, role)]}``.

    Officer (own address, or the user owning it), active supervisor, active
    agency administrators; one entry per person, in the most personal role.
    """
    owners = _users_by_address(due)
    admins = _administrators({item.certification.agency_id for item in due}, window.agencies)
    result = {}
    for item in due:
        officer = item.certification.officer
        people: dict[tuple, tuple] = {}

        def add(user, address, role, people=people):
            key = ("user", user.pk) if user is not None else ("email", address.lower())
            if key not in people or ROLE_PRIORITY[role] < ROLE_PRIORITY[people[key][3]]:
                people[key] = (key, user, address, role)

        address = officer.email.strip()
        if address:
            lower = address.lower()
            if lower not in owners:
                add(None, address, Role.OFFICER)
            elif owners[lower] is not None:
                add(owners[lower], owners[lower].email.strip(), Role.OFFICER)
            # else: the address belongs to an inactive account only: never notified.
        supervisor = officer.supervisor
        if supervisor is not None and supervisor.is_active:
            add(supervisor, supervisor.email.strip(), Role.SUPERVISOR)
        for admin in admins.get(officer.agency_id, []):
            add(admin, admin.email.strip(), Role.ADMINISTRATOR)
        result[item.certification.pk] = list(people.values())
    return result


def digests_plan(
    *,
    due: list[DueNotice],
    recipients: dict[int, list],
    window: ReminderWindow,
    sections: list[tuple[DigestSection, list[SectionLine]]] = (),
) -> list[Recipient]:
    """The digests to send now: per recipient, the notices due for them and not yet delivered to them, and the
    lines of the registered sections (``sections``: each with its lines not told yet) addressed to them.

    Skips recipients who already got a digest for their date. Three queries.
    """
    notices = _notices_by_certification(window)
    delivered = set()
    for notice_id, user_id, address in ReminderDelivery.objects.filter(
        notice__certification__expires_on__range=(window.earliest, window.latest)
    ).values_list("notice_id", "digest__recipient_id", "digest__recipient_email"):
        delivered.add((notice_id, ("user", user_id) if user_id else ("email", address)))
    already = set()
    for user_id, address, day in ReminderDigest.objects.filter(
        sent_for_date__in=set(window.todays.values())
    ).values_list("recipient_id", "recipient_email", "sent_for_date"):
        already.add((("user", user_id) if user_id else ("email", address), day))

    plan: dict[tuple, Recipient] = {}
    for item in due:
        raised = notices.get(item.certification.pk)
        if not raised:
            continue
        notice = min(raised, key=lambda n: n.threshold_days)  # only the most urgent is delivered
        notice.certification = item.certification
        for key, user, address, role in recipients.get(item.certification.pk, []):
            if (notice.pk, key) in delivered:
                continue
            recipient = plan.setdefault(key, Recipient(key=key, user=user, address=address))
            recipient.lines.append(
                DigestLine(
                    notice=notice,
                    role=role,
                    today=item.today,
                    agency=window.agencies[item.certification.agency_id],
                )
            )
    for section, lines in sections:
        by_user: dict[tuple, list[SectionLine]] = {}
        for line in lines:
            by_user.setdefault(("user", line.user.pk), []).append(line)
        for key, user_lines in by_user.items():
            user = user_lines[0].user
            recipient = plan.setdefault(key, Recipient(key=key, user=user, address=user.email.strip()))
            recipient.extra.append((section, user_lines))
    return [recipient for key, recipient in sorted(plan.items()) if (key, recipient.today) not in already]


def digest_key(recipient: Recipient) -> str:
    """The digest's idempotency key: one e-mail per recipient (user id, or a hash of the address) and date."""
    kind, value = recipient.key
    who = f"user:{value}" if kind == "user" else f"email:{address_token(str(value))}"
    return f"digest:{who}:{recipient.today.isoformat()}"


def digest_send(*, recipient: Recipient, now: datetime) -> tuple[bool, bool]:
    """Record and send one digest. Returns (sent, emailed); (False, False) if another run or worker sent it.

    Two phases (``compliance.core.mail_outbox``): the digest row, its deliveries, its notifications and the
    mail's claim (key ``digest_key``) commit together first — the unique (recipient, date) constraint lets one
    run or worker through; then the e-mail goes out and is marked sent. A worker killed after the server
    accepted the mail never sends it again (the claim stays "sending", later "unconfirmed"); one killed before
    the send leaves it "claimed" and the next run sends it.

    Raises:
        _DigestFailed: the mail server refused the e-mail or could not be reached; the claim is "failed" and
            the next run (``mail_outbox_flush``) retries it. The in-app notifications are recorded.
    """
    today = recipient.today
    address = recipient.address.strip()
    claim = None
    try:
        with transaction.atomic():
            digest = ReminderDigest.objects.create(
                recipient=recipient.user,
                recipient_email=address.lower(),
                sent_for_date=today,
                sent_at=now,
                emailed=bool(address),
            )
            ReminderDelivery.objects.bulk_create(
                [ReminderDelivery(digest=digest, notice=line.notice, role=line.role) for line in recipient.lines]
            )
            for section, lines in recipient.extra:
                section.record(lines, today, now)
            extra = [(section.title, lines) for section, lines in recipient.extra]
            if recipient.user is not None:
                Notification.objects.bulk_create(
                    digest_notifications(
                        recipient=recipient.user, lines=recipient.lines, digest=digest, now=now, extra=extra
                    )
                )
            if address:
                claim = mail_claim(
                    key=digest_key(recipient),
                    purpose=DIGEST_PURPOSE,
                    message=digest_message(address=address, lines=recipient.lines, today=today, extra=extra),
                    now=now,
                )
    except IntegrityError:
        return False, False  # another run or worker sent this recipient's digest first
    if claim is None:
        return True, False
    state = mail_deliver(claim.pk)
    if state in (OutboundMail.State.FAILED, OutboundMail.State.GIVEN_UP):
        # Ids only (mail_outbox logs the error class): no personal data in logs.
        logger.warning(
            "Reminder digest (%s lines, user %s) not e-mailed yet",
            len(recipient.lines),
            recipient.user.pk if recipient.user else "-",
        )
        raise _DigestFailed
    return True, state == OutboundMail.State.SENT


class _DigestFailed(Exception):
    pass


def send_certification_reminders(
    *, now: datetime | None = None, agency_ids: set[int] | None = None
) -> ReminderRunResult:
    """Raise every notice due at ``now`` (default: the current time) and send today's digests. Safe to run twice.

    Args:
        now: an aware datetime; tests pass a fixed one, the hourly task passes none.
        agency_ids: only these agencies' certifications (the local-day job passes the agencies whose day it
            runs); default every agency.

    Returns:
        A ``ReminderRunResult``: notices this call raised (a notice with no
        recipient is raised and counted, never retried), digests and emails it
        sent, digests that failed (mail server refused; retried next run).
    """
    now = now or timezone.now()
    result = ReminderRunResult()
    # Digests claimed by an earlier run but not sent (killed before the send, or refused): send them now.
    result.emails_sent += mail_outbox_flush(now=now, purpose=DIGEST_PURPOSE)["sent"]
    window = reminder_window(now=now, agency_ids=agency_ids)
    if window is None:
        return result
    # Nothing written here is an audited model; any history row a future change
    # writes here is attributed to the system account (case H3).
    with acting_as(system_user(), reason="Certification expiry reminders"):
        due = _due(window)
        sections = [(section, section.lines(set(window.agencies), now)) for section in DIGEST_SECTIONS]
        sections = [(section, lines) for section, lines in sections if lines]
        if not due and not sections:
            return result
        recipients = notice_recipients(due=due, window=window) if due else {}
        if due:
            result.notices_raised = notices_raise(due=due, recipients=recipients, window=window, now=now)
        for recipient in digests_plan(due=due, recipients=recipients, window=window, sections=sections):
            try:
                sent, emailed = digest_send(recipient=recipient, now=now)
            except _DigestFailed:
                result.failed += 1
                continue
            result.digests_sent += sent
            result.emails_sent += emailed
    return result
