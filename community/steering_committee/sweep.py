"""The daily steering-committee sweep: a missed meeting becomes a finding; minutes left unapproved, a reminder.

Run by beat once a day (``community.tasks.sweep_steering_committee_task``) and by ``manage.py run_jobs``.
Idempotent: running it twice the same day opens, resolves and sends nothing more.

1. **Missed meeting → finding** (DOMAIN.md R3.6; the frequency is [U]: "check against your MOA"). For
   every agreement in force on the agency's today (status "In force", signed on or before today, not
   expired) whose ``CommitteeRequirement`` says required: when ``rules.meeting_missed`` holds (no meeting
   held within ``meeting_interval_months`` of the last one held, or of the agreement's signed day / the
   requirement's recording day), a ``COMMITTEE_MEETING_MISSED`` finding is opened on the requirement
   (``compliance.core.findings.finding_open_once``: one per requirement; severity medium). A finding the
   system resolved because a meeting was held is reopened by the system on the next miss. When a meeting
   is held (``services.meeting_record_held``) or the sweep finds the requirement no longer missed, the
   open finding is resolved by the system with a note (``finding_resolve_by_system``).
2. **Minutes not approved in time → reminder.** A meeting held more than ``minutes_approval_days`` ago
   (the smallest among the agency's required agreements in force; default 30) whose minutes are not
   approved: each supervisor of the agency (active users holding ``review_records``) gets an in-app
   notification and an e-mail naming the meeting's date and a link to it (no names, no typed text), at
   most once a week per meeting (``MinutesReminder``: unique per meeting, recipient and day; the last
   one's date is checked). Reminder row, notification and the e-mail's claim in one transaction per
   recipient and meeting, then the e-mail at most once (``compliance.core.mail_outbox``): a worker killed
   mid-send never sends it twice; a refused one is retried by the next sweep.

Nothing personal is logged or passed through the broker.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from community.steering_committee import selectors
from community.steering_committee.models import CommitteeMeeting, CommitteeRequirement, MinutesReminder
from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.findings import (
    OPEN_STATUSES,
    finding_open_once,
    finding_reopen_by_system,
    finding_resolve_by_system,
)
from compliance.core.mail_outbox import mail_claim, mail_deliver, mail_outbox_flush
from compliance.core.models import Agency, Finding, OutboundMail, Severity, User
from compliance.core.site_links import absolute_url
from compliance.core.system_account import system_user
from incidents.corrective_actions.selectors import users_holding
from training.reminders.models import Notification

logger = logging.getLogger(__name__)

RULE = "R3.6 steering committee (check against your MOA)"
#: A reminder about the same meeting's minutes goes to the same person at most this often (our choice: weekly).
REMINDER_REPEAT_DAYS = 7


def missed_summary(requirement: CommitteeRequirement, due: datetime) -> str:
    """The finding's summary: the agreement, the interval and the day it was due. No names."""
    agreement = requirement.agreement
    return (
        f"The steering committee of the {agreement.get_model_display()} agreement did not meet by {due.isoformat()}: "
        f"the requirement recorded is a meeting at least every {requirement.meeting_interval_months} months."
    )


def _requirement_with_agency(requirement: CommitteeRequirement) -> CommitteeRequirement:
    # finding_open_once reads ``record.agency_id``; the requirement names its agency through the agreement.
    requirement.agency_id = requirement.agreement.agency_id
    return requirement


def _findings_of(requirements: list[CommitteeRequirement]) -> dict[int, Finding]:
    content_type = ContentType.objects.get_for_model(CommitteeRequirement)
    return {
        finding.object_id: finding
        for finding in Finding.objects.filter(
            content_type=content_type,
            object_id__in=[r.pk for r in requirements],
            kind=Finding.Kind.COMMITTEE_MEETING_MISSED,
        )
    }


def committee_findings_resolve(*, agency: Agency, now: datetime) -> int:
    """Resolve (as the system) each open "meeting missed" finding of ``agency`` whose requirement is met again.

    Called inside the transaction that recorded a meeting held, and by the sweep. Returns how many were resolved.
    """
    requirements = selectors.requirements_of(agency)
    if not requirements:
        return 0
    findings = _findings_of(requirements)
    if not any(f.status in OPEN_STATUSES for f in findings.values()):
        return 0
    today = selectors.agency_today(agency, now=now)
    last_held = selectors.last_held_day(agency, before=now)
    resolved = 0
    for requirement in requirements:
        finding = findings.get(requirement.pk)
        if finding is None or finding.status not in OPEN_STATUSES:
            continue
        if not requirement.required or not selectors.is_missed(requirement, last_held, today):
            note = (
                f"A steering-committee meeting was held on {last_held.isoformat()}."
                if last_held
                else "The committee requirement no longer applies."
            )
            if finding_resolve_by_system(finding=finding, note=note):
                resolved += 1
    return resolved


def sweep_missed_meetings(*, now: datetime, agency_ids: set[int] | None = None) -> dict[str, int]:
    """Open, reopen or resolve the "meeting missed" findings of every agency (or ``agency_ids``) at ``now``
    (step 1 above).

    Returns:
        ``{"opened", "reopened", "resolved"}`` counts.
    """
    result = {"opened": 0, "reopened": 0, "resolved": 0}
    with acting_as(system_user(), reason="Steering-committee sweep"):
        agencies = Agency.objects.filter(agreements__committee_requirement__isnull=False)
        if agency_ids is not None:
            agencies = agencies.filter(pk__in=agency_ids)
        for agency in agencies.distinct():
            today = selectors.agency_today(agency, now=now)
            requirements = selectors.requirements_of(agency)
            last_held = selectors.last_held_day(agency, before=now)
            findings = _findings_of(requirements)
            for requirement in selectors.required_in_force(requirements, today):
                if not selectors.is_missed(requirement, last_held, today):
                    continue
                due = selectors.next_due(requirement, last_held)
                finding = findings.get(requirement.pk)
                with transaction.atomic():
                    if finding is None:
                        _, created = finding_open_once(
                            record=_requirement_with_agency(requirement),
                            kind=Finding.Kind.COMMITTEE_MEETING_MISSED,
                            severity=Severity.MEDIUM,
                            rule=RULE,
                            summary=missed_summary(requirement, due),
                            opened_at=now,
                        )
                        result["opened"] += created
                    elif (
                        # Resolved because a meeting was held; the next interval has now passed too.
                        finding.status == Finding.Status.RESOLVED
                        and finding.resolved_by_id == system_user().pk
                        and selectors.local_day(agency, finding.resolved_at) <= due
                        and finding_reopen_by_system(finding=finding, reason=missed_summary(requirement, due))
                    ):
                        result["reopened"] += 1
            with transaction.atomic():
                result["resolved"] += committee_findings_resolve(agency=agency, now=now)
    return result


def meeting_path(meeting: CommitteeMeeting) -> str:
    """The meeting's page (a path)."""
    return reverse("community:committee_meeting", kwargs={"public_id": meeting.public_id})


def reminder_text(meeting: CommitteeMeeting, *, held_on, days: int) -> str:
    """The notification's sentence: the meeting's day and how long its minutes have waited. No names."""
    return (
        f"The minutes of the steering-committee meeting of {held_on.isoformat()} await approval: held {days} days "
        f"ago, approval expected within {meeting.approval_days} days."
    )


def reminder_message(*, address: str, text: str, meeting: CommitteeMeeting) -> EmailMessage:
    """The e-mail to one supervisor about one meeting's minutes."""
    body = "\n".join(
        [
            text,
            "",
            f"Open the meeting to review and approve its minutes: {absolute_url(meeting_path(meeting))}",
            f"You get this reminder at most once every {REMINDER_REPEAT_DAYS} days while the minutes wait.",
        ]
    )
    return EmailMessage(subject="287(g) steering committee: minutes awaiting approval", body=body + "\n", to=[address])


#: The ``OutboundMail.purpose`` of the minutes reminders.
MINUTES_PURPOSE = "minutes"


def minutes_key(*, meeting: CommitteeMeeting, user: User, today) -> str:
    """The reminder e-mail's idempotency key: meeting, recipient (ids) and agency date."""
    return f"{MINUTES_PURPOSE}:{meeting.pk}:user:{user.pk}:{today.isoformat()}"


def _remind(*, meeting: CommitteeMeeting, user: User, today, text: str, now: datetime) -> tuple[bool, bool]:
    """Reminder row, notification and the e-mail's claim in one transaction, then the e-mail at most once
    (``compliance.core.mail_outbox``; a refused one is retried by the next sweep)."""
    address = (user.email or "").strip()
    claim = None
    try:
        with transaction.atomic():
            MinutesReminder.objects.create(meeting=meeting, recipient=user, for_date=today, sent_at=now)
            Notification.objects.create(
                recipient=user, agency_id=meeting.agency_id, text=text[:300], link=meeting_path(meeting), created_at=now
            )
            if address:
                claim = mail_claim(
                    key=minutes_key(meeting=meeting, user=user, today=today),
                    purpose=MINUTES_PURPOSE,
                    message=reminder_message(address=address, text=text, meeting=meeting),
                    now=now,
                )
    except IntegrityError:
        return False, False
    if claim is None:
        return True, False
    state = mail_deliver(claim.pk)
    if state in (OutboundMail.State.FAILED, OutboundMail.State.GIVEN_UP):
        logger.warning("Minutes reminder (meeting %s, user %s) not e-mailed yet", meeting.pk, user.pk)
    return True, state == OutboundMail.State.SENT


def sweep_minutes_reminders(*, now: datetime, agency_ids: set[int] | None = None) -> dict[str, int]:
    """Remind supervisors of held meetings whose minutes wait past the approval time (step 2 above), of every
    agency or only ``agency_ids``.

    Returns:
        ``{"reminders", "emails"}`` counts.
    """
    result = {"reminders": 0, "emails": 0}
    # Reminders claimed by an earlier sweep but not sent (killed before the send, or refused): send them now.
    result["emails"] += mail_outbox_flush(now=now, purpose=MINUTES_PURPOSE)["sent"]
    meetings = CommitteeMeeting.objects.filter(
        status=CommitteeMeeting.Status.HELD, minutes_approved_on__isnull=True, starts_at__lte=now
    )
    if agency_ids is not None:
        meetings = meetings.filter(agency_id__in=agency_ids)
    waiting = list(meetings.select_related("agency"))
    if not waiting:
        return result
    supervisors = users_holding({m.agency_id for m in waiting}, access.REVIEW)
    users = User.objects.in_bulk({pk for ids in supervisors.values() for pk in ids})
    last_sent = {
        (row["meeting_id"], row["recipient_id"]): row["last"]
        for row in MinutesReminder.objects.filter(meeting__in=waiting)
        .values("meeting_id", "recipient_id")
        .annotate(last=Max("for_date"))
    }
    requirements_by_agency: dict[int, list] = {}
    for meeting in waiting:
        agency = meeting.agency
        if agency.pk not in requirements_by_agency:
            requirements_by_agency[agency.pk] = selectors.requirements_of(agency)
        today = selectors.agency_today(agency, now=now)
        meeting.approval_days = selectors.minutes_approval_days(requirements_by_agency[agency.pk], today)
        held_on = selectors.local_day(agency, meeting.starts_at)
        days = (today - held_on).days
        if days <= meeting.approval_days:
            continue
        text = reminder_text(meeting, held_on=held_on, days=days)
        for user_id in sorted(supervisors.get(agency.pk, set())):
            user = users.get(user_id)
            if user is None or not user.is_active:
                continue
            last = last_sent.get((meeting.pk, user_id))
            if last is not None and (today - last).days < REMINDER_REPEAT_DAYS:
                continue
            sent, emailed = _remind(meeting=meeting, user=user, today=today, text=text, now=now)
            result["reminders"] += sent
            result["emails"] += emailed
    return result


def sweep_steering_committee(*, now: datetime | None = None, agency_ids: set[int] | None = None) -> dict[str, int]:
    """The daily sweep: missed-meeting findings, then minutes reminders. Safe to run twice.

    Args:
        now: an aware datetime (tests pass one; the task none). Each agency's today is taken from it.
        agency_ids: only these agencies (the local-day job's); default every agency.

    Returns:
        Counts, no personal data: ``opened``, ``reopened``, ``resolved`` findings; ``reminders`` and ``emails``.
    """
    now = now or timezone.now()
    return {
        **sweep_missed_meetings(now=now, agency_ids=agency_ids),
        **sweep_minutes_reminders(now=now, agency_ids=agency_ids),
    }
