"""The supervisor dashboard's figures for one agency (top floor: reads every app's selectors).

Every figure is a fixed number of queries whatever the number of officers,
detainers, incidents or events (DESIGN.md performance budget: query count
independent of size). "Today" and "this quarter" are the agency's local date
and quarter, never the server's or UTC's. The expensive part (12-month trends
with their charts, offense-level shares over all detainers, training currency per
course) is cached per agency, local day and data version (``compliance.dashboard.cache``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

from django.db.models import Count, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from community.commitments.models import Commitment
from community.commitments.selectors import due_soon_q, overdue_q
from community.models import OutreachEvent
from compliance.core.findings import AGE_BUCKETS, OPEN_STATUSES, age_q
from compliance.core.models import Agency, Finding, Severity
from compliance.dashboard import charts
from compliance.dashboard.cache import is_fresh, rebuild_done, served_figures
from compliance.dashboard.charts import roster_chart_svg
from compliance.dashboard.trends import MonthFigures, monthly_trends
from incidents.corrective_actions.models import CorrectiveAction
from incidents.detainer_log.forms import HOLD_PAST_DEADLINE
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Incident
from incidents.offense_levels.selectors import offense_level_shares
from incidents.referrals.selectors import deadline_counts
from training.requirements.currency import CourseCurrency, course_currency
from training.roster.selectors import roster_page_status_counts

#: How many open detainers with the nearest hold deadlines the dashboard lists.
DETAINER_LIST_SIZE = 5
#: How many of the oldest open findings the dashboard lists.
OLDEST_FINDINGS_SIZE = 5
#: The cached part's variant name in ``compliance.dashboard.cache``.
SLOW = "slow"


@dataclass(frozen=True)
class DashboardChart:
    """One chart of the dashboard, as inline SVG: the same SVG serves the page and the review packet PDF."""

    title: str
    svg: str
    #: The filtered list the chart's figures come from (a path inside the app), "" for none.
    link: str = ""


@dataclass
class DashboardFigures:
    """What the dashboard shows for one agency at one moment."""

    agency: object
    now: datetime
    today: date
    quarter_start: date
    quarter_end: date
    roster: dict[str, int]
    detainers_upcoming: list[Detainer]
    detainers_upcoming_count: int
    detainers_overdue: list[Detainer]
    detainers_overdue_count: int
    incidents_by_severity: list[tuple[str, str, int]] = field(default_factory=list)
    incidents_open_total: int = 0
    outreach_quarter_count: int = 0
    roster_chart_svg: str = ""
    # Detainers (all logged) whose only charge is a traffic or other minor offense (R3.3; GAO-09-109 finding 1).
    detainers_minor_offense_count: int = 0
    detainers_minor_offense_percent: float = 0.0
    # Case deadlines (issue #11 items 4–5): open corrective actions past their due date (agency date), open
    # cases past the investigation target, complaints about immigration authority not referred to ICE in time.
    corrective_actions_overdue_count: int = 0
    cases_past_target_count: int = 0
    referrals_overdue_count: int = 0
    # Commitments made at outreach events and committee meetings (issue #12 item 2): open ones past their due
    # date, and open ones due from today to 7 days on (agency dates).
    commitments_overdue_count: int = 0
    commitments_due_soon_count: int = 0
    #: Every chart, in the order the dashboard shows them (the roster chart first, then the three trends).
    charts: list[DashboardChart] = field(default_factory=list)
    # Open findings (open or acknowledged) by severity (most severe first) and age at ``now``
    # (``compliance.core.findings.AGE_BUCKETS``), the oldest first, and their total.
    findings_by_severity: list[FindingsRow] = field(default_factory=list)
    findings_age_totals: list[int] = field(default_factory=list)
    findings_open_total: int = 0
    findings_oldest: list[Finding] = field(default_factory=list)
    # Cases awaiting the supervisor's sign-off (stage "supervisor review", incidents.case_review).
    review_queue_count: int = 0
    # Of the designated officers required to hold each course, how many are current today, per agreement model.
    training_currency: list[CourseCurrency] = field(default_factory=list)
    # The last 12 agency-local months, oldest first (compliance.dashboard.trends).
    trends: list[MonthFigures] = field(default_factory=list)
    # When the cached part (trends, offense-level shares, training currency, case deadlines) was built (aware,
    # UTC; the page shows it in the agency's zone), whether data changed since or it is older than
    # ``compliance.dashboard.cache.CACHE_SECONDS`` (``cached_stale``), and whether a worker is rebuilding it.
    cached_built_at: datetime | None = None
    cached_stale: bool = False
    cached_pending: bool = False

    @property
    def findings_age_cells(self) -> list[tuple[str, int]]:
        """``(age bucket key, open findings of every severity)`` in ``AGE_BUCKETS`` order."""
        return list(zip((key for key, _, _, _ in AGE_BUCKETS), self.findings_age_totals, strict=True))


@dataclass(frozen=True)
class FindingsRow:
    """Open findings of one severity: ``counts`` per age bucket (``AGE_BUCKETS`` order) and their total."""

    severity: str
    label: str
    counts: list[int]
    total: int

    @property
    def cells(self) -> list[tuple[str, int]]:
        """``(age bucket key, count)`` in ``AGE_BUCKETS`` order (the page's cells and their links)."""
        return list(zip((key for key, _, _, _ in AGE_BUCKETS), self.counts, strict=True))


@dataclass(frozen=True)
class SlowFigures:
    """The cached part of the dashboard (``compliance.dashboard.cache``): plain values and SVG strings only."""

    trends: list[MonthFigures]
    trend_svgs: dict[str, str]
    minor_count: int
    minor_percent: float
    training_currency: list[CourseCurrency]
    #: ``incidents.referrals.selectors.deadline_counts``: a pass over every case of the agency.
    deadlines: dict[str, int]


def quarter_bounds(today: date) -> tuple[date, date]:
    """First and last day of the calendar quarter containing ``today`` (an agency-local date)."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    end = date(today.year + 1, 1, 1) if first_month == 10 else date(today.year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def dashboard_figures(*, agency, now: datetime | None = None, stale_ok: bool = False) -> DashboardFigures:
    """All dashboard figures for ``agency`` at ``now`` (default: the current time).

    Args:
        agency: a ``compliance.Agency`` the caller already checked the user may view.
        now: an aware datetime; "today" is its date in the agency's zone (case T1).
        stale_ok: True (the page): the cached part may be served stale, at most
            ``compliance.dashboard.cache.MAX_STALE_SECONDS`` old, while a worker rebuilds it
            (``cached_built_at``, ``cached_stale``, ``cached_pending`` say so); False (the review packet): never.

    Returns:
        ``DashboardFigures``:
        * ``roster`` — designated officers current / expiring within 90 days /
          expiring today / expired / missing a course, and how many of them the one
          authorization rule authorizes today (``designated``, ``authorized``;
          ``training.roster.selectors.roster_page_status_counts``: the stored training facts);
        * ``training_currency`` — per agreement model and course, the designated officers required
          to hold it and those current today (GAO-21-186; ``training.requirements.currency``);
        * ``detainers_upcoming`` — open detainers whose hold deadline is still ahead,
          nearest first (at most ``DETAINER_LIST_SIZE``), and their total count;
        * ``detainers_overdue`` — open detainers past their hold deadline with no
          outcome (DOMAIN.md R4.8: a critical violation), oldest deadline first;
        * ``incidents_by_severity`` — open incidents as ``(severity, label, count)``,
          most severe first, every severity present (0 when none);
          ``review_queue_count`` — cases awaiting the supervisor's sign-off;
        * ``findings_by_severity`` — open or acknowledged findings per severity (most severe first)
          and age bucket at ``now`` (``compliance.core.findings.AGE_BUCKETS``: under 7 days, 7–30,
          30–90, over 90), ``findings_age_totals`` per bucket, ``findings_open_total``;
          ``findings_oldest`` — the ``OLDEST_FINDINGS_SIZE`` oldest, oldest first;
        * ``outreach_quarter_count`` — outreach events held in the agency-local
          calendar quarter containing today;
        * ``detainers_minor_offense_count``/``_percent`` — detainers logged (all
          time) whose only charge is a traffic or other minor offense (R3.3,
          GAO-09-109; ``incidents.offense_levels.selectors.offense_level_shares``);
        * ``corrective_actions_overdue_count`` — open corrective actions due before today (agency date);
        * ``cases_past_target_count``/``referrals_overdue_count`` — open cases past the agency's
          investigation target; cases concerning immigration authority past the ICE-notice deadline with
          no ICE OPR referral recorded (``incidents.referrals.selectors.deadline_counts``);
        * ``commitments_overdue_count``/``commitments_due_soon_count`` — open commitments due before today, and
          due from today to 7 days on (agency dates; ``community.commitments.selectors.commitment_counts``);
        * ``trends`` — the last 12 agency-local months (``compliance.dashboard.trends``) and ``charts``:
          the roster chart and the three trend charts, each with the link of its filtered list.

        Seven queries whatever the amount of data when the cached part is fresh (or served stale), one more when some
        officer has no stored training facts yet; eight more when the cached part is built
        (``SlowFigures``: three trends, two currency, one offense levels, two case deadlines with the
        case settings). With ``stale_ok`` False the cached part is at most
        ``compliance.dashboard.cache.CACHE_SECONDS`` old and rebuilt at once after any change of the rows it reads.
    """
    now = now or timezone.now()
    today = timezone.localdate(now, timezone=agency.zone)
    quarter_start, quarter_end = quarter_bounds(today)

    open_detainers = Detainer.objects.open().filter(agency=agency, hold_deadline__isnull=False)
    counts = _plain_counts(agency, open_detainers, now=now, today=today, quarter=(quarter_start, quarter_end))
    upcoming = list(
        open_detainers.filter(hold_deadline__gte=now)
        .select_related("agency")
        .order_by("hold_deadline")[:DETAINER_LIST_SIZE]
    )
    overdue = list(
        open_detainers.filter(hold_deadline__lt=now)
        .select_related("agency")
        .order_by("hold_deadline")[:DETAINER_LIST_SIZE]
    )

    incident_rows = {
        row["severity"]: row
        for row in Incident.objects.open()
        .filter(agency=agency)
        .order_by()
        .values("severity")
        .annotate(n=Count("pk"), review=Count("pk", filter=Q(status=Incident.Status.SUPERVISOR_REVIEW)))
    }
    by_severity = [
        (value, label, incident_rows.get(value, {}).get("n", 0)) for value, label in reversed(Incident.Severity.choices)
    ]

    findings_rows, age_totals = _findings_by_severity_and_age(agency, now)
    oldest = list(
        Finding.objects.filter(agency=agency, status__in=OPEN_STATUSES).order_by("opened_at", "pk")[
            :OLDEST_FINDINGS_SIZE
        ]
    )

    roster = roster_page_status_counts(agency=agency, today=today)
    served = served_figures(
        agency, today, lambda: _slow_figures(agency, today, now), variant=SLOW, stale_ok=stale_ok, now=now
    )
    slow = served.value
    roster_svg = roster_chart_svg(roster)
    return DashboardFigures(
        agency=agency,
        now=now,
        today=today,
        quarter_start=quarter_start,
        quarter_end=quarter_end,
        roster=roster,
        detainers_upcoming=upcoming,
        detainers_upcoming_count=counts["detainers_upcoming"],
        detainers_overdue=overdue,
        detainers_overdue_count=counts["detainers_overdue"],
        incidents_by_severity=by_severity,
        incidents_open_total=sum(count for _, _, count in by_severity),
        outreach_quarter_count=counts["outreach_quarter"],
        roster_chart_svg=roster_svg,
        charts=[
            DashboardChart(title="Officers by training status", svg=roster_svg, link=_roster_link(agency)),
            *_trend_charts(agency, slow),
        ],
        detainers_minor_offense_count=slow.minor_count,
        detainers_minor_offense_percent=slow.minor_percent,
        corrective_actions_overdue_count=counts["corrective_actions_overdue"],
        cases_past_target_count=slow.deadlines["cases_past_target"],
        referrals_overdue_count=slow.deadlines["referrals_overdue"],
        commitments_overdue_count=counts["commitments_overdue"],
        commitments_due_soon_count=counts["commitments_due_soon"],
        findings_by_severity=findings_rows,
        findings_age_totals=age_totals,
        findings_open_total=sum(age_totals),
        findings_oldest=oldest,
        review_queue_count=sum(row["review"] for row in incident_rows.values()),
        training_currency=slow.training_currency,
        trends=slow.trends,
        cached_built_at=served.built_at,
        cached_stale=served.stale,
        cached_pending=served.pending,
    )


def dashboard_rebuild(*, agency_id: int) -> bool:
    """Rebuild the cached part of agency ``agency_id``'s dashboard now (the worker's side of stale-while-revalidate).

    Skips the work when the figures are fresh already (a duplicate task) or the agency is gone; always releases
    the agency's rebuild lock. Returns True when it built. Runs the cached part's queries (eight).
    """
    from compliance.core.models import Agency

    try:
        agency = Agency.objects.filter(pk=agency_id).first()
        if agency is None:
            return False
        now = timezone.now()
        today = timezone.localdate(now, timezone=agency.zone)
        if is_fresh(agency.pk, today, SLOW):
            return False
        served_figures(agency, today, lambda: _slow_figures(agency, today, now), variant=SLOW, stale_ok=False, now=now)
        return True
    finally:
        rebuild_done(agency_id, SLOW)


def _count_of(queryset) -> Coalesce:
    """The number of rows of ``queryset`` (rows of one agency) as a scalar subquery, 0 when there are none."""
    return Coalesce(Subquery(queryset.order_by().values("agency_id").annotate(n=Count("pk")).values("n")[:1]), 0)


def _plain_counts(agency, open_detainers, *, now: datetime, today: date, quarter: tuple[date, date]) -> dict[str, int]:
    """The page's plain counts in one query (one scalar subquery each, every rule from its own app's manager or
    selector): open detainers before (``detainers_upcoming``) and past (``detainers_overdue``) their hold deadline
    at ``now``; outreach events held in ``quarter`` (agency-local first and last day); open corrective actions due
    before ``today`` (agency-local date); open commitments overdue and due within 7 days."""
    open_commitments = Commitment.objects.open().filter(agency=agency)
    first, last = quarter
    return (
        Agency.objects.filter(pk=agency.pk)
        .annotate(
            detainers_upcoming=_count_of(open_detainers.filter(hold_deadline__gte=now)),
            detainers_overdue=_count_of(open_detainers.filter(hold_deadline__lt=now)),
            outreach_quarter=_count_of(
                OutreachEvent.objects.filter(agency=agency, held_on__gte=first, held_on__lte=last)
            ),
            corrective_actions_overdue=_count_of(CorrectiveAction.objects.overdue(today).filter(agency=agency)),
            commitments_overdue=_count_of(open_commitments.filter(overdue_q(today))),
            commitments_due_soon=_count_of(open_commitments.filter(due_soon_q(today))),
        )
        .values(
            "detainers_upcoming",
            "detainers_overdue",
            "outreach_quarter",
            "corrective_actions_overdue",
            "commitments_overdue",
            "commitments_due_soon",
        )
        .get()
    )


def _findings_by_severity_and_age(agency, now: datetime) -> tuple[list[FindingsRow], list[int]]:
    """Open findings per severity (most severe first) and age bucket, and the totals per bucket. One query."""
    buckets = [key for key, _, _, _ in AGE_BUCKETS]
    counts = {
        row["severity"]: row
        for row in Finding.objects.filter(agency=agency, status__in=OPEN_STATUSES)
        .order_by()
        .values("severity")
        .annotate(**{f"age_{key}": Count("pk", filter=age_q(key, now)) for key in buckets})
    }
    rows = []
    for value, label in reversed(Severity.choices):
        row = counts.get(value, {})
        values = [row.get(f"age_{key}", 0) for key in buckets]
        rows.append(FindingsRow(severity=value, label=label, counts=values, total=sum(values)))
    totals = [sum(row.counts[index] for row in rows) for index in range(len(buckets))]
    return rows, totals


def _slow_figures(agency, today: date, now: datetime) -> SlowFigures:
    """The cached part of ``dashboard_figures``: each figure here reads all of the agency's detainers, cases or
    roster (trends and their charts, offense-level shares, training currency, case deadlines)."""
    trends = monthly_trends(agency=agency, today=today, now=now)
    shares = offense_level_shares(agency=agency)
    return SlowFigures(
        trends=trends,
        trend_svgs=charts.trend_chart_svgs(trends),
        minor_count=shares.minor_count,
        minor_percent=shares.minor_percent,
        training_currency=course_currency(agency=agency, today=today),
        deadlines=deadline_counts(agency=agency, now=now),
    )


def _link(name: str, **params: str) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def _roster_link(agency) -> str:
    return _link("training:roster", agency=str(agency.public_id), officer_status="designated")


def _trend_charts(agency, slow: SlowFigures) -> list[DashboardChart]:
    """The three trend charts, each linked to the list its figures come from over the 12 months."""
    first, last = slow.trends[0].month.isoformat(), slow.trends[-1].last_day.isoformat()
    agency_id = str(agency.public_id)
    window = {"agency": agency_id, "received_from": first, "received_to": last}
    return [
        DashboardChart(
            title=charts.DETAINERS_TITLE,
            svg=slow.trend_svgs["detainers"],
            link=_link("incidents:detainer_list", **window),
        ),
        DashboardChart(
            title=charts.HOLDS_TITLE,
            svg=slow.trend_svgs["holds"],
            link=_link("incidents:detainer_list", **window, hold=HOLD_PAST_DEADLINE),
        ),
        DashboardChart(
            title=charts.FINDINGS_TITLE,
            svg=slow.trend_svgs["findings"],
            link=_link("findings:list", agency=agency_id, status=""),
        ),
    ]
