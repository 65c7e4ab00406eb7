"""Was an officer authorized to use delegated 287(g) authority on a given day?

One rule answers it for every caller (the roster's "Authorized today" column,
the officer page's periods, the detainer log through
``training.roster.selectors.officer_authorized_on``): on the agency-local day ``D``

1. the officer's status in effect on ``D`` was "designated" (by the effective
   dates of ``OfficerStatusChange``, never the day a change was typed in);
2. the agreement was in force on ``D`` (not before ``signed_on``, not after
   ``expires_on``, when those are known);
3. the officer's required training covered ``D`` (R2.4, R2.7), counted from the
   day each course was completed, so training recorded late counts from the
   day it happened:

   * officer under an agreement with requirements (``training.requirements.services``):
     the basic course completed on or before ``D``; some completion of the
     basic course or a refresher valid on ``D`` (the basic course counts as the
     first refresher); for each annual course, some completion valid on ``D``;
   * otherwise (legacy rows): for each course the agency flags ``required``,
     some completion valid on ``D``.

   "Valid on ``D``" means ``completed_on <= D <= expires_on``: a later renewal
   never changes the answer for an earlier day.

Status on a day: the latest change effective on or before it; before an
officer's first recorded change, that change's ``previous_status``; an officer
with no recorded change has had ``Officer.status`` all along (rows from before
the status history existed).

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
from training.requirements.models import TrainingRequirement
from training.roster import rules
from training.roster.models import Certification, Course, Officer

Kind = TrainingRequirement.Kind


@dataclass
class TrainingStatus:
    """An officer's roster training status on one day (the rule of ``selectors.officers_with_training_status``)."""

    status: str
    earliest_expiry: date | None
    missing_courses: list[Course]

    @property
    def label(self) -> str:
        return rules.STATUS_LABELS[self.status]


@dataclass
class OfficerTraining:
    """What the authorization rule needs about one officer, already loaded (no queries)."""

    officer: Officer
    certifications: list[Certification]
    status_changes: list[OfficerStatusChange]  # by (effective_on, pk)
    agreement: Agreement | None
    requirements: list[TrainingRequirement] = field(default_factory=list)  # empty: the legacy rule
    legacy_courses: list[Course] = field(default_factory=list)  # the agency's Course.required

    @property
    def uses_requirements(self) -> bool:
        return bool(self.requirements)

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
        agreement = self.agreement
        if agreement is None:
            return True
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

    def trained_on(self, day: date) -> bool:
        """Rule 3 of the module docstring: the required training covered ``day``."""
        if not self.uses_requirements:
            return all(self._valid_on({course.pk}, day) for course in self.legacy_courses)
        basic = self._courses(Kind.BASIC)
        if not any(c.course_id in basic and c.completed_on <= day for c in self.certifications):
            return False
        if not self._valid_on(basic | self._courses(Kind.REFRESHER), day):
            return False
        return all(self._valid_on({course_id}, day) for course_id in self._courses(Kind.ANNUAL))

    def authorized_on(self, day: date) -> bool:
        """True when the officer was authorized on the agency-local ``day`` (module docstring)."""
        return (
            self.status_on(day) == Officer.Status.DESIGNATED
            and self.agreement_in_force_on(day)
            and self.trained_on(day)
        )

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
            # Nothing ever changes (a legacy officer of an agency requiring no course): one
            # period from the day the officer was put on the roster.
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
        """
        latest: dict[int, Certification] = {}
        for c in self.certifications:
            held = latest.get(c.course_id)
            if held is None or (c.completed_on, c.pk) > (held.completed_on, held.pk):
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


def officer_trainings(officers: Iterable[Officer], *, agreement=None) -> dict[int, OfficerTraining]:
    """Load what the rule needs for ``officers``, keyed by officer pk. Five queries, whatever the number.

    Args:
        officers: ``Officer`` instances.
        agreement: evaluate under this agreement instead of each officer's own
            (see ``officer_authorized_at``).
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
    agreement_ids = {agreement.pk} if agreement is not None else {o.agreement_id for o in officers if o.agreement_id}
    agreements = {a.pk: a for a in Agreement.objects.filter(pk__in=agreement_ids)}
    requirements: dict[int, list[TrainingRequirement]] = {}
    for requirement in TrainingRequirement.objects.filter(agreement_id__in=agreement_ids).select_related("course"):
        requirements.setdefault(requirement.agreement_id, []).append(requirement)
    legacy: dict[int, list[Course]] = {}
    for course in Course.objects.filter(agency_id__in={o.agency_id for o in officers}, required=True).order_by("code"):
        legacy.setdefault(course.agency_id, []).append(course)
    trainings = {}
    for officer in officers:
        agreement_id = agreement.pk if agreement is not None else officer.agreement_id
        trainings[officer.pk] = OfficerTraining(
            officer=officer,
            certifications=certifications.get(officer.pk, []),
            status_changes=changes.get(officer.pk, []),
            agreement=agreements.get(agreement_id),
            requirements=requirements.get(agreement_id, []),
            legacy_courses=legacy.get(officer.agency_id, []),
        )
    return trainings


def _agency_day(agency: Agency, at: datetime) -> date:
    if timezone.is_naive(at):
        raise ValueError("Pass an aware datetime: an instant, not a wall-clock time.")
    return timezone.localdate(at, timezone=agency.zone)


def officer_authorized_at(*, officer: Officer, at: datetime, agreement=None) -> bool:
    """Was ``officer`` authorized to use delegated 287(g) authority at the instant ``at``?

    The rule is in the module docstring (DOMAIN.md R2.4, R2.7, R2.8; R1.8 limits
    who could be designated in the first place). Detainer and incident checks
    call this with the time of the action.

    Args:
        officer: the officer (the caller checked access to it).
        at: an aware datetime; converted to the agency's local date (an action
            at 2026-02-28 01:30 UTC happened on 2026-02-27 in America/Chicago).
        agreement: ask about this agreement (a ``compliance.Agreement``) instead
            of the officer's own. An officer linked to another agreement was not
            authorized under it; an officer linked to none (a legacy row) is
            judged under it if it is of the officer's agency.

    Returns:
        True or False. Six queries at most.

    Raises:
        ValueError: ``at`` is naive.
    """
    day = _agency_day(officer.agency, at)
    return _authorized_on(officer=officer, day=day, agreement=agreement)


def officer_authorized_on_date(*, officer: Officer, on: date, agreement=None) -> bool:
    """``officer_authorized_at`` for an agency-local date instead of an instant."""
    return _authorized_on(officer=officer, day=on, agreement=agreement)


def _authorized_on(*, officer: Officer, day: date, agreement) -> bool:
    if agreement is not None:
        if agreement.agency_id != officer.agency_id:
            return False
        if officer.agreement_id is not None and officer.agreement_id != agreement.pk:
            return False
    return officer_trainings([officer], agreement=agreement)[officer.pk].authorized_on(day)


def officers_authorized_at(*, officers: Iterable[Officer], at: datetime) -> dict[int, bool]:
    """``officer_authorized_at`` for many officers at once: officer pk → authorized at ``at``.

    For list pages (the roster's "Authorized today" column): six queries
    whatever the number of officers, each officer judged on its own agency's
    local date under its own agreement.

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
