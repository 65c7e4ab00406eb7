"""An officer's timeline: one chronological list of what happened to them (the officer page's "Timeline").

Built from the records that hold each fact, never typed separately:

* added to the roster — the officer's creation row in the audit history;
* nomination checklist (R2.8) — the LEA and ICE background-check dates, the ICE
  credential (R2.9) on the officer;
* status changes — ``OfficerStatusChange`` (effective date, who recorded it, the
  note); a status changed through the officer form before the status history
  existed (an audit-history row with no matching ``OfficerStatusChange``) is
  shown from the history;
* training sessions — ``SessionEnrollment`` (attended or not, exam score);
* exams — ``ExamAttempt`` (score, pass at 70 %, remediation, R2.2);
* certifications — completion day, last valid day, and when and by whom it was
  recorded when that was later (training recorded late counts from the day it
  happened); the lapse of a course's latest certification once past;
* notices — every expiry notice, from ``training.reminders.notices.notice_log_for_officer``.

Each event carries its agency-local date (``on``): the effective date where the
fact has one, else the local date of the instant it was recorded. A fixed
number of queries whatever the officer's history.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from training.lifecycle.models import ExamAttempt, OfficerStatusChange
from training.reminders.notices import notice_log_for_officer
from training.roster import rules
from training.roster.models import Officer
from training.sessions.models import SessionEnrollment

# Same-day order: how a day reads naturally (added, checks, status, training, exam, certificate, notices).
NOMINATION = "nomination"
CHECKLIST = "checklist"
STATUS = "status"
SESSION = "session"
EXAM = "exam"
CERTIFICATION = "certification"
LAPSE = "lapse"
NOTICE = "notice"
KIND_ORDER = (NOMINATION, CHECKLIST, STATUS, SESSION, EXAM, CERTIFICATION, LAPSE, NOTICE)
KIND_LABELS = {
    NOMINATION: "Nomination",
    CHECKLIST: "Nomination checklist",
    STATUS: "Status",
    SESSION: "Training",
    EXAM: "Exam",
    CERTIFICATION: "Certification",
    LAPSE: "Lapse",
    NOTICE: "Notice",
}
# An audit-history status change within this time of an OfficerStatusChange
# recording the same status is that change (both are written in one transaction).
_SAME_CHANGE = timedelta(minutes=1)
_OLDEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class TimelineEvent:
    """One event; ``on`` is agency-local, ``recorded_at`` (UTC, may be None) when it was entered."""

    on: date
    kind: str
    title: str
    detail: str = ""
    recorded_at: datetime | None = None
    recorded_by: str = ""
    recorded_on: date | None = None  # agency-local date of recorded_at

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def recorded_late(self) -> bool:
        """Entered on a later day than it happened (shown so a reader sees the effective date counts)."""
        return self.recorded_on is not None and self.recorded_on > self.on


def _user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def officer_timeline(*, officer: Officer, today: date | None = None) -> list[TimelineEvent]:
    """Every event of ``officer``, oldest first (same day: in ``KIND_ORDER``, then by recording time).

    Args:
        officer: the officer, with ``agency`` loaded; the caller checked access.
        today: the agency-local date (default ``rules.agency_today``); a
            certification lapse is shown once its last valid day is before it.

    Returns:
        A list of ``TimelineEvent``. At most eight queries whatever the history's length.
    """
    zone = officer.agency.zone
    today = today or rules.agency_today(officer.agency)

    def local(instant: datetime) -> date:
        return timezone.localdate(instant, timezone=zone)

    events: list[TimelineEvent] = []
    status_changes = list(
        OfficerStatusChange.objects.filter(officer=officer).select_related("recorded_by").order_by("effective_on", "pk")
    )
    events += _history_events(officer, status_changes, local)
    events += _checklist_events(officer)
    for change in status_changes:
        previous = Officer.Status(change.previous_status).label if change.previous_status else "—"
        events.append(
            TimelineEvent(
                on=change.effective_on,
                kind=STATUS,
                title=f"{previous} → {change.get_status_display()}",
                detail=change.note,
                recorded_at=change.recorded_at,
                recorded_by=_user_name(change.recorded_by),
            )
        )
    events += _session_events(officer)
    for exam in ExamAttempt.objects.filter(officer=officer).select_related("course"):
        result = "passed" if exam.passed else "failed"
        name = f" {exam.exam_name}" if exam.exam_name else ""
        remediation = " (remediation re-test)" if exam.is_remediation else ""
        events.append(
            TimelineEvent(
                on=exam.taken_on,
                kind=EXAM,
                title=f"{exam.course.code}{name} exam {result}{remediation}: {exam.score_percent} %",
                detail="Pass mark 70 % (R2.2).",
            )
        )
    events += _certification_events(officer, today)
    for notice in notice_log_for_officer(officer=officer):
        events.append(
            TimelineEvent(on=local(notice.sent_at), kind=NOTICE, title=notice.summary, recorded_at=notice.sent_at)
        )
    rank = {kind: index for index, kind in enumerate(KIND_ORDER)}
    events.sort(key=lambda event: (event.on, rank[event.kind], event.recorded_at or _OLDEST))
    return [_with_recorded_on(event, local) for event in events]


def _with_recorded_on(event: TimelineEvent, local) -> TimelineEvent:
    if event.recorded_at is None:
        return event
    return replace(event, recorded_on=local(event.recorded_at))


def _history_events(officer: Officer, status_changes: list, local) -> list[TimelineEvent]:
    """Added to the roster, and status changes made before the status history existed."""
    entries = list(officer.history.select_related("history_user").order_by("history_date", "history_id"))
    events = []
    previous = None
    for entry in entries:
        by = _user_name(entry.history_user)
        if entry.history_type == "+":
            reason = f" ({entry.history_change_reason})" if entry.history_change_reason else ""
            events.append(
                TimelineEvent(
                    on=local(entry.history_date),
                    kind=NOMINATION,
                    title=f"Added to the roster as {Officer.Status(entry.status).label}{reason}",
                    recorded_at=entry.history_date,
                    recorded_by=by,
                )
            )
        elif previous is not None and entry.status != previous.status:
            covered = any(
                change.status == entry.status and abs(change.recorded_at - entry.history_date) <= _SAME_CHANGE
                for change in status_changes
            )
            if not covered:
                events.append(
                    TimelineEvent(
                        on=local(entry.history_date),
                        kind=STATUS,
                        title=f"{Officer.Status(previous.status).label} → {Officer.Status(entry.status).label}",
                        detail=entry.history_change_reason or "",
                        recorded_at=entry.history_date,
                        recorded_by=by,
                    )
                )
        previous = entry
    return events


def _checklist_events(officer: Officer) -> list[TimelineEvent]:
    events = []
    if officer.lea_background_check_on:
        events.append(
            TimelineEvent(
                officer.lea_background_check_on, CHECKLIST, "LEA criminal background check (last 5 years) done"
            )
        )
    if officer.ice_background_check_on:
        events.append(TimelineEvent(officer.ice_background_check_on, CHECKLIST, "ICE background check done"))
    if officer.ice_credential_issued_on:
        credential = f" {officer.ice_credential_id}" if officer.ice_credential_id else ""
        events.append(TimelineEvent(officer.ice_credential_issued_on, CHECKLIST, f"ICE credential{credential} issued"))
    return events


def _session_events(officer: Officer) -> list[TimelineEvent]:
    events = []
    enrollments = SessionEnrollment.objects.filter(officer=officer).select_related("session__course")
    for enrollment in enrollments:
        session = enrollment.session
        parts = ["attended" if enrollment.attended else "not marked as attended"]
        if enrollment.exam_score_percent is not None:
            parts.append(f"exam {enrollment.exam_score_percent} %")
        events.append(
            TimelineEvent(
                on=session.starts_on,
                kind=SESSION,
                title=f"{session.course.code} class {session.starts_on.isoformat()} to {session.ends_on.isoformat()}"
                f" at {session.location}",
                detail=", ".join(parts).capitalize() + ".",
            )
        )
    return events


def _certification_events(officer: Officer, today: date) -> list[TimelineEvent]:
    certifications = list(
        officer.certifications.select_related("course").order_by("course__code", "completed_on", "pk")
    )
    created = {
        row.id: row
        for row in officer.certifications.model.history.filter(
            id__in=[c.pk for c in certifications], history_type="+"
        ).select_related("history_user")
    }
    events = []
    by_course: dict[int, list] = {}
    for certification in certifications:
        by_course.setdefault(certification.course_id, []).append(certification)
        course = certification.course
        number = f" (certificate {certification.certificate_number})" if certification.certificate_number else ""
        row = created.get(certification.pk)
        events.append(
            TimelineEvent(
                on=certification.completed_on,
                kind=CERTIFICATION,
                title=f"Completed {course.code} — {course.name}{number}",
                detail=f"Last valid day {certification.expires_on.isoformat()}.",
                recorded_at=row.history_date if row else None,
                recorded_by=_user_name(row.history_user) if row else "",
            )
        )
    for completions in by_course.values():
        events += _lapses(completions, today)
    return events


def _lapses(completions: list, today: date) -> list[TimelineEvent]:
    """The days a course stopped being covered: gaps between completions, and a lapse not renewed yet.

    ``completions`` are one course's certifications by completion date. A day
    is covered when some completion is valid on it (completed on or before,
    last valid day on or after). A lapse the daily job recorded
    (``Certification.lapse_recorded_on``, ``training.roster.lapses``, case H1) says so,
    with the day; a recorded lapse that the dates no longer show (a completion
    entered later covers the day after) is listed on the day it was recorded.
    """
    course = completions[0].course
    required = " A required course." if course.required else ""
    events = []
    covering = completions[0]
    shown = set()

    def lapse(detail: str) -> TimelineEvent:
        if covering.lapse_recorded_on is not None:
            shown.add(covering.pk)
            detail += f" The daily check recorded the lapse on {covering.lapse_recorded_on.isoformat()}."
        return TimelineEvent(
            on=covering.expires_on + timedelta(days=1),
            kind=LAPSE,
            title=f"{course.code} lapsed: last valid day was {covering.expires_on.isoformat()}",
            detail=detail,
        )

    for completion in completions[1:]:
        if completion.completed_on > covering.expires_on + timedelta(days=1):
            events.append(lapse(f"Renewed on {completion.completed_on.isoformat()}.{required}"))
        if completion.expires_on > covering.expires_on:
            covering = completion
    if covering.expires_on < today:
        events.append(lapse(f"Not renewed since.{required}"))
    for completion in completions:
        if completion.lapse_recorded_on is not None and completion.pk not in shown:
            events.append(
                TimelineEvent(
                    on=completion.lapse_recorded_on,
                    kind=LAPSE,
                    title=f"{course.code} lapse recorded by the daily check: last valid day was "
                    f"{completion.expires_on.isoformat()}",
                    detail="A completion entered later covers the day after, so by the dates it did not lapse.",
                )
            )
    return events
