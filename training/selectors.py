"""Reads of the training roster that other apps and pages depend on.

Contracts used outside this app (keep the signatures):

* ``roster_status_counts(*, agency, today)`` — dashboard figures.
* ``roster_for_report(*, agency, today)`` — rows for the roster PDF report.
* ``officer_authorized_on(*, officer, on)`` — incidents: was the officer current on a date.

Every function runs a fixed number of queries whatever the number of officers
or certifications (DESIGN.md performance budgets): the status is computed in
the database by ``officers_with_training_status`` for filters and counts, and
in Python by ``training.rules`` for report rows; tests check they agree.

"Latest certification" of an officer in a course: the one with the latest
``completed_on`` (ties: the one recorded last). Renewed certifications are
kept as history and count for nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from guardian.shortcuts import get_users_with_perms

from compliance import access
from compliance.models import User
from training import rules
from training.models import Certification, Course, Officer

# Officers who are no longer on the roster unless asked for (roster page filter).
INACTIVE_OFFICER_STATUSES = (Officer.Status.SEPARATED, Officer.Status.DISQUALIFIED)


@dataclass
class RosterRow:
    """One officer on a roster report, as of one agency-local date."""

    officer: Officer
    status: str
    status_label: str
    certifications: list[Certification] = field(default_factory=list)  # latest per course, course loaded
    missing_courses: list[Course] = field(default_factory=list)  # required courses never completed
    earliest_expiry: date | None = None  # earliest expiry over the required courses held


def latest_certifications() -> QuerySet[Certification]:
    """Certifications that are the latest of their (officer, course); renewed ones are left out."""
    newer = Certification.objects.filter(officer=OuterRef("officer"), course=OuterRef("course")).filter(
        Q(completed_on__gt=OuterRef("completed_on")) | Q(completed_on=OuterRef("completed_on"), pk__gt=OuterRef("pk"))
    )
    return Certification.objects.filter(~Exists(newer))


def officers_with_training_status(*, agency, today: date) -> QuerySet[Officer]:
    """All officers of ``agency`` annotated with their roster status on ``today``.

    Annotations (computed in SQL, one query however many officers):
        ``required_total`` — required courses of the agency;
        ``required_held`` — required courses with at least one certification;
        ``earliest_expiry`` — earliest expiry over the latest certification of each
        required course held (None when none held);
        ``training_status`` — "missing" / "expired" / "expiring" / "current", the
        same rule as ``rules.officer_roster_status``.

    Args:
        agency: a ``compliance.Agency`` the caller already checked access to.
        today: the agency-local date (``rules.agency_today``).
    """
    latest_required = (
        latest_certifications().filter(officer=OuterRef("pk"), course__required=True).order_by().values("officer")
    )
    required_courses = Course.objects.filter(agency=OuterRef("agency"), required=True).order_by().values("agency")
    expiring_until = today + timedelta(days=rules.EXPIRING_WINDOW_DAYS)
    return (
        Officer.objects.filter(agency=agency)
        .annotate(
            required_total=Coalesce(
                Subquery(required_courses.annotate(n=Count("pk")).values("n")), 0, output_field=IntegerField()
            ),
            required_held=Coalesce(
                Subquery(latest_required.annotate(n=Count("pk")).values("n")), 0, output_field=IntegerField()
            ),
            earliest_expiry=Subquery(latest_required.annotate(m=Min("expires_on")).values("m")),
        )
        .annotate(
            training_status=Case(
                When(required_held__lt=F("required_total"), then=Value(rules.MISSING)),
                When(earliest_expiry__lt=today, then=Value(rules.EXPIRED)),
                When(earliest_expiry__lte=expiring_until, then=Value(rules.EXPIRING)),
                default=Value(rules.CURRENT),
                output_field=CharField(),
            )
        )
    )


def roster_status_counts(*, agency, today: date) -> dict[str, int]:
    """How many designated officers of ``agency`` are in each roster status on ``today``.

    Only officers with status "designated" count (they are the ones using the
    delegated authority, DOMAIN.md R2.7). One query.

    Args:
        agency: a ``compliance.Agency``.
        today: the agency-local date (``rules.agency_today(agency)``), e.g. at
            2026-02-27 19:30 CST it is 2026-02-27 (case T1).

    Returns:
        ``{"current", "expiring", "expired", "missing", "expiring_today"}`` → count.
        ``expiring_today`` counts officers whose status is "expiring" and whose
        earliest required expiry is ``today`` (still valid today, expired
        tomorrow); they are also counted in "expiring".
    """
    officers = officers_with_training_status(agency=agency, today=today).filter(status=Officer.Status.DESIGNATED)
    counts = officers.aggregate(
        **{status: Count("pk", filter=Q(training_status=status)) for status in rules.STATUSES_WORST_FIRST},
        expiring_today=Count("pk", filter=Q(training_status=rules.EXPIRING, earliest_expiry=today)),
    )
    return {key: value or 0 for key, value in counts.items()}


def roster_for_report(*, agency, today: date) -> list[RosterRow]:
    """The designated officers of ``agency`` with their training status on ``today``.

    Three queries whatever the size: officers, their latest certifications (with
    course), the agency's required courses. Officers are ordered by last name,
    first name; each row's certifications by course code.

    Args:
        agency: a ``compliance.Agency``.
        today: the agency-local date (``rules.agency_today(agency)``).

    Returns:
        A list of ``RosterRow``; ``status`` follows ``rules.officer_roster_status``.
    """
    officers = list(
        Officer.objects.filter(agency=agency, status=Officer.Status.DESIGNATED).order_by(
            "last_name", "first_name", "badge_number"
        )
    )
    certifications = (
        latest_certifications()
        .filter(agency=agency, officer__status=Officer.Status.DESIGNATED)
        .select_related("course")
        .order_by("course__code")
    )
    required = list(Course.objects.filter(agency=agency, required=True).order_by("code"))
    return build_roster_rows(officers, certifications, required, today)


def build_roster_rows(
    officers: Iterable[Officer], certifications: Iterable[Certification], required: list[Course], today: date
) -> list[RosterRow]:
    """Assemble ``RosterRow``s from already-fetched rows (no queries)."""
    by_officer: dict[int, list[Certification]] = {}
    for certification in certifications:
        by_officer.setdefault(certification.officer_id, []).append(certification)
    rows = []
    for officer in officers:
        held = by_officer.get(officer.pk, [])
        expiry_by_course = {c.course_id: c.expires_on for c in held}
        required_expiries = [expiry_by_course.get(course.pk) for course in required]
        status = rules.officer_roster_status(required_expiries, today)
        present = [expiry for expiry in required_expiries if expiry is not None]
        rows.append(
            RosterRow(
                officer=officer,
                status=status,
                status_label=rules.STATUS_LABELS[status],
                certifications=held,
                missing_courses=[course for course in required if course.pk not in expiry_by_course],
                earliest_expiry=min(present) if present else None,
            )
        )
    return rows


def roster_officers(
    *,
    agency,
    today: date,
    status: str = "",
    officer_status: str = "",
    search: str = "",
) -> QuerySet[Officer]:
    """The roster page's officers: filtered, searched, ordered; paginate the result.

    Args:
        agency: a ``compliance.Agency`` the user may view.
        today: the agency-local date.
        status: a roster status ("current", "expiring", "expired", "missing") or "".
        officer_status: an ``Officer.Status`` value, "all", or "" for the active
            roster (everyone but separated and disqualified officers).
        search: words matched against last name, first name (contains) and badge
            number (starts with); every word must match one of them.

    Returns:
        An ``Officer`` queryset annotated as in ``officers_with_training_status``,
        with ``supervisor`` loaded; its count and any page are one query each.
    """
    officers = officers_with_training_status(agency=agency, today=today).select_related("supervisor")
    if officer_status == "all":
        pass
    elif officer_status in Officer.Status.values:
        officers = officers.filter(status=officer_status)
    else:
        officers = officers.exclude(status__in=INACTIVE_OFFICER_STATUSES)
    if status in rules.STATUS_LABELS:
        officers = officers.filter(training_status=status)
    for word in search.split()[:5]:
        officers = officers.filter(
            Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(badge_number__istartswith=word)
        )
    return officers.order_by("last_name", "first_name", "badge_number")


@dataclass
class OfficerCertificationLine:
    """One certification on the officer page; ``latest`` is False for renewed ones."""

    certification: Certification
    latest: bool
    status: str | None  # None for renewed (superseded) certifications
    status_label: str


def officer_certification_lines(*, officer, today: date) -> list[OfficerCertificationLine]:
    """All certifications of ``officer``, newest first per course, with status for the latest. One query."""
    certifications = officer.certifications.select_related("course").order_by("course__code", "-completed_on", "-pk")
    lines = []
    seen: set[int] = set()
    for certification in certifications:
        latest = certification.course_id not in seen
        seen.add(certification.course_id)
        status = rules.certification_status(certification.expires_on, today) if latest else None
        label = rules.STATUS_LABELS[status] if status else "Renewed"
        lines.append(OfficerCertificationLine(certification, latest, status, label))
    return lines


def officer_missing_courses(*, officer) -> list[Course]:
    """Required courses of the officer's agency that the officer never completed. One query."""
    return list(
        Course.objects.filter(agency_id=officer.agency_id, required=True)
        .exclude(certifications__officer=officer)
        .order_by("code")
    )


def officer_authorized_on(*, officer, on: date) -> bool:
    """True if ``officer`` was designated and held every required course, none expired, on ``on``.

    For the detainer log: an immigration action by an officer whose training
    had lapsed is a finding (DOMAIN.md R2.4, R2.7). ``on`` is the agency-local
    date of the action. A course counts when some certification of it covered
    that day (completed on or before, expiring on or after), so a later renewal
    does not change the answer. Uses the officer's current designation status.
    Two queries.
    """
    if officer.status != Officer.Status.DESIGNATED:
        return False
    required = list(Course.objects.filter(agency_id=officer.agency_id, required=True).values_list("pk", flat=True))
    valid = set(
        Certification.objects.filter(
            officer=officer, course_id__in=required, completed_on__lte=on, expires_on__gte=on
        ).values_list("course_id", flat=True)
    )
    return all(course_id in valid for course_id in required)


def supervisor_choices(*, agencies: Iterable) -> QuerySet[User]:
    """Active users who review records (supervisors, administrators) in any of ``agencies``.

    For the officer form's supervisor choice; ``services.officer_create`` checks
    the chosen one reviews in the officer's own agency. One query per agency.
    """
    user_ids: set[int] = set()
    for agency in agencies:
        holders = get_users_with_perms(agency, only_with_perms_in=[access.REVIEW], with_group_users=False)
        user_ids.update(holders.values_list("pk", flat=True))
    return User.objects.filter(pk__in=user_ids, is_active=True).order_by("last_name", "first_name", "username")
