"""Daily reminders of corrective actions due soon or overdue: in-app notifications and one e-mail per recipient.

Run by beat once a day (``incidents.tasks.send_corrective_action_reminders_task``) and by
``manage.py run_jobs``. For each open action whose due date (an agency-local date) is within
``DUE_SOON_DAYS`` days of the agency's today, or already past:

* who: the action's owner and every supervisor of its agency (active users holding
  ``review_records``: supervisors and administrators); one person is told once per action;
* what: a ``DUE`` reminder once per action and recipient (the first run that finds it due
  within ``DUE_SOON_DAYS`` days); an ``OVERDUE`` reminder on the first run after the due
  date and then at most once every ``OVERDUE_REPEAT_DAYS`` days (weekly) while it stays open;
* how: one ``CorrectiveActionReminder`` row per (action, recipient, kind, agency-local day)
  under a unique constraint, one in-app ``training.reminders.Notification`` per line and one
  e-mail per recipient listing their lines, all in one transaction per recipient (as
  ``training.reminders.services.digest_send``): a second run or a second worker hits the
  constraint and sends nothing more; a mail failure rolls that recipient's rows back, so
  the next run retries them (nothing is marked sent that the mail server did not accept);
* at most one e-mail per recipient per day: a recipient already reminded on that agency date
  gets lines that became due later that day on the next run.

Lines name the kind of action, the due date and a link to the case page: never the
complainant, the subject officer, the case title or any text a person typed.

Queries: a fixed number for the run (agencies, open actions, supervisors, earlier reminders,
users), then a few per recipient for its own transaction. None per action.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.models import Agency, User
from compliance.core.site_links import absolute_url
from compliance.core.system_account import system_user
from incidents.corrective_actions.models import CorrectiveAction, CorrectiveActionReminder
from incidents.corrective_actions.selectors import users_holding
from training.reminders.models import Notification

logger = logging.getLogger(__name__)

#: An open action is first reminded this many days before its due date (our choice; issue #11 item 4).
DUE_SOON_DAYS = 7
#: An overdue action is reminded again at most this often while it stays open (our choice: weekly).
OVERDUE_REPEAT_DAYS = 7

Kind = CorrectiveActionReminder.Kind


@dataclass(frozen=True)
class ReminderLine:
    """One action in one recipient's reminder."""

    action: CorrectiveAction
    kind: str
    today: date
    owner: bool  # the recipient owns the action (else: a supervisor of its agency)


@dataclass
class ActionRecipient:
    user: User
    lines: list[ReminderLine] = field(default_factory=list)

    @property
    def today(self) -> date:
        """The reminder's date: the latest agency date among its lines (zones differ by a day at most)."""
        return max(line.today for line in self.lines)


def reminder_kind_due(due_on: date, today: date) -> str | None:
    """``OVERDUE`` past the due date, ``DUE`` within ``DUE_SOON_DAYS`` days of it (today included), else None."""
    if due_on < today:
        return Kind.OVERDUE
    if (due_on - today).days <= DUE_SOON_DAYS:
        return Kind.DUE
    return None


def already_reminded(kind: str, today: date, earlier: list[tuple[str, date]]) -> bool:
    """Whether a reminder of ``kind`` was sent already, given the (kind, day) sent to this recipient for this action.

    ``DUE``: once ever. ``OVERDUE``: once per ``OVERDUE_REPEAT_DAYS`` days (the last one less than that ago).
    """
    if kind == Kind.DUE:
        return any(sent_kind == Kind.DUE for sent_kind, _ in earlier)
    return any(sent_kind == Kind.OVERDUE and (today - day).days < OVERDUE_REPEAT_DAYS for sent_kind, day in earlier)


def line_text(line: ReminderLine) -> str:
    """The sentence for one line: kind, due date, how late. No names, no typed text."""
    action = line.action
    whose = "A corrective action you own" if line.owner else f"A corrective action in {action.agency.name}"
    days = (action.due_on - line.today).days
    if days < 0:
        when = f"was due on {action.due_on.isoformat()}: overdue by {-days} day{'s' if days < -1 else ''}"
    elif days == 0:
        when = f"is due today ({action.due_on.isoformat()})"
    else:
        when = f"is due on {action.due_on.isoformat()}, in {days} day{'s' if days > 1 else ''}"
    return f"{whose} ({action.get_kind_display().lower()}) {when}."


def case_path(action: CorrectiveAction) -> str:
    return reverse("incidents:incident_detail", kwargs={"public_id": action.incident.public_id})


def reminder_message(*, address: str, lines: list[ReminderLine], today: date) -> EmailMessage:
    """The day's e-mail for one recipient: one line and a link to the case page per action."""
    count = len(lines)
    subject = f"287(g) corrective actions for {today.isoformat()}: {count} due or overdue"
    parts = [f"Corrective actions due or overdue on {today.isoformat()} (agency date).", ""]
    for line in sorted(lines, key=lambda line: (line.action.due_on, line.action.pk)):
        parts.append(f"- {line_text(line)}")
        parts.append(f"  {absolute_url(case_path(line.action))}")
    parts += [
        "",
        f"Your corrective actions: {absolute_url(reverse('incidents:corrective_action_list'))}",
        "You get at most one of these e-mails a day; an overdue action is listed again each week while it is open.",
    ]
    return EmailMessage(subject=subject, body="\n".join(parts) + "\n", to=[address])


def reminders_plan(*, now: datetime) -> list[ActionRecipient]:
    """Who is to be reminded of what at ``now``: per recipient, the lines not sent yet. Fixed number of queries."""
    agencies = {agency.pk: agency for agency in Agency.objects.only("pk", "public_id", "name", "time_zone")}
    if not agencies:
        return []
    todays = {pk: timezone.localdate(now, timezone=agency.zone) for pk, agency in agencies.items()}
    latest = max(todays.values()) + timedelta(days=DUE_SOON_DAYS)
    due: list[tuple[CorrectiveAction, str, date]] = []
    for action in (
        CorrectiveAction.objects.open()
        .filter(due_on__lte=latest)
        .select_related("incident", "owner")
        .only("pk", "agency_id", "kind", "due_on", "status", "owner", "incident__public_id")
        .order_by("due_on", "pk")
    ):
        today = todays[action.agency_id]
        kind = reminder_kind_due(action.due_on, today)
        if kind is not None:
            action.agency = agencies[action.agency_id]
            due.append((action, kind, today))
    if not due:
        return []
    supervisors = users_holding({action.agency_id for action, _, _ in due}, access.REVIEW)
    earlier: dict[tuple[int, int], list[tuple[str, date]]] = {}
    reminded_on: set[tuple[int, date]] = set()
    for action_id, recipient_id, kind, day in CorrectiveActionReminder.objects.filter(
        action_id__in=[action.pk for action, _, _ in due]
    ).values_list("action_id", "recipient_id", "kind", "for_date"):
        earlier.setdefault((action_id, recipient_id), []).append((kind, day))
    for recipient_id, day in CorrectiveActionReminder.objects.filter(for_date__in=set(todays.values())).values_list(
        "recipient_id", "for_date"
    ):
        reminded_on.add((recipient_id, day))

    wanted: dict[int, list[ReminderLine]] = {}
    for action, kind, today in due:
        people = set(supervisors.get(action.agency_id, set()))
        if action.owner.is_active:
            people.add(action.owner_id)
        for user_id in sorted(people):
            if (user_id, today) in reminded_on or already_reminded(kind, today, earlier.get((action.pk, user_id), [])):
                continue
            wanted.setdefault(user_id, []).append(
                ReminderLine(action=action, kind=kind, today=today, owner=user_id == action.owner_id)
            )
    users = User.objects.in_bulk(list(wanted))
    return [
        ActionRecipient(user=users[user_id], lines=lines)
        for user_id, lines in sorted(wanted.items())
        if user_id in users and users[user_id].is_active
    ]


class _ReminderFailed(Exception):
    pass


def reminder_send(*, recipient: ActionRecipient, now: datetime) -> tuple[bool, bool]:
    """Record and send one recipient's reminders. Returns (sent, emailed); (False, False) if another run did.

    Reminder rows, notifications and the e-mail in one transaction: the unique
    (action, recipient, kind, day) constraint lets one run or worker through; a mail
    failure rolls it all back for a later run (raises ``_ReminderFailed``).
    """
    address = (recipient.user.email or "").strip()
    try:
        with transaction.atomic():
            CorrectiveActionReminder.objects.bulk_create(
                [
                    CorrectiveActionReminder(
                        action=line.action, recipient=recipient.user, kind=line.kind, for_date=line.today, sent_at=now
                    )
                    for line in recipient.lines
                ]
            )
            Notification.objects.bulk_create(
                [
                    Notification(
                        recipient=recipient.user,
                        agency_id=line.action.agency_id,
                        text=line_text(line)[:300],
                        link=case_path(line.action),
                        created_at=now,
                    )
                    for line in recipient.lines
                ]
            )
            if address:
                reminder_message(address=address, lines=recipient.lines, today=recipient.today).send(
                    fail_silently=False
                )
    except IntegrityError:
        return False, False  # another run or worker reminded this recipient first
    except (smtplib.SMTPException, OSError) as exc:
        # Ids and the error class only: an SMTP error's text can hold addresses.
        logger.warning(
            "Corrective-action reminder (%s lines, user %s) not sent: %s",
            len(recipient.lines),
            recipient.user.pk,
            type(exc).__name__,
        )
        raise _ReminderFailed from exc
    return True, bool(address)


def send_corrective_action_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """Remind owners and supervisors of corrective actions due soon or overdue at ``now``. Safe to run twice.

    Args:
        now: an aware datetime (tests pass a fixed one; the daily task passes none). Each agency's
            local date is taken from it.

    Returns:
        Counts, no personal data: ``{"reminders", "recipients", "emails", "failed"}`` — reminder rows
        written, recipients reached (in-app and/or mail), e-mails sent, recipients whose mail failed
        (retried next run).
    """
    now = now or timezone.now()
    result = {"reminders": 0, "recipients": 0, "emails": 0, "failed": 0}
    # Nothing written here is audited; any history row a future change writes is the system account's.
    with acting_as(system_user(), reason="Corrective-action reminders"):
        for recipient in reminders_plan(now=now):
            try:
                sent, emailed = reminder_send(recipient=recipient, now=now)
            except _ReminderFailed:
                result["failed"] += 1
                continue
            if sent:
                result["reminders"] += len(recipient.lines)
                result["recipients"] += 1
                result["emails"] += emailed
    return result
