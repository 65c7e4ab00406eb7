"""Words of the reminder digest: the email and the in-app notifications. No queries, no names.

A line names a course, the days left, the last valid day and the threshold, and
links to the officer page; it never holds a person's name or badge number
(DESIGN.md, Safety: emails carry a link, not a name). An officer's own line
says "your certification"; a supervisor's "an officer you supervise"; an
administrator's "an officer of <agency>".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from django.core.mail import EmailMessage
from django.urls import reverse

from compliance.core.site_links import absolute_url
from training.reminders.models import CertificationReminder, Notification, ReminderDelivery

Role = ReminderDelivery.Role

# A first run over a large agency can make an administrator's digest long: the
# mail and the in-app list show this many lines per section, then one line
# pointing to the roster.
MAX_LINES_PER_SECTION = 100

SECTION_TITLES = {
    Role.OFFICER: "Your certifications",
    Role.SUPERVISOR: "Officers you supervise",
    Role.ADMINISTRATOR: "Your agency",
}

LAPSED_WARNING = (
    "An officer whose certification has expired may not use delegated immigration authority until it is renewed."
)


@dataclass(frozen=True)
class DigestLine:
    """One notice in one recipient's digest; ``notice.certification`` has officer and course loaded."""

    notice: CertificationReminder
    role: str
    today: date  # the agency-local date of the run
    agency: object  # compliance.Agency (name and public id only are used)

    @property
    def certification(self):
        return self.notice.certification


def when_text(expires_on: date, today: date) -> str:
    """ "expires in 60 days", "expires today" or "expired 3 days ago", counted on the agency date."""
    days_left = (expires_on - today).days
    if days_left > 1:
        return f"expires in {days_left} days"
    if days_left == 1:
        return "expires tomorrow"
    if days_left == 0:
        return "expires today"
    return f"expired {-days_left} day{'s' if days_left < -1 else ''} ago"


def line_text(line: DigestLine) -> str:
    """The sentence for one line, without its link."""
    certification = line.certification
    code = certification.course.code
    if line.role == Role.OFFICER:
        subject = f"Your certification for course {code}"
    elif line.role == Role.SUPERVISOR:
        subject = f"The {code} certification of an officer you supervise"
    else:
        subject = f"The {code} certification of an officer of {line.agency.name}"
    return (
        f"{subject} {when_text(certification.expires_on, line.today)} "
        f"(last valid day {certification.expires_on.isoformat()}; {line.notice.threshold_days}-day notice)."
    )


def officer_path(line: DigestLine) -> str:
    return reverse("training:officer_detail", kwargs={"public_id": line.certification.officer.public_id})


def _roster_path(lines: list[DigestLine]) -> str:
    """The roster of the lines' agency; the plain roster page when they span several agencies."""
    agencies = {line.agency.pk: line.agency for line in lines}
    if len(agencies) != 1:
        return reverse("training:roster")
    [agency] = agencies.values()
    return f"{reverse('training:roster')}?{urlencode({'agency': agency.public_id})}"


def _sections(lines: list[DigestLine]) -> list[tuple[str, list[DigestLine]]]:
    ordered = sorted(lines, key=lambda line: (line.certification.expires_on, line.certification.course.code))
    return [(role, [line for line in ordered if line.role == role]) for role in SECTION_TITLES]


def _subject(today: date, count: int, extra: list[tuple[str, list]]) -> str:
    told = sum(len(lines) for _, lines in extra)
    if not told:
        return f"287(g) training notices for {today.isoformat()}: {count} certification{'s' if count != 1 else ''}"
    parts = [f"{count} certification{'s' if count != 1 else ''}"] if count else []
    parts.append(f"{told} other notice{'s' if told != 1 else ''}")
    return f"287(g) notices for {today.isoformat()}: {', '.join(parts)}"


def digest_message(
    *, address: str, lines: list[DigestLine], today: date, extra: list[tuple[str, list]] = ()
) -> EmailMessage:
    """The day's digest for one address: a section per role, one line and link per certification, then one section
    per registered digest section (``extra``: ``(title, [SectionLine])``, ``training.reminders.sections``)."""
    count = len(lines)
    subject = _subject(today, count, list(extra))
    parts = [f"287(g) training notices for {today.isoformat()} (agency date).", ""]
    for role, role_lines in _sections(lines):
        if not role_lines:
            continue
        parts.append(SECTION_TITLES[role])
        for line in role_lines[:MAX_LINES_PER_SECTION]:
            parts.append(f"- {line_text(line)}")
            parts.append(f"  {absolute_url(officer_path(line))}")
        hidden = len(role_lines) - MAX_LINES_PER_SECTION
        if hidden > 0:
            parts.append(f"- … and {hidden} more: {absolute_url(_roster_path(role_lines[MAX_LINES_PER_SECTION:]))}")
        parts.append("")
    for title, section_lines in extra:
        parts.append(title)
        for line in section_lines[:MAX_LINES_PER_SECTION]:
            parts.append(f"- {line.text}")
            parts.append(f"  {absolute_url(line.link)}")
        parts.append("")
    parts += [
        LAPSED_WARNING,
        "",
        "You get at most one digest a day; each certification is listed once at each of the agency's "
        "notice thresholds.",
        f"Your notifications in the app: {absolute_url(reverse('training:notification_list'))}",
    ]
    return EmailMessage(subject=subject, body="\n".join(parts) + "\n", to=[address])


def digest_notifications(
    *, recipient, lines: list[DigestLine], digest, now: datetime, extra: list[tuple[str, list]] = ()
) -> list[Notification]:
    """Unsaved in-app notifications for ``recipient``: one per line (and per ``extra`` section line), capped like the
    mail."""
    notifications = []
    for _title, section_lines in extra:
        for line in section_lines[:MAX_LINES_PER_SECTION]:
            notifications.append(
                Notification(
                    recipient=recipient,
                    agency_id=line.agency.pk,
                    digest=digest,
                    text=line.text[:300],
                    link=line.link,
                    created_at=now,
                )
            )
    for role, role_lines in _sections(lines):
        for line in role_lines[:MAX_LINES_PER_SECTION]:
            notifications.append(
                Notification(
                    recipient=recipient,
                    agency_id=line.certification.agency_id,
                    digest=digest,
                    text=line_text(line)[:300],
                    link=officer_path(line),
                    created_at=now,
                )
            )
        hidden = len(role_lines) - MAX_LINES_PER_SECTION
        if hidden > 0:
            rest = role_lines[MAX_LINES_PER_SECTION:]
            notifications.append(
                Notification(
                    recipient=recipient,
                    agency_id=rest[0].agency.pk,
                    digest=digest,
                    text=f"{hidden} more certifications are due ({SECTION_TITLES[role].lower()}): see the roster.",
                    link=_roster_path(rest),
                    created_at=now,
                )
            )
    return notifications
