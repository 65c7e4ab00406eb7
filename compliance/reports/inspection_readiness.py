"""Report "Inspection readiness": one agreement's requirements over a period, with their evidence (issue #15 item 2).

What an ICE OPR inspection checks, clause by clause (DOMAIN.md §6.4 item 7, §6.2 OIG-11-119): the content is
``compliance.moa.inspection.inspection_context`` — the same builder as the inspection page
(``compliance.views.inspection``), so the page and the PDF say the same.

Parts: the cover (agency, agreement: model, signed, expires, status; the period; the as-of instant; the summary:
requirements met / at risk / not met / not checked, findings, open findings, requirements not yet confirmed
against the signed MOA), the contents, then one part per MOA clause (its requirements, each with status, reason,
evidence, documents, status changes and findings with what was done), each a line in the contents.

The agreement is the kind's parameter: ``Report.parameters == {"agreement": "<public id>"}`` (``parameters``
below); an agreement of another agency, or none, gives a report that says so instead of failing. Reproducible as
the other reports: everything is read at ``Report.checked_at`` (the builder reads records as they stood then).
"""

from __future__ import annotations

import uuid

from compliance.core.models import Agreement, Report
from compliance.moa.evidence import Period
from compliance.moa.inspection import clause_label, inspection_clauses, inspection_context
from compliance.reports.kinds import Part, ReportKind, ReportRun

TITLE = "Inspection readiness"
COVER = "reports/inspection_readiness_cover.html"
CLAUSE = "reports/inspection_readiness_clause.html"


def parameters(agreement: Agreement) -> dict:
    """What a ``Report`` keeps of the agreement: its public id (text)."""
    return {"agreement": str(agreement.public_id)}


def report_agreement(report: Report) -> Agreement | None:
    """The agreement named by ``report.parameters`` within ``report.agency``; None if absent or not a UUID."""
    try:
        public_id = uuid.UUID(str(report.parameters.get("agreement", "")))
    except ValueError:
        return None
    return Agreement.objects.select_related("agency").filter(agency=report.agency, public_id=public_id).first()


def _period(run: ReportRun) -> Period:
    return Period(start=run.period.first_day, end=run.period.last_day, as_of=run.period.checked_at)


def _plan(run: ReportRun) -> list[Part]:
    parts = [Part(template=COVER, params={"section": "cover"})]
    agreement = report_agreement(run.report)
    if agreement is None:
        return parts
    for clause in inspection_clauses(agreement=agreement, at=run.period.checked_at, basis=run.report.basis):
        parts.append(Part(template=CLAUSE, params={"clause": clause}, toc_entry=clause_label(clause)))
    return parts


def _part_context(run: ReportRun, part: Part) -> dict:
    agreement = report_agreement(run.report)
    if agreement is None:
        return {"inspection": None}
    clause = part.params.get("clause")
    return inspection_context(
        agreement=agreement, period=_period(run), basis=run.report.basis, clauses=[clause] if clause else None
    )


KIND = ReportKind(
    title=TITLE,
    plan=_plan,
    part_context=_part_context,
    templates=(COVER, CLAUSE),
    bases=(Report.Basis.EFFECTIVE.value, Report.Basis.RECORDED.value),
    toc=True,
)
