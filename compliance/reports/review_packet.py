"""Report "Steering-committee review packet": one PDF of an agency's period for its steering committee (issue #13).

Sections, each its own part with a line in the contents (the engine puts the contents page second and fills
in the page numbers from the assembled PDF: ``compliance.reports.engine.report_assemble``):

1. the cover (``reports/review_packet_cover.html``): agency, period, what "as of" means here, what follows;
2. **Figures and charts**: the dashboard's figures and charts for the agency just before the report's instant
   ``checked_at`` (``compliance.dashboard.dashboard_figures(agency=, now=checked_at − 1 µs)``, so its "today" is
   the as-of day: the very SVGs the dashboard shows, inline; WeasyPrint draws inline SVG);
3. **Open findings**: the findings open at ``checked_at``, oldest first (``compliance.reports.findings``, in the
   report's basis), with the open-at-end age buckets and the resolution times of those closed in the period;
4. **Training roster**: officers by training status on the as-of day
   (``training.roster.selectors.roster_status_counts``);
5. **Detainer log**: the summary counts of the detainer-log report of the same period
   (``compliance.reports.detainer_log.detainer_log_context``'s ``counts``);
6. **Incidents and complaints**: the incident report's summary (``incident_log_context``'s ``counts``);
7. **Outreach and steering committee**: the outreach report's summary (``outreach_context``: counts, meetings
   required against held, members serving).

Summaries only: the long row lists stay in their own reports (named in each section). Nothing personal: counts,
kinds and staff names of who closed findings. Basis: "As effective on" (the other reports' meaning of their
period); the findings section can also be asked "As recorded by".
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from compliance.core.models import Report
from compliance.dashboard import dashboard_figures
from compliance.reports import detainer_log, incident_log, outreach
from compliance.reports.findings import findings_rows, findings_summary, open_findings
from compliance.reports.kinds import Part, ReportKind, ReportRun
from training.roster.selectors import roster_status_counts

TITLE = "Steering-committee review packet"
COVER = "reports/review_packet_cover.html"
FIGURES = "reports/review_packet_figures.html"
FINDINGS = "reports/review_packet_findings.html"
ROSTER = "reports/review_packet_roster.html"
DETAINERS = "reports/review_packet_detainers.html"
INCIDENTS = "reports/review_packet_incidents.html"
OUTREACH = "reports/review_packet_outreach.html"

#: The sections after the cover, in order: (template, contents line, landscape).
SECTIONS = (
    (FIGURES, "Figures and charts", False),
    (FINDINGS, "Open findings", False),
    (ROSTER, "Training roster", False),
    (DETAINERS, "Detainer log summary", False),
    (INCIDENTS, "Incidents and complaints summary", False),
    (OUTREACH, "Outreach and steering committee summary", False),
)


def _plan(run: ReportRun) -> list[Part]:
    parts = [Part(template=COVER, params={"section": "cover"})]
    for template, entry, landscape in SECTIONS:
        parts.append(Part(template=template, params={"section": template}, toc_entry=entry, landscape=landscape))
    return parts


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def fixed_ids(svg: str, *, prefix: str) -> str:
    """``svg`` with each random id pygal draws into it (a UUID per chart, in its ``id`` and its style's selectors)
    replaced by ``<prefix>-<n>``: WeasyPrint names PDF destinations after element ids, and the same report must
    give the same bytes (issue #13 item 3)."""
    names: dict[str, str] = {}
    return _UUID.sub(lambda match: names.setdefault(match.group(0), f"{prefix}-{len(names) + 1}"), svg)


def _figures(run: ReportRun) -> dict:
    # The last instant before checked_at: at the end of the as-of day, the dashboard's "today" is that day.
    figures = dashboard_figures(agency=run.report.agency, now=run.period.checked_at - timedelta(microseconds=1))
    charts = [
        replace(chart, svg=fixed_ids(chart.svg, prefix=f"packet-chart-{number}"))
        for number, chart in enumerate(figures.charts, start=1)
    ]
    return {"figures": figures, "charts": charts}


def _findings(run: ReportRun) -> dict:
    period = run.period
    rows = findings_rows(
        agency=run.report.agency, starts_at=period.starts_at, checked_at=period.checked_at, basis=run.report.basis
    )
    return {
        "summary": findings_summary(rows, starts_at=period.starts_at, checked_at=period.checked_at),
        "open_rows": open_findings(rows, checked_at=period.checked_at),
    }


def _roster(run: ReportRun) -> dict:
    return {"roster": roster_status_counts(agency=run.report.agency, today=run.report.as_of)}


def _detainers(run: ReportRun) -> dict:
    context = detainer_log.detainer_log_context(report=run.report, generated_at=run.period.checked_at)
    return {"counts": context["counts"], "section_title": detainer_log.TITLE}


def _incidents(run: ReportRun) -> dict:
    context = incident_log.incident_log_context(report=run.report, generated_at=run.period.checked_at)
    return {"counts": context["counts"], "deadline": context.get("deadline"), "section_title": incident_log.TITLE}


def _outreach(run: ReportRun) -> dict:
    context = outreach.outreach_context(report=run.report, generated_at=run.period.checked_at)
    keys = ("counts", "committee", "meetings_held", "members")
    return {**{key: context[key] for key in keys}, "section_title": outreach.TITLE}


_CONTEXTS = {
    COVER: lambda run: {},
    FIGURES: _figures,
    FINDINGS: _findings,
    ROSTER: _roster,
    DETAINERS: _detainers,
    INCIDENTS: _incidents,
    OUTREACH: _outreach,
}


def review_packet_section(run: ReportRun, template: str) -> dict:
    """The template context of one section of the packet (``template``: one of this module's templates).

    Raises KeyError for another template. Queries: those of the function the section reuses (module docstring).
    """
    return _CONTEXTS[template](run)


def _part_context(run: ReportRun, part: Part) -> dict:
    return review_packet_section(run, part.template)


KIND = ReportKind(
    title=TITLE,
    plan=_plan,
    part_context=_part_context,
    templates=(COVER, FIGURES, FINDINGS, ROSTER, DETAINERS, INCIDENTS, OUTREACH),
    bases=(Report.Basis.EFFECTIVE.value, Report.Basis.RECORDED.value),
    toc=True,
)
