"""Render a requested PDF report (``compliance.tasks.render_report_task`` calls ``report_render``)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from compliance.core.models import Report
from compliance.reports import detainer_log, incident_log, outreach, training_roster
from compliance.reports.pdf import pdf_render

logger = logging.getLogger(__name__)

ERR_FAILED = "Rendering failed ({error}). Request the report again; if it fails again, tell the administrator."


@dataclass(frozen=True)
class ReportKind:
    template: str
    context: object  # callable(report=, generated_at=) -> dict


KINDS: dict[str, ReportKind] = {
    Report.Kind.TRAINING_ROSTER: ReportKind(training_roster.TEMPLATE, training_roster.training_roster_context),
    Report.Kind.DETAINER_LOG: ReportKind(detainer_log.TEMPLATE, detainer_log.detainer_log_context),
    Report.Kind.INCIDENT_LOG: ReportKind(incident_log.TEMPLATE, incident_log.incident_log_context),
    Report.Kind.OUTREACH: ReportKind(outreach.TEMPLATE, outreach.outreach_context),
}


def report_render(*, report_id: int) -> Report:
    """Render report ``report_id`` to PDF, store it privately, record SHA-256 and page count.

    Status goes queued → rendering → ready (or failed, with a short error that
    holds no personal data; the traceback goes to the log). Safe to run twice:
    a report already "ready" is returned untouched.

    Args:
        report_id: the ``Report`` primary key (tasks carry ids, never data).

    Returns:
        The ``Report`` after rendering.

    Raises:
        Report.DoesNotExist: no such report.
    """
    with transaction.atomic():
        # Row lock: a re-delivered task and the first run must not both render.
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.status == Report.Status.READY:
            return report
        report.status = Report.Status.RENDERING
        report.started_at = timezone.now()
        report.finished_at = None
        report.error = ""
        report.save(update_fields=["status", "started_at", "finished_at", "error", "updated_at"])
    report = Report.objects.select_related("agency", "requested_by").get(pk=report_id)
    try:
        kind = KINDS[report.kind]
        html = render_to_string(kind.template, kind.context(report=report, generated_at=report.started_at))
        rendered = pdf_render(html)
    except Exception as exc:
        logger.exception("Report %s (%s) failed to render", report.public_id, report.kind)
        report.status = Report.Status.FAILED
        report.error = ERR_FAILED.format(error=type(exc).__name__)
        report.finished_at = timezone.now()
        report.save(update_fields=["status", "error", "finished_at", "updated_at"])
        return report
    if rendered.refused_urls:
        logger.warning("Report %s: refused %d URL(s) while rendering", report.public_id, len(rendered.refused_urls))
    report.file.save(f"{report.kind}-{report.public_id}.pdf", ContentFile(rendered.content), save=False)
    report.sha256 = hashlib.sha256(rendered.content).hexdigest()
    report.page_count = rendered.page_count
    report.status = Report.Status.READY
    report.finished_at = timezone.now()
    report.save()
    return report
