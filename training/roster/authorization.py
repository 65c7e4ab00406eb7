"""Was an officer authorized to use delegated 287(g) authority on a given day? The one answer.

One rule answers it for every caller: the roster's "Authorized today" column,
its counts and the dashboard's (from the stored facts, ``selectors``), the
roster export, the officer page's periods, the PDF roster, the designation gate
(``training.lifecycle.services``), the roster import, and the detainer and
action checks (``incidents``). On the agency-local day ``D``

1. the officer's status in effect on ``D`` was "designated" (by the effective
   dates of ``OfficerStatusChange``, never the day a change was typed in);
2. the officer serves under an agreement (``Officer.agreement``; asked about
   another agreement, the answer is no), and that agreement was in force on
   ``D`` (not before ``signed_on``, not after ``expires_on``, when known). An
   officer linked to no agreement is never authorized (R1.1, R2.7: authority
   comes only through the MOA);
3. the nomination checklist (R2.8) is complete and the ICE credential (R2.9)
   recorded, as they stand on the officer's record
   (``training.lifecycle.qualification``); they are not dated, so a correction
   (say, the candidate was not a U.S. citizen) answers for every day;
4. the officer's required training covered ``D`` (R2.4, R2.7), counted from the
   day each course was completed, so training recorded late counts from the
   day it happened:

   * officer under an agreement with requirements (``training.requirements.services``):
     the basic course completed on or before ``D``; some completion of the
     basic course or a refresher valid on ``D`` (the basic course counts as the
     first refresher); for each annual course, some completion valid on ``D``;
   * otherwise (an agreement whose requirements are not set up yet): for each
     course the agency flags ``required``, some completion valid on ``D``;
   * when neither names a single course, nobody is trained: "nothing required"
     never reads as "current".

   "Valid on ``D``" means ``completed_on <= D <= expires_on``: a later renewal
   never changes the answer for an earlier day.

Status on a day: the latest change effective on or before it; before an
officer's first recorded change, that change's ``previous_status``; an officer
with no recorded change has had ``Officer.status`` all along (rows from before
the status history existed).

When the answer is no, ``Authorization.reasons`` says every reason, in the
order above (``authorization_reasons``). The roster's list surfaces read point
4 for today from the stored facts (``facts``; "trained today" is exactly the
training status "current" or "expiring"), the rest from the officer row, and
give the same answer (``authorization_today``; tests check they agree).

Reads only. Everything is loaded by ``officer_trainings`` in a fixed number of
queries for any number of officers, then evaluated in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from compliance.core.models import Agency, Agreement
from training.lifecycle.models import OfficerStatusChange
from training.lifecycle.qualification import checklist_missing, credential_missing
from training.requirements.models import TrainingRequirement
from training.roster import rules
from training.roster.models import Certification, Course, Officer

Kind = TrainingRequirement.Kind

# Why an officer may not act on a day (``Authorization.reasons``), in the order of the module docstring.
NOT_DESIGNATED = "not designated (status: {status})"
NOT_ON_ROSTER = "not on the roster yet"
NO_AGREEMENT = "not linked to an agreement (MOA)"
OTHER_AGREEMENT = "serves under another agreement than this one"
AGREEMENT_NOT_SIGNED = "the agreement was signed only on {signed}"
AGREEMENT_EXPIRED = "the agreement expired on {expires}"
CHECKLIST_INCOMPLETE = "nomination checklist incomplete (R2.8): {missing}"
CREDENTIAL_MISSING = "ICE credential not recorded (R2.9): {missing}"
NOTHING_REQUIRED = "no required training is set up (the agreement's requirements or the agency's required courses)"
TRAINING_NOT_CURRENT = "required training not current on {day}: {courses}"
#: ``OfficerTraining.course_standing_on``'s answers.
COURSE_NOT_REQUIRED = "not_required"
COURSE_CURRENT = "current"
COURSE_NOT_DUE = "not_due"
COURSE_LAPSED = "lapsed"
COURSE_MISSING = "missing"
# The same reason as the roster's list pages word it from the stored facts (no course list there).
TRAINING_MISSING = "required training never completed"
TRAINING_LAPSED = "required training lapsed after {expiry}"


@dataclass(frozen=True)
class Authorization:
    """The answer for one officer on one agency-local day: authorized, or every reason not (no query)."""

    day: date
    reasons: tuple[str, ...] = ()

    @property
    def authorized(self) -> bool:
        return not self.reasons

    def __bool__(self) -> bool:
        return self.authorized

    @property
    def text(self) -> str:
        """The reasons in one line ("" when authorized)."""
        return "; ".join(self.reasons)


def authorization_reasons(
    *,
    officer: Officer,
    day: date,
    status: str | None,
    agreement: Agreement | None,
    training_gap: str | None,
    asked: Agreement | None = None,
) -> list[str]:
    """Every reason ``officer`` was not authorized on ``day``, in rule order; empty: authorized. No query.

    The one place the rule's points are put together (module docstring); the
    callers differ only in where point 4's answer comes from.

    Args:
        officer: the officer; its checklist and credential fields are read (point 3).
        day: the agency-local date asked about.
        status: the officer's status in effect on ``day`` (None: before the officer existed).
        agreement: the agreement the officer serves under (``officer.agreement``), or None.
        training_gap: None when the required training covered ``day``, else the reason.
        asked: the agreement the question is about (a detainer's), or None for the officer's own.
    """
    reasons = []
    if status is None:
        reasons.append(NOT_ON_ROSTER)
    elif status != Officer.Status.DESIGNATED:
        reasons.append(NOT_DESIGNATED.format(status=Officer.Status(status).label.lower()))
    if agreement is None:
        reasons.append(NO_AGREEMENT)
    elif asked is not None and asked.pk != agreement.pk:
        reasons.append(OTHER_AGREEMENT)
    elif agreement.signed_on is not None and day < agreement.signed_on:
        reasons.append(AGREEMENT_NOT_SIGNED.format(signed=agreement.signed_on.isoformat()))
    elif agreement.expires_on is not None and day > agreement.expires_on:
        reasons.append(AGREEMENT_EXPIRED.format(expires=agreement.expires_on.isoformat()))
    missing = checklist_missing(officer)
    if missing:
        reasons.append(CHECKLIST_INCOMPLETE.format(missing=", ".join(missing)))
    missing = credential_missing(officer)
    if missing:
        reasons.append(CREDENTIAL_MISSING.format(missing=", ".join(missing)))
    if training_gap:
        reasons.append(training_gap)
    return reasons


def authorization_today(officer: Officer, *, today: date) -> Authorization:
    """The rule for ``today`` from a roster row: ``officer`` annotated by ``selectors.officers_with_training_status``.

    Point 4 comes from the annotations (``training_status`` "current" or
    "expiring" is exactly "trained today", because no completion lies after
    today), the rest from the row and its ``agreement`` (select it with the
    row). The same answer as ``officer_authorized_at`` for now, without a
    query: for list pages and exports.

    Args:
        officer: an annotated ``Officer`` whose ``status`` is its status today.
        today: the agency-local date the annotations were computed for.
    """
    if officer.training_status == rules.MISSING:
        gap = TRAINING_MISSING
    elif officer.training_status == rules.EXPIRED:
        gap = TRAINING_LAPSED.format(expiry=officer.earliest_expiry.isoformat())
    else:
        gap = None
    agreement = officer.agreement if officer.agreement_id is not None else None
    reasons = authorization_reasons(
        officer=officer, day=today, status=officer.status, agreement=agreement, training_gap=gap
    )
    return Authorization(today, tuple(reasons))


@dataclass
class TrainingStatus:
    """An officer's roster training status on one day (the rule of ``selectors.officers_with_training_status``).

    ``nothing_required``: neither the agreement nor the agency names a required
    course; the status is then "missing", never "current".
    """

    status: str
    earliest_expiry: date | None
    missing_courses: list[Course]
    nothing_required: bool = False

    @property
    def label(self) -> str:
        return rules.STATUS_LABELS[self.status]


@dataclass
class OfficerTraining:
    """What the authorization rule needs about one officer, already loaded (no queries)."""

    officer: Officer
    certifications: list[Certification]
    status_changes: list[OfficerStatusChange]  # by (effective_on, pk)
    agreement: Agreement | None  # the officer's own
    requirements: list[TrainingRequirement] = field(default_factory=list)  # empty: the legacy rule
    legacy_courses: list[Course] = field(default_factory=list)  # the agency's Course.required

    @property
    def uses_requirements(self) -> bool:
        return bool(self.requirements)

    @property
    def nothing_required(self) -> bool:
        """Neither the agreement's requirements nor the agency's required courses name a course."""
        return not self.requirements and not self.legacy_courses

    def status_on(self, day: date) -> str | None:
        """The officer's status in effect on ``day`` (None: not on the roster yet)."""
        status = None
        for change in self.status_changes:
            if change.effective_on > day:
                break
            status = change.status
        if status is not None:
            return status
        if self.status_changes:
            return self.status_changes[0].previous_status or None
        return self.officer.status

    def agreement_in_force_on(self, day: date) -> bool:
        """The officer's agreement was in force on ``day`` (False without one)."""
        agreement = self.agreement
        if agreement is None:
            return False
        if agreement.signed_on is not None and day < agreement.signed_on:
            return False
        return agreement.expires_on is None or day <= agreement.expires_on

    def required_course_ids(self) -> set[int]:
        """Courses this officer must hold (the agreement's requirements, else the agency's required courses)."""
        if self.uses_requirements:
            return {requirement.course_id for requirement in self.requirements}
        return {course.pk for course in self.legacy_courses}

    def _courses(self, *kinds: str) -> set[int]:
        return {r.course_id for r in self.requirements if r.kind in kinds}

    def _valid_on(self, course_ids: set[int], day: date) -> bool:
        return any(c.course_id in course_ids and c.completed_on <= day <= c.expires_on for c in self.certifications)

    def _codes(self, course_ids: set[int]) -> list[str]:
        courses = {r.course_id: r.course for r in self.requirements} | {c.pk: c for c in self.legacy_courses}
        return sorted(courses[pk].code for pk in course_ids if pk in courses)

    def training_gap_on(self, day: date) -> str | None:
        """Point 4 of the module docstring: None when the required training covered ``day``, else why not."""
        if self.nothing_required:
            return NOTHING_REQUIRED
        if not self.uses_requirements:
            gaps = {course.pk for course in self.legacy_courses if not self._valid_on({course.pk}, day)}
        else:
            gaps = set()
            basic = self._courses(Kind.BASIC)
            if not basic or not any(c.course_id in basic and c.completed_on <= day for c in self.certifications):
                gaps |= basic
            elif not self._valid_on(basic | self._courses(Kind.REFRESHER), day):
                gaps |= self._courses(Kind.REFRESHER) or basic
            gaps |= {course_id for course_id in self._courses(Kind.ANNUAL) if not self._valid_on({course_id}, day)}
            if not basic and not gaps:
                return NOTHING_REQUIRED  # requirements without a basic course (refused by the requirements page)
        if not gaps:
            return None
        return TRAINING_NOT_CURRENT.format(day=day.isoformat(), courses=", ".join(self._codes(gaps)))

    def course_standing_on(self, course_id: int, day: date) -> str:
        """How one course stands for this officer on the agency-local ``day``, by the same rule as
        ``training_gap_on`` (one answer for the roster report's cells and any page that shows them).

        Returns one of:
            ``COURSE_NOT_REQUIRED``: the course is not required of this officer;
            ``COURSE_CURRENT``: required, and its requirement is met that day (for the basic course and refresher
                chain: the chain is current, even when this course's own completion has expired — the refresher
                renews the basic course, R2.4);
            ``COURSE_NOT_DUE``: a refresher never completed while the chain is still current (not yet due);
            ``COURSE_LAPSED``: required and completed, but its requirement is not met that day;
            ``COURSE_MISSING``: required and never completed by that day.
        """
        if course_id not in self.required_course_ids():
            return COURSE_NOT_REQUIRED
        done = any(c.course_id == course_id and c.completed_on <= day for c in self.certifications)
        if self.uses_requirements and course_id in self._courses(Kind.BASIC, Kind.REFRESHER):
            basic = self._courses(Kind.BASIC)
            chain_current = any(c.course_id in basic and c.completed_on <= day for c in self.certifications) and (
                self._valid_on(basic | self._courses(Kind.REFRESHER), day)
            )
            if chain_current:
                return COURSE_CURRENT if done else COURSE_NOT_DUE
        elif self._valid_on({course_id}, day):
            return COURSE_CURRENT
        return COURSE_LAPSED if done else COURSE_MISSING

    def trained_on(self, day: date) -> bool:
        """Point 4 of the module docstring: the required training covered ``day``."""
        return self.training_gap_on(day) is None

    def authorization_on(self, day: date, *, agreement: Agreement | None = None) -> Authorization:
        """The rule on the agency-local ``day``, with every reason when the answer is no.

        Args:
            day: the agency-local date.
            agreement: ask about this agreement (a detainer's); None: the officer's own.
        """
        reasons = authorization_reasons(
            officer=self.officer,
            day=day,
            status=self.status_on(day),
            agreement=self.agreement,
            training_gap=self.training_gap_on(day),
            asked=agreement,
        )
        return Authorization(day, tuple(reasons))

    def authorized_on(self, day: date, *, agreement: Agreement | None = None) -> bool:
        """True when the officer was authorized on the agency-local ``day`` (module docstring)."""
        return self.authorization_on(day, agreement=agreement).authorized

    def periods(self) -> list[tuple[date, date | None]]:
        """The date ranges (first day, last day inclusive; None: open) in which ``authorized_on`` holds.

        The answer only changes on a status change's effective date, a
        completion day, the day after an expiry, and the agreement's first day
        and the day after its last, so it is evaluated on those days.
        """
        days = {change.effective_on for change in self.status_changes}
        for certification in self.certifications:
            days.add(certification.completed_on)
            days.add(certification.expires_on + timedelta(days=1))
        if self.agreement is not None:
            if self.agreement.signed_on is not None:
                days.add(self.agreement.signed_on)
            if self.agreement.expires_on is not None:
                days.add(self.agreement.expires_on + timedelta(days=1))
        if not days:
            # Nothing ever changes: one period from the day the officer was put on the roster, if any.
            days.add(timezone.localdate(self.officer.created_at, timezone=self.officer.agency.zone))
        periods: list[tuple[date, date | None]] = []
        start = None
        for day in sorted(days):
            authorized = self.authorized_on(day)
            if authorized and start is None:
                start = day
            elif not authorized and start is not None:
                periods.append((start, day - timedelta(days=1)))
                start = None
        if start is not None:
            periods.append((start, None))
        return periods

    def training_status(self, today: date) -> TrainingStatus:
        """Roster training status on ``today``: missing / expired / expiring / current.

        The same rule as the SQL of ``selectors.officers_with_training_status``
        (tests check they agree): per required course, the latest completion's
        expiry (legacy rule and annual courses) or, for the basic-course and
        refresher chain, the latest expiry of any completion in the chain.
        "missing" also when nothing is required at all (``nothing_required``).
        """
        if self.nothing_required:
            return TrainingStatus(rules.MISSING, None, [], nothing_required=True)
        latest: dict[int, Certification] = {}
        for c in self.certifications:
            held = latest.get(c.course_id)
            if held is None or (c.completed_on, c.pk or 0) > (held.completed_on, held.pk or 0):
                latest[c.course_id] = c
        missing: list[Course] = []
        expiries: list[date | None] = []
        present: list[date] = []
        if not self.uses_requirements:
            for course in self.legacy_courses:
                expiry = latest[course.pk].expires_on if course.pk in latest else None
                expiries.append(expiry)
                if expiry is None:
                    missing.append(course)
        else:
            chain = self._courses(Kind.BASIC, Kind.REFRESHER)
            chain_expiries = [c.expires_on for c in self.certifications if c.course_id in chain]
            chain_expiry = max(chain_expiries) if chain_expiries else None
            basic = [r for r in self.requirements if r.kind == Kind.BASIC]
            basic_held = any(r.course_id in latest for r in basic)
            if not basic_held:
                missing.extend(r.course for r in basic)
            expiries.append(chain_expiry if basic_held else None)
            if chain_expiry is not None:
                present.append(chain_expiry)
            for requirement in self.requirements:
                if requirement.kind == Kind.ANNUAL:
                    held = latest.get(requirement.course_id)
                    expiries.append(held.expires_on if held else None)
                    if held is None:
                        missing.append(requirement.course)
        present.extend(expiry for expiry in expiries if expiry is not None)
        status = rules.officer_roster_status(expiries, today)
        return TrainingStatus(status, min(present) if present else None, missing)


def _trainings(officers: list[Officer], certifications: dict, changes: dict, *, key=lambda officer: officer.pk) -> dict:
    """``OfficerTraining`` per ``key(officer)`` from loaded certifications and changes. Three queries."""
    agreement_ids = {officer.agreement_id for officer in officers if officer.agreement_id}
    agreements = {a.pk: a for a in Agreement.objects.filter(pk__in=agreement_ids)}
    requirements: dict[int, list[TrainingRequirement]] = {}
    for requirement in TrainingRequirement.objects.filter(agreement_id__in=agreement_ids).select_related("course"):
        requirements.setdefault(requirement.agreement_id, []).append(requirement)
    legacy: dict[int, list[Course]] = {}
    for course in Course.objects.filter(agency_id__in={o.agency_id for o in officers}, required=True).order_by("code"):
        legacy.setdefault(course.agency_id, []).append(course)
    trainings = {}
    for officer in officers:
        trainings[key(officer)] = OfficerTraining(
            officer=officer,
            certifications=certifications.get(key(officer), []),
            status_changes=changes.get(key(officer), []),
            agreement=agreements.get(officer.agreement_id),
            requirements=requirements.get(officer.agreement_id, []),
            legacy_courses=legacy.get(officer.agency_id, []),
        )
    return trainings


def officer_trainings(officers: Iterable[Officer]) -> dict[int, OfficerTraining]:
    """Load what the rule needs for ``officers``, keyed by officer pk. Five queries, whatever the number.

    Args:
        officers: saved ``Officer`` instances; each is judged under its own agreement.
    """
    officers = list(officers)
    if not officers:
        return {}
    # Loaded by officer id rather than prefetched onto the instances, so a
    # caller holding an officer across a new certification never reads a stale cache.
    ids = [officer.pk for officer in officers]
    certifications: dict[int, list[Certification]] = {}
    for certification in Certification.objects.filter(officer_id__in=ids).order_by("completed_on", "pk"):
        certifications.setdefault(certification.officer_id, []).append(certification)
    changes: dict[int, list[OfficerStatusChange]] = {}
    for change in OfficerStatusChange.objects.filter(officer_id__in=ids).order_by("effective_on", "pk"):
        changes.setdefault(change.officer_id, []).append(change)
    return _trainings(officers, certifications, changes)


def planned_trainings(*, officers: dict[str, Officer]) -> dict[str, OfficerTraining]:
    """The rule's view of officers before a planned write (the designation gate of the roster import).

    Args:
        officers: key (e.g. badge number) → an ``Officer``, saved (its stored
            certifications and status changes are loaded) or not (a new one:
            none). Each is judged under its ``agreement``. The caller may
            append unsaved certifications to the result's ``certifications``.

    Returns:
        key → ``OfficerTraining``. Five queries whatever the number.
    """
    if not officers:
        return {}
    saved = {officer.pk: key for key, officer in officers.items() if officer.pk is not None}
    certifications: dict[str, list[Certification]] = {}
    for certification in Certification.objects.filter(officer_id__in=list(saved)).order_by("completed_on", "pk"):
        certifications.setdefault(saved[certification.officer_id], []).append(certification)
    changes: dict[str, list[OfficerStatusChange]] = {}
    for change in OfficerStatusChange.objects.filter(officer_id__in=list(saved)).order_by("effective_on", "pk"):
        changes.setdefault(saved[change.officer_id], []).append(change)
    by_officer = {id(officer): key for key, officer in officers.items()}
    return _trainings(list(officers.values()), certifications, changes, key=lambda officer: by_officer[id(officer)])


def _agency_day(agency: Agency, at: datetime) -> date:
    if timezone.is_naive(at):
        raise ValueError("Pass an aware datetime: an instant, not a wall-clock time.")
    return timezone.localdate(at, timezone=agency.zone)


def officer_authorized_at(*, officer: Officer, at: datetime, agreement=None) -> bool:
    """Was ``officer`` authorized to use delegated 287(g) authority at the instant ``at``?

    The rule is in the module docstring (DOMAIN.md R1.1, R2.4, R2.7–R2.9; R1.8
    limits who could be designated in the first place). Detainer and incident
    checks call this with the time of the action.

    Args:
        officer: the officer (the caller checked access to it).
        at: an aware datetime; converted to the agency's local date (an action
            at 2026-02-28 01:30 UTC happened on 2026-02-27 in America/Chicago).
        agreement: ask about this agreement (a ``compliance.Agreement``, e.g. the
            detainer's): an officer serving under another one, or under none,
            was not authorized under it.

    Returns:
        True or False. Five queries.

    Raises:
        ValueError: ``at`` is naive.
    """
    return officer_authorization_at(officer=officer, at=at, agreement=agreement).authorized


def officer_authorization_at(*, officer: Officer, at: datetime, agreement=None) -> Authorization:
    """``officer_authorized_at`` with the reasons when the answer is no (``Authorization``). Five queries.

    Raises:
        ValueError: ``at`` is naive.
    """
    day = _agency_day(officer.agency, at)
    return officer_trainings([officer])[officer.pk].authorization_on(day, agreement=agreement)


def officer_authorized_on_date(*, officer: Officer, on: date, agreement=None) -> bool:
    """``officer_authorized_at`` for an agency-local date instead of an instant."""
    return officer_trainings([officer])[officer.pk].authorized_on(on, agreement=agreement)


def officers_authorized_at(*, officers: Iterable[Officer], at: datetime) -> dict[int, bool]:
    """``officer_authorized_at`` for many officers at once: officer pk → authorized at ``at``.

    Six queries whatever the number of officers, each officer judged on its own
    agency's local date under its own agreement.

    Raises:
        ValueError: ``at`` is naive.
    """
    officers = list(officers)
    if not officers:
        return {}
    agencies = {agency.pk: agency for agency in Agency.objects.filter(pk__in={o.agency_id for o in officers})}
    days = {agency_id: _agency_day(agency, at) for agency_id, agency in agencies.items()}
    trainings = officer_trainings(officers)
    return {officer.pk: trainings[officer.pk].authorized_on(days[officer.agency_id]) for officer in officers}


def authorization_periods(*, officer: Officer) -> list[tuple[date, date | None]]:
    """The agency-local date ranges in which ``officer`` was (or, by current expiries, will be) authorized.

    Each period is (first day, last day inclusive); the last day is None when
    nothing on file ends it. A period's last day can lie in the future: the
    day the current training lapses unless renewed. Oldest first. Five queries.
    """
    return officer_trainings([officer])[officer.pk].periods()


def officer_training_status(*, officer: Officer, today: date) -> TrainingStatus:
    """The officer's roster training status on ``today`` (the officer page). Five queries."""
    return officer_trainings([officer])[officer.pk].training_status(today)
