"""Training sessions: schedule a class, enroll officers, record results, issue certifications.

Writes take the acting user (``actor=``), run in one transaction and attribute
their history rows to the actor. Multi-row writes (enrolling by badge numbers,
recording the roster's results, issuing certifications) check every row and
report every bad one at once; nothing is written unless all rows are good.

Issuing is the one action that turns a session into records: for each enrolled
officer who attended, the exam score is recorded as an exam attempt through
``training.roster.services.exam_record`` (R2.2: pass at 70 %, one remediation re-test,
two failures disqualify), and those who passed get a certification through
``training.roster.services.certification_record``, completed on the session's last
day. After that the session's roster is locked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from compliance.core.audit import acting_as
from training.roster import rules, services
from training.roster.models import Certification, Course, Officer
from training.roster.selectors import INACTIVE_OFFICER_STATUSES
from training.sessions.models import SessionEnrollment, TrainingSession

# R2.2: each exam must be passed with at least 70 % (``rules.EXAM_PASS_PERCENT``).
PASS_MARK_PERCENT = rules.EXAM_PASS_PERCENT

COURSE_OTHER_AGENCY = "The course belongs to another agency."
ENDS_BEFORE_START = "The session cannot end before it starts."
NO_BADGES = "Enter at least one badge number."
UNKNOWN_BADGE = "No officer with badge {badge} in this agency."
INACTIVE_OFFICER = "Officer with badge {badge} is {status} and cannot be enrolled."
ALREADY_ENROLLED = "Officer with badge {badge} is already enrolled."
SESSION_LOCKED = "Certifications were issued for this session; its roster can no longer change."
NOT_IN_SESSION = "This row does not belong to the session; reload the page."
SCORE_OUT_OF_RANGE = "A score is a whole percentage from 0 to 100."
SCORE_WITHOUT_ATTENDANCE = "An officer marked absent has no exam score."
REMEDIATION_WITHOUT_SCORE = "A remediation re-test needs its score."
SCORE_MISSING = "Enter the exam score of an officer who attended (or mark the officer absent)."
ISSUE_TOO_EARLY = "Certifications can be issued from the session's last day ({ends_on}) in the agency's time zone."
NOBODY_ATTENDED = "Nobody is marked as attending: record attendance first."
OFFICER_CANNOT_BE_CERTIFIED = "This officer is {status} and cannot be certified."


class SessionRowsError(Exception):
    """Rows of a multi-row write that failed; nothing was written.

    ``rows`` maps an enrollment's public id (str) to ``{field: [messages]}``;
    fields are ``attended``, ``exam_score_percent``, ``is_remediation`` or
    ``__all__`` (the row as a whole). ``messages`` holds session-wide ones.
    """

    def __init__(self, rows: dict[str, dict[str, list[str]]], messages: Iterable[str] = ()):
        self.rows = rows
        self.messages = list(messages)
        super().__init__(f"{len(rows)} row(s) refused.")


@dataclass(frozen=True)
class EnrollmentResult:
    """What the roster form says about one enrollee."""

    enrollment_id: str  # the enrollment's public id
    attended: bool
    exam_score_percent: int | None
    is_remediation: bool = False


@dataclass
class IssueResult:
    """What ``session_certifications_issue`` did."""

    certifications: list[Certification] = field(default_factory=list)
    failed: list[SessionEnrollment] = field(default_factory=list)  # took the exam, did not pass
    absent: int = 0


# --- reads -------------------------------------------------------------------


def sessions_for_agency(*, agency) -> QuerySet[TrainingSession]:
    """``agency``'s sessions, latest first, with course and head counts. One query per page.

    Annotations: ``enrolled``, ``attended``, ``certified`` (enrollments with a certification).
    """
    return (
        TrainingSession.objects.filter(agency=agency)
        .select_related("course")
        .annotate(
            enrolled=Count("enrollments"),
            attended=Count("enrollments", filter=Q(enrollments__attended=True)),
            certified=Count("enrollments", filter=Q(enrollments__certification__isnull=False)),
        )
        .order_by("-starts_on", "-pk")
    )


def session_roster(*, session) -> list[SessionEnrollment]:
    """The session's enrollees with officer and certification loaded, by name. One query."""
    return list(
        session.enrollments.select_related("officer", "certification").order_by(
            "officer__last_name", "officer__first_name", "officer__badge_number"
        )
    )


def exam_passed(score_percent: int | None) -> bool:
    """R2.2 (``rules.exam_passed``): 70 % passes, 69 % fails; no score has not passed."""
    return score_percent is not None and rules.exam_passed(score_percent)


# --- writes ------------------------------------------------------------------


def session_create(
    *,
    actor,
    agency,
    course: Course,
    starts_on: date,
    ends_on: date,
    location: str,
    instructor: str,
    exam_required: bool = True,
) -> TrainingSession:
    """Schedule a class of ``course`` in ``agency``.

    Args:
        actor: the user doing it (history author); the caller checked they may
            change records in ``agency``.
        starts_on, ends_on: agency-local dates, both inclusive; past dates are
            allowed (a class held before it was recorded).
        exam_required: officers must pass the exam to be certified (R2.2).

    Raises:
        ValidationError: course of another agency, end before start, or an
            invalid field (keyed by field).
    """
    if course.agency_id != agency.pk:
        raise ValidationError({"course": COURSE_OTHER_AGENCY})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": ENDS_BEFORE_START})
    session = TrainingSession(
        agency=agency,
        course=course,
        starts_on=starts_on,
        ends_on=ends_on,
        location=location.strip(),
        instructor=instructor.strip(),
        exam_required=exam_required,
    )
    with transaction.atomic(), acting_as(actor):
        session.full_clean(exclude=["agency", "course", "public_id"], validate_constraints=False)
        session.save()
    return session


def _locked_open_session(session_id: int) -> TrainingSession:
    """The session re-read under a row lock, refused once certifications were issued.

    Every roster write takes this lock, so a write racing "issue certifications"
    either runs before it or sees the session locked (PostgreSQL; SQLite
    serialises writers anyway). Re-reading also ignores a stale in-memory copy.
    """
    session = TrainingSession.objects.select_for_update().select_related("course", "agency").get(pk=session_id)
    if session.certifications_issued_at is not None:
        raise ValidationError(SESSION_LOCKED)
    return session


def session_enroll(*, actor, session: TrainingSession, badge_numbers: Iterable[str]) -> list[SessionEnrollment]:
    """Enroll the officers of the session's agency with these badge numbers.

    Every badge is checked first: unknown in the agency, separated or
    disqualified, already enrolled. Any bad one refuses the whole list, with
    one message per bad badge. Duplicates in the list count once.

    Returns:
        The new enrollments.

    Raises:
        ValidationError: keyed ``badge_numbers`` (every bad badge), or
            ``SESSION_LOCKED`` once certifications were issued.
    """
    badges = list(dict.fromkeys(badge.strip() for badge in badge_numbers if badge.strip()))
    if not badges:
        raise ValidationError({"badge_numbers": NO_BADGES})
    with transaction.atomic(), acting_as(actor):
        session = _locked_open_session(session.pk)
        officers = {
            officer.badge_number: officer
            for officer in Officer.objects.filter(agency_id=session.agency_id, badge_number__in=badges)
        }
        enrolled = set(session.enrollments.values_list("officer__badge_number", flat=True))
        errors = []
        for badge in badges:
            officer = officers.get(badge)
            if officer is None:
                errors.append(UNKNOWN_BADGE.format(badge=badge))
            elif officer.status in INACTIVE_OFFICER_STATUSES:
                errors.append(INACTIVE_OFFICER.format(badge=badge, status=officer.get_status_display().lower()))
            elif badge in enrolled:
                errors.append(ALREADY_ENROLLED.format(badge=badge))
        if errors:
            raise ValidationError({"badge_numbers": errors})
        enrollments = []
        for badge in badges:  # save() (not bulk_create) so each enrollment gets its history row
            enrollment = SessionEnrollment(session=session, officer=officers[badge])
            enrollment.save()
            enrollments.append(enrollment)
    return enrollments


def session_unenroll(*, actor, enrollment: SessionEnrollment) -> None:
    """Take an officer off a session's roster (before certifications are issued).

    Raises:
        ValidationError: ``SESSION_LOCKED`` once certifications were issued.
    """
    with transaction.atomic(), acting_as(actor):
        _locked_open_session(enrollment.session_id)
        enrollment.delete()


def _result_errors(result: EnrollmentResult) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    score = result.exam_score_percent
    if score is not None and not 0 <= score <= 100:
        errors.setdefault("exam_score_percent", []).append(SCORE_OUT_OF_RANGE)
    elif score is not None and not result.attended:
        errors.setdefault("exam_score_percent", []).append(SCORE_WITHOUT_ATTENDANCE)
    if result.is_remediation and score is None:
        errors.setdefault("is_remediation", []).append(REMEDIATION_WITHOUT_SCORE)
    return errors


def session_results_record(*, actor, session: TrainingSession, results: Iterable[EnrollmentResult]) -> int:
    """Save attendance, exam scores and the remediation flag for the given enrollees.

    Rows not in ``results`` are left as they are. Scores stay editable until
    certifications are issued (typing errors can be fixed); the exam attempts
    themselves are recorded when certifications are issued.

    Returns:
        How many enrollments changed.

    Raises:
        SessionRowsError: every bad row (score out of 0–100, a score for an
            absent officer, a remediation flag without a score, a row of
            another session); nothing saved.
        ValidationError: ``SESSION_LOCKED`` once certifications were issued.
    """
    results = list(results)
    with transaction.atomic(), acting_as(actor):
        session = _locked_open_session(session.pk)
        enrollments = {str(e.public_id): e for e in session.enrollments.all()}
        row_errors: dict[str, dict[str, list[str]]] = {}
        for result in results:
            if result.enrollment_id not in enrollments:
                row_errors[result.enrollment_id] = {"__all__": [NOT_IN_SESSION]}
                continue
            errors = _result_errors(result)
            if errors:
                row_errors[result.enrollment_id] = errors
        if row_errors:
            raise SessionRowsError(row_errors)
        changed = 0
        for result in results:
            enrollment = enrollments[result.enrollment_id]
            new = (result.attended, result.exam_score_percent, result.is_remediation)
            if (enrollment.attended, enrollment.exam_score_percent, enrollment.is_remediation) == new:
                continue
            enrollment.attended, enrollment.exam_score_percent, enrollment.is_remediation = new
            enrollment.save()
            changed += 1
    return changed


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


# ``exam_record``'s error keys → the roster row's fields; other keys go on the row as a whole.
_EXAM_ERROR_FIELDS = {"score_percent": "exam_score_percent", "is_remediation": "is_remediation"}


def _exam_errors(error: ValidationError) -> dict[str, list[str]]:
    if not hasattr(error, "error_dict"):
        return {"__all__": list(error.messages)}
    errors: dict[str, list[str]] = {}
    for key, messages in error.message_dict.items():
        errors.setdefault(_EXAM_ERROR_FIELDS.get(key, "__all__"), []).extend(messages)
    return errors


def _exam_record(*, actor, enrollment: SessionEnrollment, session: TrainingSession):
    """Record the enrollee's exam through the lifecycle's exam service. Returns True if passed.

    ``training.roster.services.exam_record`` applies R2.2 (pass mark, one remediation,
    disqualification after two failures) and may refuse (e.g. a second
    remediation).
    """
    attempt = services.exam_record(
        actor=actor,
        officer=enrollment.officer,
        course=session.course,
        taken_on=session.ends_on,
        score_percent=enrollment.exam_score_percent,
        is_remediation=enrollment.is_remediation,
    )
    return attempt.passed


def session_certifications_issue(
    *, actor, session: TrainingSession, results: Iterable[EnrollmentResult] | None = None
) -> IssueResult:
    """Issue the certifications of a finished session, in one transaction.

    ``results`` (the roster form, optional) are saved first, as by
    ``session_results_record``, in the same transaction. Then for each
    enrollee who attended: when the session has an exam, record the exam
    attempt (``services.exam_record``) and, if passed (≥ 70 %, R2.2),
    record a certification (``services.certification_record``) completed on
    ``session.ends_on``; without an exam, attendance suffices. Absent enrollees
    get nothing. The session is then locked.

    Returns:
        An ``IssueResult``.

    Raises:
        ValidationError: certifications already issued, the session's last day
            is after the agency's today, or nobody attended (session-wide).
        SessionRowsError: a bad row in ``results``, or any enrollee that cannot be processed (a missing
            score, an officer separated or disqualified, a refusal by
            ``exam_record`` or ``certification_record``, e.g. a second
            remediation re-test); nothing is written.
    """
    with transaction.atomic(), acting_as(actor, reason=f"Training session {session.public_id}"):
        # Two clicks on "issue" must not certify twice: the second waits for the lock, then sees it issued.
        session = _locked_open_session(session.pk)
        if results is not None:
            session_results_record(actor=actor, session=session, results=results)
        today = rules.agency_today(session.agency)
        if session.ends_on > today:
            raise ValidationError(ISSUE_TOO_EARLY.format(ends_on=session.ends_on.isoformat()))
        roster = session_roster(session=session)
        present = [enrollment for enrollment in roster if enrollment.attended]
        if not present:
            raise ValidationError(NOBODY_ATTENDED)
        result = IssueResult(absent=len(roster) - len(present))
        row_errors: dict[str, dict[str, list[str]]] = {}
        for enrollment in present:
            key = str(enrollment.public_id)
            officer = enrollment.officer
            if officer.status in INACTIVE_OFFICER_STATUSES:
                status = officer.get_status_display().lower()
                row_errors[key] = {"__all__": [OFFICER_CANNOT_BE_CERTIFIED.format(status=status)]}
                continue
            if session.exam_required and enrollment.exam_score_percent is None:
                row_errors[key] = {"exam_score_percent": [SCORE_MISSING]}
                continue
            if session.exam_required:
                try:
                    with transaction.atomic():
                        passed = _exam_record(actor=actor, enrollment=enrollment, session=session)
                except ValidationError as exc:
                    row_errors[key] = _exam_errors(exc)
                    continue
                if not passed:
                    result.failed.append(enrollment)
                    continue
            try:
                with transaction.atomic():
                    certification = services.certification_record(
                        actor=actor, officer=officer, course=session.course, completed_on=session.ends_on
                    )
                    enrollment.certification = certification
                    enrollment.save()
            except ValidationError as exc:
                row_errors[key] = {"__all__": _messages(exc)}
                continue
            result.certifications.append(certification)
        if row_errors:
            raise SessionRowsError(row_errors)
        session.certifications_issued_at = timezone.now()
        session.certifications_issued_by = actor
        session.save()
    return result
