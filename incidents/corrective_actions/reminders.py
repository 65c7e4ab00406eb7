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
  under a unique constraint, one in-app ``training.reminders.Notification`` per line and the
  claim of one e-mail per recipient listing their lines (``compliance.core.mail_outbox``, key
  recipient and date), all in one transaction per recipient (as
  ``training.reminders.services.digest_send``): a second run or a second worker hits a
  constraint and sends nothing more. The e-mail goes out after that commit, at most once even
  if the worker dies mid-send; one the server refused is retried by the next run (nothing is
  marked sent that the mail server did not accept);
* at most one e-mail per recipient per day: a recipient already reminded on that agency date
  gets lines that became due later that day on the next run.

Lines name the kind of action, the due date and a link to the case page: never the
complainant, the subject officer, the case title or any text a person typed.

Other reminders join the same e-mail: an upper floor registers a ``ReminderSource`` in
``REMINDER_SOURCES`` (``register_reminder_source``, from its ``AppConfig.ready``; e.g.
``community.commitments.reminders``); the run asks each for its lines, so a person gets ONE
follow-up e-mail a day listing every kind of item. A source's lines follow the same rules: their
own reminder rows under their own unique constraint (written in the recipient's transaction),
an in-app notification each, no personal data, and the day counts as reminded for every source.

Queries: a fixed number for the run (agencies, open actions, supervisors, earlier reminders,
users, and each source's own fixed number), then a few per recipient for its own transaction.
None per action.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.mail_outbox import mail_claim, mail_deliver, mail_outbox_flush
from compliance.core.models import Agency, OutboundMail, User
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

#: The ``OutboundMail.purpose`` of the daily follow-up e-mails.
FOLLOW_UP_PURPOSE = "follow-up"

#: The section of the e-mail corrective actions are listed in.
SECTION = "Corrective actions"


class ReminderItem(Protocol):
    """One line of a recipient's follow-up reminder, whatever its source (a corrective action, a commitment…).

    ``section``: the e-mail's section it is listed in (e.g. "Commitments"); ``agency_id``; ``today``: the
    agency-local date it is reminded for; ``due_on``; ``kind``: ``due`` or ``overdue``.
    """

    section: str
    agency_id: int
    today: date
    due_on: date
    kind: str

    def text(self) -> str:
        """The line's sentence: what, when due, how late. No names, no typed text."""

    def path(self) -> str:
        """The site path of the item's page (the notification's link; the e-mail makes it absolute)."""

    def reminder_row(self, recipient: User, now: datetime) -> models.Model:
        """The unsaved row that records this reminder once (its model's unique constraint stops a second)."""


@dataclass(frozen=True)
class ReminderSource:
    """Reminders an upper floor adds to the daily follow-up e-mail (registered with ``register_reminder_source``).

    ``section``: its heading in the e-mail (e.g. "Commitments"); ``list_path``: a callable giving the site path
    of the page listing the recipient's items; ``plan(now=, agencies=, todays=)`` → ``{user id: [ReminderItem]}``:
    the lines not sent yet to each active recipient (a fixed number of queries); ``reminded_on(days)`` → the
    ``(user id, day)`` pairs this source already reminded on those agency dates (one query).
    """

    section: str
    list_path: Callable[[], str]
    plan: Callable[..., dict[int, list[ReminderItem]]]
    reminded_on: Callable[[set[date]], set[tuple[int, date]]]


#: The reminder sources registered by upper floors (``register_reminder_source``), asked in order.
REMINDER_SOURCES: list[ReminderSource] = []


def register_reminder_source(source: ReminderSource) -> None:
    """Add ``source`` to the daily follow-up reminders (once: a second registration of its section is ignored)."""
    if all(existing.section != source.section for existing in REMINDER_SOURCES):
        REMINDER_SOURCES.append(source)


@dataclass(frozen=True)
class ReminderLine:
    """One action in one recipient's reminder (a ``ReminderItem``)."""

    action: CorrectiveAction
    kind: str
    today: date
    owner: bool  # the recipient owns the action (else: a supervisor of its agency)

    section = SECTION

    @property
    def agency_id(self) -> int:
        return self.action.agency_id

    @property
    def due_on(self) -> date:
        return self.action.due_on

    def text(self) -> str:
        return line_text(self)

    def path(self) -> str:
        return case_path(self.action)

    def reminder_row(self, recipient: User, now: datetime) -> CorrectiveActionReminder:
        return CorrectiveActionReminder(
            action=self.action, recipient=recipient, kind=self.kind, for_date=self.today, sent_at=now
        )


@dataclass
class ActionRecipient:
    """One recipient of the day's follow-up reminder and their lines (corrective actions and other sources')."""

    user: User
    lines: list[ReminderItem] = field(default_factory=list)

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


def _list_paths() -> dict[str, Callable[[], str]]:
    return {SECTION: lambda: reverse("incidents:corrective_action_list")} | {
        source.section: source.list_path for source in REMINDER_SOURCES
    }


def reminder_message(*, address: str, lines: list[ReminderItem], today: date) -> EmailMessage:
    """The day's e-mail for one recipient: a section per kind of item (corrective actions first, then each
    registered source's), one line and a link to its page per item, and a link to each list."""
    count = len(lines)
    sections = [SECTION, *(source.section for source in REMINDER_SOURCES)]
    sections += sorted({line.section for line in lines} - set(sections))
    present = [section for section in sections if any(line.section == section for line in lines)]
    if present == [SECTION]:
        subject = f"287(g) corrective actions for {today.isoformat()}: {count} due or overdue"
    else:
        subject = f"287(g) follow-ups for {today.isoformat()}: {count} due or overdue"
    parts = []
    for section in present:
        parts += [f"{section} due or overdue on {today.isoformat()} (agency date).", ""]
        mine = [line for line in lines if line.section == section]
        for line in sorted(mine, key=lambda line: (line.due_on, line.path())):
            parts.append(f"- {line.text()}")
            parts.append(f"  {absolute_url(line.path())}")
        parts.append("")
    paths = _list_paths()
    parts += [f"Your {section.lower()}: {absolute_url(paths[section]())}" for section in present if section in paths]
    parts.append(
        "You get at most one of these e-mails a day; an overdue item is listed again each week while it is open."
    )
    return EmailMessage(subject=subject, body="\n".join(parts) + "\n", to=[address])


def reminders_plan(*, now: datetime, agency_ids: set[int] | None = None) -> list[ActionRecipient]:
    """Who is to be reminded of what at ``now``: per recipient, the lines not sent yet. Fixed number of queries.

    ``agency_ids``: only these agencies' items (the local-day job's agencies); default every agency.
    """
    queryset = Agency.objects.only("pk", "public_id", "name", "time_zone")
    if agency_ids is not None:
        queryset = queryset.filter(pk__in=agency_ids)
    agencies = {agency.pk: agency for agency in queryset}
    if not agencies:
        return []
    todays = {pk: timezone.localdate(now, timezone=agency.zone) for pk, agency in agencies.items()}
    latest = max(todays.values()) + timedelta(days=DUE_SOON_DAYS)
    due: list[tuple[CorrectiveAction, str, date]] = []
    for action in (
        CorrectiveAction.objects.open()
        .filter(due_on__lte=latest, agency_id__in=list(agencies))
        .select_related("incident", "owner")
        .only("pk", "agency_id", "kind", "due_on", "status", "owner", "incident__public_id")
        .order_by("due_on", "pk")
    ):
        today = todays[action.agency_id]
        kind = reminder_kind_due(action.due_on, today)
        if kind is not None:
            action.agency = agencies[action.agency_id]
            due.append((action, kind, today))
    planned = {source.section: source.plan(now=now, agencies=agencies, todays=todays) for source in REMINDER_SOURCES}
    if not due and not any(planned.values()):
        return []
    supervisors = users_holding({action.agency_id for action, _, _ in due}, access.REVIEW) if due else {}
    earlier: dict[tuple[int, int], list[tuple[str, date]]] = {}
    reminded_on: set[tuple[int, date]] = set()
    if due:
        for action_id, recipient_id, kind, day in CorrectiveActionReminder.objects.filter(
            action_id__in=[action.pk for action, _, _ in due]
        ).values_list("action_id", "recipient_id", "kind", "for_date"):
            earlier.setdefault((action_id, recipient_id), []).append((kind, day))
    # At most one follow-up e-mail per recipient and day, whichever source reminded them first.
    for recipient_id, day in CorrectiveActionReminder.objects.filter(for_date__in=set(todays.values())).values_list(
        "recipient_id", "for_date"
    ):
        reminded_on.add((recipient_id, day))
    for source in REMINDER_SOURCES:
        reminded_on |= source.reminded_on(set(todays.values()))

    wanted: dict[int, list[ReminderItem]] = {}
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
    for lines_by_user in planned.values():
        for user_id, lines in lines_by_user.items():
            fresh = [line for line in lines if (user_id, line.today) not in reminded_on]
            if fresh:
                wanted.setdefault(user_id, []).extend(fresh)
    users = User.objects.in_bulk(list(wanted))
    return [
        ActionRecipient(user=users[user_id], lines=lines)
        for user_id, lines in sorted(wanted.items())
        if user_id in users and users[user_id].is_active
    ]


class _ReminderFailed(Exception):
    pass


def follow_up_key(recipient: ActionRecipient) -> str:
    """The follow-up e-mail's idempotency key: one per recipient (user id) and agency date."""
    return f"{FOLLOW_UP_PURPOSE}:user:{recipient.user.pk}:{recipient.today.isoformat()}"


def reminder_send(*, recipient: ActionRecipient, now: datetime) -> tuple[bool, bool]:
    """Record and send one recipient's reminders. Returns (sent, emailed); (False, False) if another run did.

    Two phases (``compliance.core.mail_outbox``): the reminder rows, the notifications and the e-mail's claim
    (``follow_up_key``) commit together — the unique (action, recipient, kind, day) constraints and the key let
    one run or worker through — then the e-mail is sent and marked sent. A worker killed after the server
    accepted it never sends it again; one killed before the send leaves it claimed for the next run.

    Raises:
        _ReminderFailed: the server refused the e-mail or was unreachable; the claim is retried next run.
    """
    address = (recipient.user.email or "").strip()
    claim = None
    try:
        with transaction.atomic():
            rows_by_model: dict[type, list[models.Model]] = {}
            for line in recipient.lines:
                row = line.reminder_row(recipient.user, now)
                rows_by_model.setdefault(type(row), []).append(row)
            for model, rows in rows_by_model.items():
                model.objects.bulk_create(rows)
            Notification.objects.bulk_create(
                [
                    Notification(
                        recipient=recipient.user,
                        agency_id=line.agency_id,
                        text=line.text()[:300],
                        link=line.path(),
                        created_at=now,
                    )
                    for line in recipient.lines
                ]
            )
            if address:
                claim = mail_claim(
                    key=follow_up_key(recipient),
                    purpose=FOLLOW_UP_PURPOSE,
                    message=reminder_message(address=address, lines=recipient.lines, today=recipient.today),
                    now=now,
                )
    except IntegrityError:
        return False, False  # another run or worker reminded this recipient first
    if claim is None:
        return True, False
    state = mail_deliver(claim.pk)
    if state in (OutboundMail.State.FAILED, OutboundMail.State.GIVEN_UP):
        # Ids only (mail_outbox logs the error class): an SMTP error's text can hold addresses.
        logger.warning(
            "Corrective-action reminder (%s lines, user %s) not e-mailed yet", len(recipient.lines), recipient.user.pk
        )
        raise _ReminderFailed
    return True, state == OutboundMail.State.SENT


def follow_up_reminders_send(*, now: datetime | None = None, agency_ids: set[int] | None = None) -> dict:
    """The daily follow-up run: corrective actions and every registered source's items due soon or overdue at
    ``now``, one e-mail per recipient. Safe to run twice.

    Args:
        now: an aware datetime (tests pass a fixed one; the hourly task passes none). Each agency's
            local date is taken from it.
        agency_ids: only these agencies (the local-day job passes the agencies whose day it runs); default all.

    Returns:
        Counts, no personal data: ``reminders`` (rows written, every source's), ``recipients`` (reached in-app
        and/or by mail), ``emails`` (sent), ``failed`` (recipients whose mail failed: retried next run) and
        ``by_section`` (``{section: rows written}``, e.g. ``{"Corrective actions": 3, "Commitments": 1}``).
    """
    now = now or timezone.now()
    result = {"reminders": 0, "recipients": 0, "emails": 0, "failed": 0}
    by_section = {SECTION: 0} | {source.section: 0 for source in REMINDER_SOURCES}
    # Follow-ups claimed by an earlier run but not sent (killed before the send, or refused): send them now.
    result["emails"] += mail_outbox_flush(now=now, purpose=FOLLOW_UP_PURPOSE)["sent"]
    # Nothing written here is audited; any history row a future change writes is the system account's.
    with acting_as(system_user(), reason="Corrective-action reminders"):
        for recipient in reminders_plan(now=now, agency_ids=agency_ids):
            try:
                sent, emailed = reminder_send(recipient=recipient, now=now)
            except _ReminderFailed:
                result["failed"] += 1
                continue
            if sent:
                result["reminders"] += len(recipient.lines)
                result["recipients"] += 1
                result["emails"] += emailed
                for line in recipient.lines:
                    by_section[line.section] = by_section.get(line.section, 0) + 1
    return {**result, "by_section": by_section}


def send_corrective_action_reminders(
    *, now: datetime | None = None, agency_ids: set[int] | None = None
) -> dict[str, int]:
    """Remind owners and supervisors of corrective actions due soon or overdue at ``now``, with every registered
    source's lines (``REMINDER_SOURCES``: commitments) in the same e-mail (``follow_up_reminders_send``). Safe to
    run twice.

    Returns:
        Counts, no personal data: ``{"reminders", "recipients", "emails", "failed"}`` — reminder rows
        written (every source's), recipients reached (in-app and/or mail), e-mails sent, recipients whose mail
        failed (retried next run).
    """
    result = follow_up_reminders_send(now=now, agency_ids=agency_ids)
    return {key: result[key] for key in ("reminders", "recipients", "emails", "failed")}
