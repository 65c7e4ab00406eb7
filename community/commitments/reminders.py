"""Daily reminders of commitments due soon or overdue, in the same follow-up e-mail as corrective actions.

Registered in ``incidents.corrective_actions.reminders.REMINDER_SOURCES`` by ``CommunityConfig.ready``,
so the daily run (``incidents.tasks.send_corrective_action_reminders_task``, ``manage.py run_jobs``)
sends a person ONE e-mail a day listing both kinds of item. For each open commitment whose due date
(an agency-local date) is within ``DUE_SOON_DAYS`` days of the agency's today, or already past:

* who: its owner (an active user); once it is overdue, also every supervisor of its agency (active
  users holding ``review_records``); an item carried over without an owner goes to the supervisors
  (someone must assign it);
* what: a ``due`` reminder once per commitment and recipient, an ``overdue`` one on the first run
  after the due date and then at most every ``OVERDUE_REPEAT_DAYS`` days (weekly) while it stays open
  (the corrective actions' rules: ``reminder_kind_due``, ``already_reminded``);
* how: one ``CommitmentReminder`` row per (commitment, recipient, kind, agency-local day) under its
  unique constraint, written in the recipient's one transaction with the in-app notification and the
  e-mail (a mail failure rolls that recipient's rows back for the next run).

Lines say "a commitment", its origin's kind, the due date and the link to its page: never the
description, the owner's or anyone's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.urls import reverse

from community.commitments.models import Commitment, CommitmentReminder
from compliance.core import access
from compliance.core.models import Agency, User
from incidents.corrective_actions.reminders import (
    DUE_SOON_DAYS,
    ReminderSource,
    already_reminded,
    reminder_kind_due,
)
from incidents.corrective_actions.selectors import users_holding

SECTION = "Commitments"
Kind = CommitmentReminder.Kind


def commitment_path(commitment: Commitment) -> str:
    """The commitment's page (a site path)."""
    return reverse("community:commitment_detail", kwargs={"public_id": commitment.public_id})


def _made_at(commitment: Commitment) -> str:
    if commitment.event_id:
        return "made at an outreach event"
    if commitment.meeting_id:
        return "a steering-committee action item"
    return "made on its own"


def commitment_line_text(line: CommitmentLine) -> str:
    """The sentence for one commitment: whose, its origin's kind, the due date, how late. No names, no typed text."""
    commitment = line.commitment
    if line.owner:
        whose = "A commitment you own"
    elif commitment.owner_id is None:
        whose = f"A commitment without an owner in {line.agency_name}"
    else:
        whose = f"A commitment in {line.agency_name}"
    days = (commitment.due_on - line.today).days
    due = commitment.due_on.isoformat()
    if days < 0:
        when = f"was due on {due}: overdue by {-days} day{'s' if days < -1 else ''}"
    elif days == 0:
        when = f"is due today ({due})"
    else:
        when = f"is due on {due}, in {days} day{'s' if days > 1 else ''}"
    return f"{whose} ({_made_at(commitment)}) {when}."


@dataclass(frozen=True)
class CommitmentLine:
    """One commitment in one recipient's follow-up reminder (a ``ReminderItem``)."""

    commitment: Commitment
    kind: str
    today: date
    owner: bool  # the recipient owns it (else: a supervisor of its agency)
    agency_name: str

    section = SECTION

    @property
    def agency_id(self) -> int:
        return self.commitment.agency_id

    @property
    def due_on(self) -> date:
        return self.commitment.due_on

    def text(self) -> str:
        return commitment_line_text(self)

    def path(self) -> str:
        return commitment_path(self.commitment)

    def reminder_row(self, recipient: User, now: datetime) -> CommitmentReminder:
        return CommitmentReminder(
            commitment=self.commitment, recipient=recipient, kind=self.kind, for_date=self.today, sent_at=now
        )


def commitment_reminders_plan(
    *, now: datetime, agencies: dict[int, Agency], todays: dict[int, date]
) -> dict[int, list[CommitmentLine]]:
    """``{user id: lines not sent yet}`` for commitments due soon or overdue at ``now`` (each agency's ``todays``).

    Four queries at most (open commitments, supervisors ×2, earlier reminders), none per commitment. Inactive
    owners are left out here; the run drops any other inactive recipient.
    """
    if not todays:
        return {}
    latest = max(todays.values()) + timedelta(days=DUE_SOON_DAYS)
    due: list[tuple[Commitment, str, date]] = []
    for commitment in (
        Commitment.objects.open()
        .filter(due_on__lte=latest)
        .select_related("owner")
        .only("pk", "public_id", "agency_id", "event_id", "meeting_id", "due_on", "status", "owner")
        .order_by("due_on", "pk")
    ):
        today = todays.get(commitment.agency_id)
        kind = reminder_kind_due(commitment.due_on, today) if today is not None else None
        if kind is not None:
            due.append((commitment, kind, today))
    if not due:
        return {}
    wants_supervisors = {c.agency_id for c, kind, _ in due if kind == Kind.OVERDUE or c.owner_id is None}
    supervisors = users_holding(wants_supervisors, access.REVIEW) if wants_supervisors else {}
    earlier: dict[tuple[int, int], list[tuple[str, date]]] = {}
    for commitment_id, recipient_id, kind, day in CommitmentReminder.objects.filter(
        commitment_id__in=[c.pk for c, _, _ in due]
    ).values_list("commitment_id", "recipient_id", "kind", "for_date"):
        earlier.setdefault((commitment_id, recipient_id), []).append((kind, day))

    wanted: dict[int, list[CommitmentLine]] = {}
    for commitment, kind, today in due:
        people: set[int] = set()
        if commitment.owner_id is not None and commitment.owner.is_active:
            people.add(commitment.owner_id)
        if kind == Kind.OVERDUE or commitment.owner_id is None:
            people |= supervisors.get(commitment.agency_id, set())
        for user_id in sorted(people):
            if already_reminded(kind, today, earlier.get((commitment.pk, user_id), [])):
                continue
            wanted.setdefault(user_id, []).append(
                CommitmentLine(
                    commitment=commitment,
                    kind=kind,
                    today=today,
                    owner=user_id == commitment.owner_id,
                    agency_name=agencies[commitment.agency_id].name,
                )
            )
    return wanted


def commitment_reminded_on(days: set[date]) -> set[tuple[int, date]]:
    """``(user id, day)`` of the commitment reminders already sent on ``days`` (agency dates). One query."""
    return set(CommitmentReminder.objects.filter(for_date__in=days).values_list("recipient_id", "for_date"))


#: What ``CommunityConfig.ready`` registers in ``incidents.corrective_actions.reminders.REMINDER_SOURCES``.
SOURCE = ReminderSource(
    section=SECTION,
    list_path=lambda: reverse("community:commitment_list"),
    plan=commitment_reminders_plan,
    reminded_on=commitment_reminded_on,
)
