"""The notice log: every expiry notice raised about an officer, and who it reached.

Read by the officer page's "Notices" section and its timeline (``training.roster.timeline``):
``notice_log_for_officer(*, officer) -> list[NoticeLogEntry]``. Entries show
roles and counts, never addresses: whoever may see the officer page may see
that "the officer, their supervisor and 2 administrators" were told, not where.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch

from training.reminders.models import CertificationReminder, ReminderDelivery

Role = ReminderDelivery.Role


@dataclass(frozen=True)
class NoticeLogEntry:
    """One expiry notice about the officer.

    ``sent_at`` is when the notice was raised (UTC; show with ``in_zone``);
    ``sent_for_date`` the agency-local date of that run; ``delivered_at`` when
    the first digest carrying it went out (None: not delivered yet, or nobody
    to tell). ``roles`` maps a role label to how many recipients got it in
    that role.
    """

    sent_at: datetime
    sent_for_date: date
    threshold_days: int
    course_code: str
    course_name: str
    expires_on: date
    certification_public_id: object
    delivered_at: datetime | None
    roles: dict[str, int] = field(default_factory=dict)
    kind: str = "notice"

    @property
    def recipient_count(self) -> int:
        return sum(self.roles.values())

    @property
    def recipients_text(self) -> str:
        """ "officer, supervisor, 2 agency administrators" or "nobody (no active recipient)"."""
        if not self.roles:
            return "nobody yet (no active recipient, or the digest is still due)"
        parts = []
        for label, count in self.roles.items():
            parts.append(label.lower() if count == 1 else f"{count} {label.lower()}s")
        return ", ".join(parts)

    @property
    def summary(self) -> str:
        """A one-line description for a timeline, without names."""
        return (
            f"{self.threshold_days}-day expiry notice for {self.course_code} "
            f"(last valid day {self.expires_on.isoformat()}) sent to {self.recipients_text}."
        )


def notice_log_for_officer(*, officer) -> list[NoticeLogEntry]:
    """Every expiry notice raised about ``officer``'s certifications, newest first. Two queries.

    Args:
        officer: a ``training.Officer`` the caller already checked access to.

    Returns:
        ``NoticeLogEntry`` list ordered by ``sent_at`` descending (ties: threshold).
    """
    deliveries = ReminderDelivery.objects.select_related("digest").only("notice_id", "role", "digest__sent_at")
    notices = (
        CertificationReminder.objects.filter(certification__officer=officer)
        .select_related("certification__course")
        .prefetch_related(Prefetch("deliveries", queryset=deliveries))
        .order_by("-sent_at", "threshold_days", "-pk")
    )
    labels = dict(Role.choices)
    entries = []
    for notice in notices:
        delivered = list(notice.deliveries.all())
        counts = Counter(delivery.role for delivery in delivered)
        certification = notice.certification
        entries.append(
            NoticeLogEntry(
                sent_at=notice.sent_at,
                sent_for_date=notice.sent_for_date,
                threshold_days=notice.threshold_days,
                course_code=certification.course.code,
                course_name=certification.course.name,
                expires_on=certification.expires_on,
                certification_public_id=certification.public_id,
                delivered_at=min((d.digest.sent_at for d in delivered), default=None),
                roles={labels[role]: counts[role] for role in Role.values if counts[role]},
            )
        )
    return entries
