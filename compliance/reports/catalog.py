"""The report catalog: every report kind, by ``Report.Kind`` value (issue #13 item 2)."""

from __future__ import annotations

from compliance.core.models import Report
from compliance.reports import detainer_log, incident_log, outreach, training_roster
from compliance.reports.kinds import ReportKind, single_part

EFFECTIVE, RECORDED = Report.Basis.EFFECTIVE.value, Report.Basis.RECORDED.value

KINDS: dict[str, ReportKind] = {
    Report.Kind.TRAINING_ROSTER: training_roster.kind(),
    Report.Kind.DETAINER_LOG: single_part(
        title=detainer_log.TITLE, template=detainer_log.TEMPLATE, context=detainer_log.detainer_log_context
    ),
    Report.Kind.INCIDENT_LOG: single_part(
        title=incident_log.TITLE,
        template=incident_log.TEMPLATE,
        context=incident_log.incident_log_context,
        bases=(RECORDED,),
    ),
    Report.Kind.OUTREACH: single_part(
        title=outreach.TITLE, template=outreach.TEMPLATE, context=outreach.outreach_context, bases=(RECORDED,)
    ),
}
