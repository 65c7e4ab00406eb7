"""The training roster of an agency as of an agency-local day, on one of two bases: the one as-of answer.

Issue #13 item 1: a roster "as of 2026-06-30" shows each officer's status, authorization and
certifications of that day, never today's. ``D`` is the agency-local day; ``T`` the instant the report
answers at (``Report.checked_at``: the end of ``D`` in the agency's zone, or the request time if earlier).

* ``EFFECTIVE`` ("as effective on D"): facts by the day they happened. A certification counts from its
  ``completed_on`` even if recorded later, and only one completed on or before ``D`` (a later one is not
  shown and renews nothing); the officer's status is the one in effect on ``D`` by the effective dates of
  ``OfficerStatusChange`` (recorded before or after ``T``). The undated parts of the records (the officer's
  agreement link, nomination checklist and ICE credential, the agreement's dates, its training requirements,
  the agency's required courses) are read as they stood at ``T`` from the history tables
  (``compliance.core.as_of.records_as_of``); a record first entered after ``T`` counts as it is now.
* ``RECORDED`` ("as recorded by the end of D"): what the records said at ``T``. Only certifications
  recorded by ``T``, with their values then (a later correction is not applied); only status changes
  recorded by ``T``; every other record as its history row at ``T``; records entered after ``T`` are left out.

The roster of ``D`` is the officers whose status on ``D`` (on that basis) was "certified / designated", in
name order. The rule judging each of them is ``training.roster.authorization`` (``OfficerTraining``), given
the records above instead of today's: the same status and authorization rule as every other roster surface.

Queries: a fixed number whatever the roster's size (one per table, ``records_as_of`` for history), for the
whole roster or a slice of it (``offset``/``limit``: the report's row parts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q

from compliance.core.as_of import records_as_of
from compliance.core.models import Agreement
from training.lifecycle.models import OfficerStatusChange
from training.lifecycle.qualification import checklist_missing, credential_missing
from training.requirements.models import TrainingRequirement
from training.roster import rules
from training.roster.authorization import (
    COURSE_CURRENT,
    COURSE_LAPSED,
    COURSE_MISSING,
    COURSE_NOT_DUE,
    NOTHING_REQUIRED,
    Authorization,
    OfficerTraining,
)
from training.roster.models import Certification, Course, Officer

EFFECTIVE = "effective"  # compliance.Report.Basis.EFFECTIVE
RECORDED = "recorded"  # compliance.Report.Basis.RECORDED
BASES = (EFFECTIVE, RECORDED)

# Short reason codes for the one-line roster (the reasons in full: ``AsOfRow.authorization.reasons``).
REASON_CODES = {
    "S": "not designated on the day",
    "A": "no agreement in force that day (none linked, not yet signed, or expired)",
    "C": "nomination checklist incomplete (R2.8)",
    "I": "ICE credential not recorded (R2.9)",
    "T": "required training not current that day (R2.4, R2.7)",
    "N": "no required training set up",
}

# Certification columns the roster never reads (deferred: parsing them was a third of reading 25,000 rows).
_CERTIFICATION_UNREAD = ("public_id", "created_at", "updated_at", "certificate_number")
# Above this many officers a slice's certifications are read by agency, not by an id list (bound parameters).
_ID_LIST_MAX = 900


@dataclass(frozen=True)
class CourseCell:
    """One officer's standing in one course on ``D``: the expiry of the latest completion by then, and how the course
    stands by the authorization rule (``OfficerTraining.course_standing_on``: ``standing``)."""

    expires_on: date | None  # None: never completed by D (on this basis)
    required: bool  # the officer's own requirements name this course
    standing: str = COURSE_CURRENT  # a ``training.roster.authorization.COURSE_*`` value

    @property
    def lapsed(self) -> bool:
        """The course's requirement was not met on ``D`` (completed and lapsed, or never completed): marked "!"."""
        return self.standing in (COURSE_LAPSED, COURSE_MISSING)

    @property
    def not_due(self) -> bool:
        """A required refresher never completed while the basic course still covered ``D``."""
        return self.standing == COURSE_NOT_DUE


@dataclass
class AsOfRow:
    """One officer on the roster of ``D``; ``officer`` holds the record's values at ``T`` (unsaved instance)."""

    officer: Officer
    status: str  # training status on D: rules.CURRENT / EXPIRING / EXPIRED / MISSING
    status_label: str
    earliest_expiry: date | None
    missing_courses: list[Course]
    authorization: Authorization
    codes: str  # REASON_CODES letters, "" when authorized
    model: str  # the agreement's model (JEM, WSO, TFM) or ""
    cells: list[CourseCell] = field(default_factory=list)  # one per ``RosterAsOf.courses``


@dataclass
class RosterAsOf:
    """The roster of ``day`` on ``basis``, answered at ``checked_at``.

    ``size``: officers on the roster that day; ``courses``: the required courses (the row table's columns,
    the same for every slice); ``rows``: the slice asked for; ``counts``: only for the whole roster.
    """

    day: date
    checked_at: datetime
    basis: str
    size: int
    courses: list[Course]
    rows: list[AsOfRow]
    counts: dict[str, int] | None = None


@dataclass
class _Officers:
    officers: dict[int, Officer]
    changes: dict[int, list[OfficerStatusChange]]
    roster: list[int]  # officer ids designated on D, in name order


def _check(basis: str, checked_at: datetime) -> bool:
    if basis not in BASES:
        raise ValueError(f"Unknown basis {basis!r}: {EFFECTIVE!r} or {RECORDED!r}.")
    if checked_at.tzinfo is None:
        raise ValueError("Pass an aware datetime: an instant, not a wall-clock time.")
    return basis == EFFECTIVE


def _officers(*, agency, day: date, checked_at: datetime, basis: str) -> _Officers:
    """The agency's officers as of ``checked_at``, their status changes, and who was designated on ``day``."""
    effective = _check(basis, checked_at)
    officers = records_as_of(Officer, at=checked_at, filters=Q(agency_id=agency.pk), later_as_now=effective)
    changes_qs = OfficerStatusChange.objects.filter(officer__agency=agency)
    if not effective:
        changes_qs = changes_qs.filter(recorded_at__lte=checked_at)
    changes: dict[int, list[OfficerStatusChange]] = {}
    for change in changes_qs.order_by("effective_on", "pk"):
        changes.setdefault(change.officer_id, []).append(change)
    on_roster = [
        officer
        for pk, officer in officers.items()
        if OfficerTraining(officer, [], changes.get(pk, []), None).status_on(day) == Officer.Status.DESIGNATED
    ]
    on_roster.sort(key=lambda o: (o.last_name.casefold(), o.first_name.casefold(), o.badge_number, o.pk))
    return _Officers(officers=officers, changes=changes, roster=[officer.pk for officer in on_roster])


def _officers_by_id(*, agency, ids: list[int], checked_at: datetime, basis: str) -> _Officers:
    """The officers ``ids`` as of ``checked_at`` and their status changes (two queries), the roster being ``ids``
    as given: who was on it was decided by the caller (``roster_ids_as_of``)."""
    effective = _check(basis, checked_at)
    officers = records_as_of(Officer, at=checked_at, filters=Q(agency_id=agency.pk, id__in=ids), later_as_now=effective)
    changes_qs = OfficerStatusChange.objects.filter(officer__agency=agency, officer_id__in=ids)
    if not effective:
        changes_qs = changes_qs.filter(recorded_at__lte=checked_at)
    changes: dict[int, list[OfficerStatusChange]] = {}
    for change in changes_qs.order_by("effective_on", "pk"):
        changes.setdefault(change.officer_id, []).append(change)
    return _Officers(officers=officers, changes=changes, roster=[pk for pk in ids if pk in officers])


def roster_ids_as_of(*, agency, day: date, checked_at: datetime, basis: str) -> list[int]:
    """The ids of the officers on the roster of ``agency`` on ``day`` (designated that day, on ``basis``), in the
    roster's name order — what a report plans its parts by (``roster_as_of(ids=…)`` then reads only a part's).

    Args and errors as ``roster_size_as_of``. Two queries.
    """
    return _officers(agency=agency, day=day, checked_at=checked_at, basis=basis).roster


def roster_size_as_of(*, agency, day: date, checked_at: datetime, basis: str) -> int:
    """How many officers were on the roster of ``agency`` on ``day`` (designated that day, on ``basis``).

    Args:
        agency: a ``compliance.Agency`` (the caller checked access).
        day: the agency-local date.
        checked_at: the aware instant the answer is asked at (the end of ``day`` or earlier).
        basis: ``EFFECTIVE`` or ``RECORDED``.

    Raises:
        ValueError: unknown ``basis`` or naive ``checked_at``.

    Two queries.
    """
    return len(_officers(agency=agency, day=day, checked_at=checked_at, basis=basis).roster)


def roster_as_of(
    *,
    agency,
    day: date,
    checked_at: datetime,
    basis: str,
    offset: int = 0,
    limit: int | None = None,
    ids: list[int] | None = None,
) -> RosterAsOf:
    """The roster of ``agency`` on the agency-local ``day``, on ``basis`` (module docstring), or a slice of it.

    Args:
        agency: a ``compliance.Agency`` (the caller checked access).
        day: the agency-local date the statuses are for.
        checked_at: the aware instant the records are read at (``Report.checked_at``).
        basis: ``EFFECTIVE`` or ``RECORDED``.
        offset, limit: the slice of the name-ordered roster to return rows for (officer positions, 0-based);
            ``limit`` None: to the end. ``counts`` is filled only when the whole roster is asked for.
        ids: instead of a slice, the officers to return rows for, in this order — ids from ``roster_ids_as_of``
            for the same day, instant and basis (a report's part). Only their records are read; who else was
            on the roster is not decided again, so ``size`` is then ``len(ids)`` and ``counts`` None.

    Returns:
        A ``RosterAsOf``. ``counts`` (whole roster only): ``current``, ``expiring``, ``expired``,
        ``missing``, ``expiring_today`` (expiring, earliest expiry on ``day``), ``designated`` (all of
        them) and ``authorized`` — the keys of ``training.roster.selectors.roster_status_counts``.

    Raises:
        ValueError: unknown ``basis`` or naive ``checked_at``.

    Queries: nine or ten, whatever the roster's size or the slice's.
    """
    effective = _check(basis, checked_at)
    if ids is not None:
        loaded = _officers_by_id(agency=agency, ids=ids, checked_at=checked_at, basis=basis)
        offset, end, ids = 0, len(ids), loaded.roster
    else:
        loaded = _officers(agency=agency, day=day, checked_at=checked_at, basis=basis)
        end = None if limit is None else offset + limit
        ids = loaded.roster[offset:end]

    courses_now = {course.pk: course for course in Course.objects.filter(agency=agency)}
    courses_then = records_as_of(Course, at=checked_at, filters=Q(agency_id=agency.pk), later_as_now=effective)
    legacy = sorted((c for c in courses_then.values() if c.required), key=lambda c: (c.code, c.pk))
    agreements = records_as_of(Agreement, at=checked_at, filters=Q(agency_id=agency.pk), later_as_now=effective)
    requirements: dict[int, list[TrainingRequirement]] = {}
    requirement_rows = records_as_of(
        TrainingRequirement, at=checked_at, filters=Q(agency_id=agency.pk), later_as_now=effective
    )
    for requirement in sorted(requirement_rows.values(), key=lambda r: r.pk):
        requirement.course = courses_now[requirement.course_id]
        requirements.setdefault(requirement.agreement_id, []).append(requirement)

    certifications = _certifications(agency=agency, ids=ids, day=day, checked_at=checked_at, effective=effective)

    column_ids = {r.course_id for rows in requirements.values() for r in rows} | {c.pk for c in legacy}
    columns = sorted((courses_now[pk] for pk in column_ids), key=lambda c: (c.code, c.pk))
    rows = []
    for pk in ids:
        officer = loaded.officers[pk]
        agreement = agreements.get(officer.agreement_id)
        training = OfficerTraining(
            officer=officer,
            certifications=certifications.get(pk, []),
            status_changes=loaded.changes.get(pk, []),
            agreement=agreement,
            requirements=requirements.get(officer.agreement_id, []) if agreement is not None else [],
            legacy_courses=legacy,
        )
        rows.append(_row(training, day=day, columns=columns, courses=courses_now))
    counts = _counts(rows, day) if offset == 0 and end is None else None
    return RosterAsOf(
        day=day,
        checked_at=checked_at,
        basis=basis,
        size=len(loaded.roster),
        courses=columns,
        rows=rows,
        counts=counts,
    )


def _certifications(*, agency, ids, day, checked_at, effective) -> dict[int, list[Certification]]:
    """Certifications of the officers ``ids`` completed on or before ``day``: now (effective) or as recorded."""
    scope = Q(agency_id=agency.pk)
    if len(ids) <= _ID_LIST_MAX:
        scope &= Q(officer_id__in=ids)
    if effective:
        # Only the columns the roster reads: a large roster's certifications are most of a report's reading time.
        found = list(Certification.objects.filter(scope, completed_on__lte=day).defer(*_CERTIFICATION_UNREAD))
    else:
        found = [
            c for c in records_as_of(Certification, at=checked_at, filters=scope).values() if c.completed_on <= day
        ]
    wanted = set(ids)
    by_officer: dict[int, list[Certification]] = {}
    for certification in sorted(found, key=lambda c: (c.completed_on, c.pk)):
        if certification.officer_id in wanted:
            by_officer.setdefault(certification.officer_id, []).append(certification)
    return by_officer


def _row(training: OfficerTraining, *, day: date, columns: list[Course], courses: dict[int, Course]) -> AsOfRow:
    officer = training.officer
    status = training.training_status(day)
    authorization = training.authorization_on(day)
    codes = ""
    if authorization.reasons:
        if training.status_on(day) != Officer.Status.DESIGNATED:
            codes += "S"
        if not training.agreement_in_force_on(day):
            codes += "A"
        if checklist_missing(officer):
            codes += "C"
        if credential_missing(officer):
            codes += "I"
        gap = training.training_gap_on(day)
        if gap == NOTHING_REQUIRED:
            codes += "N"
        elif gap:
            codes += "T"
    latest: dict[int, Certification] = {}
    for certification in training.certifications:  # ordered by (completed_on, pk): the last one wins
        latest[certification.course_id] = certification
    required = training.required_course_ids()
    cells = []
    for course in columns:
        held = latest.get(course.pk)
        expires_on = held.expires_on if held else None
        cells.append(CourseCell(expires_on, course.pk in required, training.course_standing_on(course.pk, day)))
    for certification in training.certifications:
        certification.course = courses[certification.course_id]
    return AsOfRow(
        officer=officer,
        status=status.status,
        status_label=status.label,
        earliest_expiry=status.earliest_expiry,
        missing_courses=status.missing_courses,
        authorization=authorization,
        codes=codes,
        model=training.agreement.model if training.agreement is not None else "",
        cells=cells,
    )


def roster_counts(rows: list[AsOfRow], day: date) -> dict[str, int]:
    """The roster's counts over ``rows`` on the agency-local ``day`` (``RosterAsOf.counts``'s keys: each training
    status, ``expiring_today``, ``designated``, ``authorized``). Counts of disjoint slices add up to the whole's, so
    a large roster can be counted slice by slice (``roster_as_of(ids=…)``) in bounded memory."""
    return _counts(rows, day)


def _counts(rows: list[AsOfRow], day: date) -> dict[str, int]:
    counts = dict.fromkeys((*rules.STATUSES_WORST_FIRST, "expiring_today", "designated", "authorized"), 0)
    for row in rows:
        counts[row.status] += 1
        counts["designated"] += 1
        counts["authorized"] += bool(row.authorization)
        if row.status == rules.EXPIRING and row.earliest_expiry == day:
            counts["expiring_today"] += 1
    return counts
