"""The supervisor dashboard's figures for one agency (top floor: reads every app's selectors).

Every figure is a fixed number of queries whatever the number of officers,
detainers, incidents or events (DESIGN.md performance budget: query count
independent of size). "Today" and "this quarter" are the agency's local date
and quarter, never the server's or UTC's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pygal
from django.db.models import Count, Q
from django.utils import timezone

from community.commitments.selectors import commitment_counts
from community.models import OutreachEvent
from compliance.core.charts import chart_new, chart_svg
from incidents.corrective_actions.selectors import overdue_action_count
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Incident
from incidents.offense_levels.selectors import offense_level_shares
from incidents.referrals.selectors import deadline_counts
from training.roster.selectors import roster_status_counts

#: How many open detainers with the nearest hold deadlines the dashboard lists.
DETAINER_LIST_SIZE = 5

ROSTER_SERIES = (
    ("current", "Current"),
    ("expiring", "Expiring within 90 days"),
    ("expired", "Expired"),
    ("missing", "Missing a required course"),
)


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
    #: Every chart, in the order the dashboard shows them (the roster chart first).
    charts: list[DashboardChart] = field(default_factory=list)


def quarter_bounds(today: date) -> tuple[date, date]:
    """First and last day of the calendar quarter containing ``today`` (an agency-local date)."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    end = date(today.year + 1, 1, 1) if first_month == 10 else date(today.year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def dashboard_figures(*, agency, now: datetime | None = None) -> DashboardFigures:
    """All dashboard figures for ``agency`` at ``now`` (default: the current time).

    Args:
        agency: a ``compliance.Agency`` the caller already checked the user may view.
        now: an aware datetime; "today" is its date in the agency's zone (case T1).

    Returns:
        ``DashboardFigures``:
        * ``roster`` — designated officers current / expiring within 90 days /
          expiring today / expired / missing a course, and how many of them the one
          authorization rule authorizes today (``designated``, ``authorized``;
          ``training.roster.selectors.roster_status_counts``);
        * ``detainers_upcoming`` — open detainers whose hold deadline is still ahead,
          nearest first (at most ``DETAINER_LIST_SIZE``), and their total count;
        * ``detainers_overdue`` — open detainers past their hold deadline with no
          outcome (DOMAIN.md R4.8: a critical violation), oldest deadline first;
        * ``incidents_by_severity`` — open incidents as ``(severity, label, count)``,
          most severe first, every severity present (0 when none);
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
          due from today to 7 days on (agency dates; ``community.commitments.selectors.commitment_counts``).

        Twelve queries, whatever the amount of data.
    """
    now = now or timezone.now()
    today = timezone.localdate(now, timezone=agency.zone)
    quarter_start, quarter_end = quarter_bounds(today)

    open_detainers = Detainer.objects.open().filter(agency=agency, hold_deadline__isnull=False)
    detainer_counts = open_detainers.aggregate(
        upcoming=Count("pk", filter=Q(hold_deadline__gte=now)),
        overdue=Count("pk", filter=Q(hold_deadline__lt=now)),
    )
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

    severity_counts = dict(
        Incident.objects.open()
        .filter(agency=agency)
        .order_by()
        .values("severity")
        .annotate(n=Count("pk"))
        .values_list("severity", "n")
    )
    by_severity = [
        (value, label, severity_counts.get(value, 0)) for value, label in reversed(Incident.Severity.choices)
    ]

    roster = roster_status_counts(agency=agency, today=today)
    offense_shares = offense_level_shares(agency=agency)
    deadlines = deadline_counts(agency=agency, now=now)
    commitments = commitment_counts(agency=agency, today=today)
    roster_svg = roster_chart_svg(roster)
    return DashboardFigures(
        agency=agency,
        now=now,
        today=today,
        quarter_start=quarter_start,
        quarter_end=quarter_end,
        roster=roster,
        detainers_upcoming=upcoming,
        detainers_upcoming_count=detainer_counts["upcoming"],
        detainers_overdue=overdue,
        detainers_overdue_count=detainer_counts["overdue"],
        incidents_by_severity=by_severity,
        incidents_open_total=sum(count for _, _, count in by_severity),
        outreach_quarter_count=OutreachEvent.objects.filter(
            agency=agency, held_on__gte=quarter_start, held_on__lte=quarter_end
        ).count(),
        roster_chart_svg=roster_svg,
        charts=[DashboardChart(title="Officers by training status", svg=roster_svg)],
        detainers_minor_offense_count=offense_shares.minor_count,
        detainers_minor_offense_percent=offense_shares.minor_percent,
        corrective_actions_overdue_count=overdue_action_count(agency=agency, today=today),
        cases_past_target_count=deadlines["cases_past_target"],
        referrals_overdue_count=deadlines["referrals_overdue"],
        commitments_overdue_count=commitments["overdue"],
        commitments_due_soon_count=commitments["due_soon"],
    )


def roster_chart_svg(roster: dict[str, int]) -> str:
    """A horizontal bar chart of the roster figures as inline SVG (no script, no external links)."""
    chart = chart_new(
        pygal.HorizontalBar,
        colors=("#00a91c", "#ffbe2e", "#b50909", "#1b1b1b"),
        height=220,
        width=640,
        show_legend=True,
        legend_at_bottom=True,
        print_values=True,
        # Counts are printed on the bars; a value axis would show 0.1, 0.2… for small numbers.
        show_x_labels=False,
        show_x_guides=False,
    )
    chart.title = "Officers by training status"
    for key, label in ROSTER_SERIES:
        chart.add(label, [roster.get(key, 0)])
    return chart_svg(chart)
