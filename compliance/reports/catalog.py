"""The report catalog: every report kind, by ``Report.Kind`` value (issue #13 item 2)."""

from __future__ import annotations

from compliance.core.models import Report
from compliance.reports import (
    access_log,
    audit_trail,
    detainer_log,
    findings,
    incident_log,
    inspection_readiness,
    outreach,
    records_request,
    review_packet,
    training_roster,
)
from compliance.reports.kinds import ReportKind, single_part

EFFECTIVE, RECORDED = Report.Basis.EFFECTIVE.value, Report.Basis.RECORDED.value

KINDS: dict[str, ReportKind] = {
    Report.Kind.TRAINING_ROSTER: training_roster.kind(),
    Report.Kind.DETAINER_LOG: detainer_log.KIND,
    Report.Kind.INCIDENT_LOG: single_part(
        title=incident_log.TITLE,
        template=incident_log.TEMPLATE,
        context=incident_log.incident_log_context,
        bases=(RECORDED,),
    ),
    Report.Kind.OUTREACH: single_part(
        title=outreach.TITLE, template=outreach.TEMPLATE, context=outreach.outreach_context, bases=(RECORDED,)
    ),
    Report.Kind.FINDINGS: findings.KIND,
    Report.Kind.ACCESS_LOG: access_log.KIND,
    Report.Kind.AUDIT_TRAIL: audit_trail.KIND,
    Report.Kind.REVIEW_PACKET: review_packet.KIND,
    Report.Kind.RECORDS_REQUEST: records_request.KIND,
    Report.Kind.INSPECTION_READINESS: inspection_readiness.KIND,
}
