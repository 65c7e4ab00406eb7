"""Reads of the training roster that other apps and pages depend on.

Contracts used outside this app (keep the signatures):

* ``roster_status_counts(*, agency, today)`` — dashboard figures (training statuses and "authorized").
* ``roster_for_report(*, agency, today)`` — rows for the roster PDF report.
* ``officer_authorized_on(*, officer, on)`` — incidents: was the officer current on a date.

Every function runs a fixed number of queries whatever the number of officers
or certifications (DESIGN.md performance budgets): the status is computed in
the database by ``officers_with_training_status`` for filters and counts, and
in Python by ``training.roster.rules`` for report rows; tests check they agree.

"Latest certification" of an officer in a course: the one with the latest
``completed_on`` (ties: the one recorded last). Renewed certifications are
kept as history and count for nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from guardian.shortcuts import get_users_with_perms

from compliance.core import access
from compliance.core.models import User
from compliance.core.names import name_key
from training.lifecycle.qualification import complete_q
from training.requirements.models import TrainingRequirement
from training.requirements.services import CHAIN_KINDS
from training.roster import authorization, rules
from training.roster.models import Certification, Course, Officer

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
    authorization: authorization.Authorization | None = None  # the rule on the report's date


def officer_or_404(user, public_id, *, perm: str = access.VIEW, related: tuple[str, ...] = ("agency",)) -> Officer:
    """The officer ``public_id`` if ``user`` holds ``perm`` in its agency, with ``related`` joined.

    Every officer page reaches its record through here (``compliance.core.access``, case A1), as the
    detainer pages do through ``incidents.detainers.selectors.detainer_or_404``.

    Raises:
        Http404: no such officer, or one of an agency outside the user's ``perm`` scope (never 403).
    """
    return access.get_scoped_or_404(Officer.objects.select_related(*related), user, perm, public_id=public_id)


def latest_certifications() -> QuerySet[Certification]:
    """Certifications that are the latest of their (officer, course); renewed ones are left out.

    Under an agreement's requirements (``training.requirements.services``) the basic
    course and the refresher are one chain: a later completion of either
    renews the other too, so a basic course followed by a refresher is
    "renewed" and gets no more reminders.
    """
    newer = Certification.objects.filter(officer=OuterRef("officer"), course=OuterRef("course")).filter(
        Q(completed_on__gt=OuterRef("completed_on")) | Q(completed_on=OuterRef("completed_on"), pk__gt=OuterRef("pk"))
    )
    in_chain = TrainingRequirement.objects.filter(
        agreement=OuterRef("officer__agreement"), course=OuterRef("course"), kind__in=CHAIN_KINDS
    )
    newer_in_chain = Certification.objects.filter(
        Q(completed_on__gt=OuterRef("completed_on")) | Q(completed_on=OuterRef("completed_on"), pk__gt=OuterRef("pk")),
        officer=OuterRef("officer"),
        course__requirements__agreement=OuterRef("officer__agreement"),
        course__requirements__kind__in=CHAIN_KINDS,
    )
    return Certification.objects.filter(~Exists(newer)).exclude(Exists(in_chain) & Exists(newer_in_chain))


def officers_with_training_status(*, agency, today: date, stored_only: bool = False) -> QuerySet[Officer]:
    """All officers of ``agency`` annotated with their roster status on ``today``.

    Annotations (one query however many officers):
        ``earliest_expiry`` — earliest expiry over the latest certification of each
        required course held (None when none held);
        ``training_status`` — "missing" / "expired" / "expiring" / "current", the
        rule of ``authorization.OfficerTraining.training_status`` (the officer page).

    Read from the stored facts (``training.roster.facts``, ``OfficerTrainingFacts``):
    missing → "missing"; else ``earliest_expiry`` before ``today`` → "expired";
    up to ``today`` + 90 days → "expiring"; else (or none) "current". Only an
    officer without stored facts (rows written outside the services, before the
    nightly ``refresh_training_facts``) is computed from the certifications in
    SQL by ``_computed_status``; the database evaluates that branch for those
    rows only, but planning it costs about 20 ms per use of the expression.

    Args:
        agency: a ``compliance.Agency`` the caller already checked access to.
        today: the agency-local date (``rules.agency_today``).
        stored_only: leave the computed branch out; for callers that checked
            every officer of ``agency`` has stored facts (``roster_officers``).
    """
    officers = Officer.objects.filter(agency=agency).alias(
        facts_missing=F("training_facts__missing_required"), facts_expiry=F("training_facts__earliest_expiry")
    )
    if stored_only:
        return officers.annotate(
            earliest_expiry=F("facts_expiry"), training_status=_stored_status_case(today, rules.STATUSES_WORST_FIRST)
        )
    no_facts = Q(training_facts__isnull=True)
    return _computed_status(officers, today=today).annotate(
        earliest_expiry=Case(
            When(no_facts, then=F("computed_expiry")), default=F("facts_expiry"), output_field=DateField()
        ),
        training_status=Case(
            When(no_facts, then=F("computed_status")),
            default=_stored_status_case(today, rules.STATUSES_WORST_FIRST),
            output_field=CharField(),
        ),
    )


def _stored_status_case(today: date, values: tuple) -> Case:
    """Today's status from the stored facts, as ``values`` given for (missing, expired, expiring, current)."""
    missing, expired, expiring, current = (Value(value) for value in values)
    return Case(
        When(facts_missing=True, then=missing),
        When(facts_expiry__lt=today, then=expired),
        When(facts_expiry__lte=today + timedelta(days=rules.EXPIRING_WINDOW_DAYS), then=expiring),
        default=current,
    )


def _computed_status(officers: QuerySet[Officer], *, today: date) -> QuerySet[Officer]:
    """``officers`` with aliases ``computed_expiry`` and ``computed_status``: the status rule written in SQL.

    About 19 correlated subqueries per officer (docs/performance.md): used only
    for officers without stored facts. Which courses are required
    (``training.requirements.services``, module docstring): for an officer linked to an
    agreement that has training requirements, the basic-course-and-refresher
    chain counts as one requirement (held when the basic course was completed;
    its expiry is the latest expiry of any completion in the chain) and each
    annual course as one; for any other officer, the agency's courses flagged
    ``required`` (the legacy rule).
    """
    # Legacy rule: the agency's courses flagged required.
    latest_required = (
        latest_certifications().filter(officer=OuterRef("pk"), course__required=True).order_by().values("officer")
    )
    required_courses = Course.objects.filter(agency=OuterRef("agency"), required=True).order_by().values("agency")
    # Agreement rule. Each filter names the requirement's agreement and kind in one
    # call, so both conditions apply to the same requirement row (one join).
    agreement_requirements = TrainingRequirement.objects.filter(agreement=OuterRef("agreement")).order_by()
    basic_certifications = Certification.objects.filter(
        officer=OuterRef("pk"),
        course__requirements__agreement=OuterRef("agreement"),
        course__requirements__kind="basic",
    )
    chain_certifications = (
        Certification.objects.filter(
            officer=OuterRef("pk"),
            course__requirements__agreement=OuterRef("agreement"),
            course__requirements__kind__in=CHAIN_KINDS,
        )
        .order_by()
        .values("officer")
    )
    latest_annual = (
        latest_certifications()
        .filter(
            officer=OuterRef("pk"),
            course__requirements__agreement=OuterRef("agreement"),
            course__requirements__kind="annual",
        )
        .order_by()
        .values("officer")
    )
    expiring_until = today + timedelta(days=rules.EXPIRING_WINDOW_DAYS)
    return (
        officers.alias(
            uses_requirements=Exists(agreement_requirements),
            legacy_total=Coalesce(
                Subquery(required_courses.annotate(n=Count("pk")).values("n")), 0, output_field=IntegerField()
            ),
            legacy_held=Coalesce(
                Subquery(latest_required.annotate(n=Count("pk")).values("n")), 0, output_field=IntegerField()
            ),
            legacy_expiry=Subquery(latest_required.annotate(m=Min("expires_on")).values("m")),
            basic_held=Exists(basic_certifications),
            chain_expiry=Subquery(chain_certifications.annotate(m=Max("expires_on")).values("m")),
            annual_total=Coalesce(
                Subquery(
                    agreement_requirements.filter(kind="annual").values("agreement").annotate(n=Count("pk")).values("n")
                ),
                0,
                output_field=IntegerField(),
            ),
            annual_held=Coalesce(
                Subquery(latest_annual.annotate(n=Count("pk")).values("n")), 0, output_field=IntegerField()
            ),
            annual_expiry=Subquery(latest_annual.annotate(m=Min("expires_on")).values("m")),
        )
        .alias(
            required_total=Case(
                When(uses_requirements=True, then=F("annual_total") + 1),
                default=F("legacy_total"),
                output_field=IntegerField(),
            ),
            required_held=Case(
                When(
                    uses_requirements=True,
                    then=F("annual_held") + Case(When(basic_held=True, then=Value(1)), default=Value(0)),
                ),
                default=F("legacy_held"),
                output_field=IntegerField(),
            ),
            computed_expiry=Case(
                When(
                    uses_requirements=True,
                    then=Least(Coalesce("chain_expiry", "annual_expiry"), Coalesce("annual_expiry", "chain_expiry")),
                ),
                default=F("legacy_expiry"),
                output_field=DateField(),
            ),
        )
        .alias(
            computed_status=Case(
                # Nothing required at all is never "current" (authorization.TrainingStatus.nothing_required).
                When(required_total=0, then=Value(rules.MISSING)),
                When(required_held__lt=F("required_total"), then=Value(rules.MISSING)),
                When(computed_expiry__lt=today, then=Value(rules.EXPIRED)),
                When(computed_expiry__lte=expiring_until, then=Value(rules.EXPIRING)),
                default=Value(rules.CURRENT),
                output_field=CharField(),
            )
        )
    )


def authorized_today_case(today: date) -> Case:
    """True when the officer is authorized on ``today``: the SQL twin of ``authorization.authorization_today``.

    Needs the ``training_status`` annotation of ``officers_with_training_status``
    (or the roster page's stored-facts one): "current" or "expiring" is exactly
    "trained today" (point 4 of ``training.roster.authorization``). The other points
    read the officer row and its agreement: designated now, an agreement in
    force on ``today``, the checklist and ICE credential complete
    (``training.lifecycle.qualification.complete_q``). Tests check it agrees with
    the Python rule officer by officer.
    """
    condition = (
        Q(status=Officer.Status.DESIGNATED, agreement__isnull=False)
        & (Q(agreement__signed_on__isnull=True) | Q(agreement__signed_on__lte=today))
        & (Q(agreement__expires_on__isnull=True) | Q(agreement__expires_on__gte=today))
        & complete_q()
        & Q(training_status__in=(rules.CURRENT, rules.EXPIRING))
    )
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def roster_status_counts(*, agency, today: date) -> dict[str, int]:
    """How many designated officers of ``agency`` are in each roster status, and how many are authorized, on ``today``.

    Only officers with status "designated" count (they are the ones using the
    delegated authority, DOMAIN.md R2.7). One query.

    Args:
        agency: a ``compliance.Agency``.
        today: the agency-local date (``rules.agency_today(agency)``), e.g. at
            2026-02-27 19:30 CST it is 2026-02-27 (case T1).

    Returns:
        ``{"current", "expiring", "expired", "missing", "expiring_today",
        "designated", "authorized"}`` → count. ``expiring_today`` counts officers
        whose status is "expiring" and whose earliest required expiry is
        ``today`` (still valid today, expired tomorrow); they are also counted in
        "expiring". ``designated`` is all of them; ``authorized`` those the one
        rule (``training.roster.authorization``) authorizes today: a designated
        officer with current training but no agreement in force, an incomplete
        checklist or no ICE credential is "current" and not authorized.
    """
    officers = officers_with_training_status(agency=agency, today=today).filter(status=Officer.Status.DESIGNATED)
    # GROUP BY the status, not one COUNT(... FILTER (WHERE status = ...)) per status:
    # SQL repeats an annotation's whole expression wherever it is used, so five
    # filtered counts evaluated every status subquery five times per officer
    # (4 s instead of 0.8 s at 10,000 officers, docs/performance.md).
    due_today = Case(When(earliest_expiry=today, then=Value(True)), default=Value(False), output_field=BooleanField())
    rows = (
        officers.annotate(due_today=due_today)
        .annotate(authorized=authorized_today_case(today))
        .values("training_status", "due_today", "authorized")
        .annotate(n=Count("pk"))
    )
    return _counts_from_rows(rows.order_by())


def roster_page_status_counts(*, agency, today: date) -> dict[str, int]:
    """``roster_status_counts`` for the roster page: the same figures, from the stored facts only.

    One query (``training.roster.facts``): counts by today's status derived from
    ``OfficerTrainingFacts``. When some designated officer has no stored facts
    yet (rows written outside the services since the nightly refresh), a second
    query: ``roster_status_counts``, which computes those officers' status from
    their certifications. The stored-only query skips building and planning that
    long expression (about 20 ms of each roster request at 10,000 officers).
    """
    officers = Officer.objects.filter(agency=agency, status=Officer.Status.DESIGNATED).alias(
        facts_missing=F("training_facts__missing_required"), facts_expiry=F("training_facts__earliest_expiry")
    )
    rows = (
        officers.annotate(
            training_status=_stored_status_case(today, rules.STATUSES_WORST_FIRST),
            due_today=Case(When(facts_expiry=today, then=Value(True)), default=Value(False)),
            stored=Case(When(training_facts__isnull=True, then=Value(False)), default=Value(True)),
        )
        .annotate(authorized=authorized_today_case(today))
        .values("training_status", "due_today", "stored", "authorized")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = list(rows)
    if not all(row["stored"] for row in rows):
        return roster_status_counts(agency=agency, today=today)
    return _counts_from_rows(rows)


def _counts_from_rows(rows: Iterable[dict]) -> dict[str, int]:
    counts = dict.fromkeys((*rules.STATUSES_WORST_FIRST, "expiring_today", "designated", "authorized"), 0)
    for row in rows:
        counts[row["training_status"]] += row["n"]
        counts["designated"] += row["n"]
        if row["authorized"]:
            counts["authorized"] += row["n"]
        if row["training_status"] == rules.EXPIRING and row["due_today"]:
            counts["expiring_today"] += row["n"]
    return counts


def roster_for_report(*, agency, today: date) -> list[RosterRow]:
    """The designated officers of ``agency`` with their training status on ``today``.

    Seven queries whatever the size: officers, their latest certifications (with
    course), and the five of ``training.roster.authorization.officer_trainings`` (the
    Python twin of ``officers_with_training_status``). Officers are ordered by
    last name, first name; each row's certifications by course code.

    Args:
        agency: a ``compliance.Agency``.
        today: the agency-local date (``rules.agency_today(agency)``).

    Returns:
        A list of ``RosterRow``; ``status`` follows ``rules.officer_roster_status``
        over the officer's required courses (``training.requirements.services``);
        ``authorization`` is the one rule on ``today`` (``training.roster.authorization``).
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
    by_officer: dict[int, list[Certification]] = {}
    for certification in certifications:
        by_officer.setdefault(certification.officer_id, []).append(certification)
    trainings = authorization.officer_trainings(officers)
    rows = []
    for officer in officers:
        status = trainings[officer.pk].training_status(today)
        rows.append(
            RosterRow(
                officer=officer,
                status=status.status,
                status_label=status.label,
                certifications=by_officer.get(officer.pk, []),
                missing_courses=status.missing_courses,
                earliest_expiry=status.earliest_expiry,
                authorization=trainings[officer.pk].authorization_on(today),
            )
        )
    return rows


# Roster page sort keys (training.roster.forms.SORTS) → ORDER BY; "-key" reverses.
# Ties always end on badge number, which is unique in the agency, so pages are stable.
_STATUS_RANK = Case(
    *[When(training_status=status, then=Value(rank)) for rank, status in enumerate(rules.STATUSES_WORST_FIRST)],
    output_field=IntegerField(),
)
ROSTER_SORTS = {
    "name": ("last_name", "first_name"),
    "badge": ("badge_number",),
    "status": ("status_rank", "earliest_expiry"),
    "expiry": ("earliest_expiry",),
}


def _roster_order(sort: str) -> list:
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    fields = ROSTER_SORTS.get(key, ROSTER_SORTS["name"])
    if "badge_number" not in fields:
        fields = (*fields, "badge_number")
    # Officers without an expiry (no required course held) sort last either way.
    return [F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True) for name in fields]


def roster_officers(
    *,
    agency,
    today: date,
    status: str = "",
    officer_status: str = "",
    search: str = "",
    model: str = "",
    supervisor_id: int | str | None = None,
    course=None,
    sort: str = "name",
    authorized: str = "",
) -> QuerySet[Officer]:
    """The roster page's officers: filtered, searched, ordered; paginate the result.

    Args:
        agency: a ``compliance.Agency`` the user may view.
        today: the agency-local date.
        status: a roster status ("current", "expiring", "expired", "missing") or "".
        officer_status: an ``Officer.Status`` value, "all", or "" for the active
            roster (everyone but separated and disqualified officers).
        search: words matched against last name, first name (contains, compared by
            ``compliance.core.names.name_key``: case and accent form ignored) and badge
            number (starts with); every word must match one of them.
        model: an agreement model ("JEM", "WSO", "TFM"): officers serving under
            an agreement of that model; "" for any.
        supervisor_id: a user's primary key, "none" for officers without a
            supervisor, or None/"" for any.
        course: a ``Course`` of the agency: officers who completed it at least
            once (annotated ``course_expiry``: the last valid day of their latest
            completion); None for any.
        sort: "name", "badge", "status" (worst first, then soonest expiry) or
            "expiry" (soonest next expiry first; none last), "-" prefix reverses.
        authorized: "yes" / "no": officers the one rule authorizes today / does
            not (``authorized_today_case``); "" for any.

    Returns:
        An ``Officer`` queryset annotated as in ``officers_with_training_status``
        and with ``authorized_today`` (``authorized_today_case``; the row's reasons:
        ``authorization.authorization_today``), with ``supervisor`` and
        ``agreement`` loaded; its count and any page are
        one query each, whatever the roster's size. One query here: whether
        every officer has stored training facts (``training.roster.facts``).
    """
    # Every officer has stored facts unless rows were written outside the services
    # since the last nightly refresh: then the slower computed branch is planned too.
    stored_only = not Officer.objects.filter(agency=agency, training_facts__isnull=True).exists()
    officers = officers_with_training_status(agency=agency, today=today, stored_only=stored_only)
    status_rank = _stored_status_case(today, (0, 1, 2, 3)) if stored_only else _STATUS_RANK
    officers = (
        officers.alias(status_rank=status_rank)
        .annotate(authorized_today=authorized_today_case(today))
        .select_related("supervisor", "agreement")
    )
    if authorized in ("yes", "no"):
        officers = officers.filter(authorized_today=authorized == "yes")
    if officer_status == "all":
        pass
    elif officer_status in Officer.Status.values:
        officers = officers.filter(status=officer_status)
    else:
        officers = officers.exclude(status__in=INACTIVE_OFFICER_STATUSES)
    if status in rules.STATUS_LABELS:
        officers = officers.filter(training_status=status)
    if model:
        officers = officers.filter(agreement__model=model)
    if supervisor_id == "none":
        officers = officers.filter(supervisor__isnull=True)
    elif supervisor_id:
        officers = officers.filter(supervisor_id=supervisor_id)
    if course is not None:
        latest = latest_certifications().filter(officer=OuterRef("pk"), course=course).values("expires_on")[:1]
        officers = officers.filter(Exists(Certification.objects.filter(officer=OuterRef("pk"), course=course)))
        officers = officers.annotate(course_expiry=Subquery(latest))
    for word in search.split()[:5]:
        # Names through their stored keys (compliance.core.names.name_key): SQLite's LIKE folds ASCII only, so
        # ``álvarez`` finds ``ÁLVAREZ`` (and a decomposed paste) the same way on SQLite and PostgreSQL.
        key = name_key(word)
        officers = officers.filter(
            Q(last_name_key__contains=key) | Q(first_name_key__contains=key) | Q(badge_number__istartswith=word)
        )
    return officers.order_by(*_roster_order(sort))


@dataclass
class OfficerCertificationLine:
    """One certification on the officer page; ``latest`` is False for renewed ones."""

    certification: Certification
    latest: bool
    status: str | None  # None for renewed (superseded) certifications
    status_label: str


def officer_certification_lines(*, officer, today: date) -> list[OfficerCertificationLine]:
    """All certifications of ``officer``, newest first per course, with status for the latest. Two queries.

    A basic course or refresher followed by a later completion of either (the
    chain of ``latest_certifications``) is shown as renewed.
    """
    certifications = list(
        officer.certifications.select_related("course").order_by("course__code", "-completed_on", "-pk")
    )
    chain = set(
        TrainingRequirement.objects.filter(agreement_id=officer.agreement_id, kind__in=CHAIN_KINDS).values_list(
            "course_id", flat=True
        )
    )
    chain_latest = max(
        (c for c in certifications if c.course_id in chain), key=lambda c: (c.completed_on, c.pk), default=None
    )
    lines = []
    seen: set[int] = set()
    for certification in certifications:
        latest = certification.course_id not in seen
        if certification.course_id in chain:
            latest = certification == chain_latest
        seen.add(certification.course_id)
        status = rules.certification_status(certification.expires_on, today) if latest else None
        label = rules.STATUS_LABELS[status] if status else "Renewed"
        lines.append(OfficerCertificationLine(certification, latest, status, label))
    return lines


def officer_missing_courses(*, officer) -> list[Course]:
    """Required courses (``training.requirements.services``) the officer never completed. Five queries."""
    return authorization.officer_training_status(
        officer=officer, today=rules.agency_today(officer.agency)
    ).missing_courses


def officer_authorized_on(*, officer, on: date) -> bool:
    """True if ``officer`` was authorized to use delegated 287(g) authority on the agency-local date ``on``.

    For the detainer log: an immigration action by an officer whose training
    had lapsed is a finding (DOMAIN.md R2.4, R2.7). The rule is
    ``training.roster.authorization`` (status by effective dates, training counted
    from completion days, the officer's agreement's requirements); callers
    holding an instant should call ``authorization.officer_authorized_at``.
    """
    return authorization.officer_authorized_on_date(officer=officer, on=on)


def account_choices(*, agencies: Iterable) -> QuerySet[User]:
    """Active users holding any role in any of ``agencies``: the officer form's "sign-in account" choice.

    ``services.officer_create``/``officer_update`` check the chosen one is of the officer's own agency and
    linked to no other officer. One query per agency.
    """
    user_ids: set[int] = set()
    for agency in agencies:
        holders = get_users_with_perms(agency, only_with_perms_in=[access.VIEW], with_group_users=False)
        user_ids.update(holders.values_list("pk", flat=True))
    return User.objects.filter(pk__in=user_ids, is_active=True).order_by("last_name", "first_name", "username")


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
