"""Render a requested report: claim it, render its parts, assemble (``compliance.tasks`` calls these).

Status goes queued → rendering → ready, or failed with a reason a user can read (no personal data; the
traceback goes to the log). ``attempts`` counts the starts: the first claim, every restart by the report
sweep (``compliance.reports.sweep``) and every re-delivery of a task whose worker was lost mid-task (Celery
re-delivers it: ``task_acks_late`` + ``task_reject_on_worker_lost``; the broker marks it "redelivered"). A
report whose rendering keeps killing its worker is failed after ``MAX_ATTEMPTS`` with ``ERR_ATTEMPTS``
instead of being re-delivered forever (issue #13 item 6, SECURITY.md F-1).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from compliance.core.failpoints import pause_point
from compliance.core.models import Report, ReportPart
from compliance.reports.engine import (
    part_order,
    part_render,
    plan_dump,
    plan_load,
    report_assemble,
    report_parts,
    report_run,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
ERR_FAILED = "Rendering failed ({error}). Try again; if it fails again, tell the administrator."
ERR_ATTEMPTS = (
    "The renderer stopped {attempts} times without finishing (its worker was lost or ran out of time). "
    "Try again; if it stops again, tell the administrator."
)


def report_claim(*, report_id: int, redelivered: bool = False) -> Report | None:
    """Start (or restart) rendering report ``report_id``: count the attempt, plan its parts.

    Args:
        report_id: the report's primary key.
        redelivered: True when the broker re-delivers the start task after its worker was lost; a report
            already "rendering" is then restarted (one more attempt). A duplicate start task that is not a
            re-delivery (the sweep handed over a report whose first message was only slow) leaves a
            rendering report alone.

    The first claim plans the report and stores the plan (``Report.plan``); a restart keeps it.

    Returns the report in status "rendering" with ``plan`` and ``parts_total`` set, or None when there is nothing to
    do (already ready or failed, already rendering, or out of attempts — then failed with ``ERR_ATTEMPTS``).
    """
    with transaction.atomic():
        # Row lock: a re-delivered task and the first run must not both start.
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.status in (Report.Status.READY, Report.Status.FAILED):
            return None
        if report.status == Report.Status.RENDERING and not redelivered:
            return None
        if report.attempts >= MAX_ATTEMPTS:
            report_fail(report, ERR_ATTEMPTS.format(attempts=report.attempts))
            return None
        report.status = Report.Status.RENDERING
        report.attempts += 1
        report.started_at = timezone.now()
        report.finished_at = None
        report.error = ""
        report.save(update_fields=["status", "attempts", "started_at", "finished_at", "error", "updated_at"])
    report = Report.objects.select_related("agency", "requested_by").get(pk=report_id)
    # Planned once: a restart keeps the plan its rendered parts were made from (``engine.report_parts``).
    parts = report_parts(report_run(report))
    if not report.plan:
        report.plan = plan_dump(parts)
    done = ReportPart.objects.filter(report_id=report_id).count()
    Report.objects.filter(pk=report_id).update(plan=report.plan, parts_total=len(parts), parts_done=done)
    report.parts_total, report.parts_done = len(parts), done
    return report


def report_part_order(report: Report) -> list[int]:
    """The part numbers of claimed ``report`` in the order its part tasks are queued (``engine.part_order``:
    the one-off sections first, then the chunks of rows)."""
    return part_order(plan_load(report.plan))


def report_part_restart(*, report_id: int) -> bool:
    """Count one more attempt for report ``report_id`` because a part task was re-delivered (its worker was lost).

    Returns True when the part may render again, False when the report is no longer rendering or has used
    its ``MAX_ATTEMPTS`` (then it is failed with ``ERR_ATTEMPTS`` — the bound that stops a part which kills
    its worker from being re-delivered for ever).
    """
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.status != Report.Status.RENDERING:
            return False
        if report.attempts >= MAX_ATTEMPTS:
            report_fail(report, ERR_ATTEMPTS.format(attempts=report.attempts))
            return False
        report.attempts += 1
        report.save(update_fields=["attempts", "updated_at"])
    return True


def report_fail(report: Report, reason: str) -> None:
    """Mark ``report`` failed with ``reason`` (shown to the user) and drop its rendered parts and its plan."""
    report.status = Report.Status.FAILED
    report.error = reason
    report.finished_at = timezone.now()
    report.plan = []  # a failed report is never rendered again ("Try again" requests a new one)
    report.save(update_fields=["status", "error", "finished_at", "plan", "updated_at"])
    for part in ReportPart.objects.filter(report_id=report.pk):
        part.file.delete(save=False)
    ReportPart.objects.filter(report_id=report.pk).delete()


def report_render(*, report_id: int) -> Report:
    """Render report ``report_id`` here, part after part, and assemble it (in-process and in tests).

    Returns the ``Report`` after rendering (ready, failed, or untouched if already finished).

    Raises:
        Report.DoesNotExist: no such report.
    """
    try:
        report = report_claim(report_id=report_id)
    except Exception as exc:  # an unknown kind, a plan that cannot be made
        logger.exception("Report %s could not be planned", report_id)
        report = Report.objects.get(pk=report_id)
        report_fail(report, ERR_FAILED.format(error=type(exc).__name__))
        return report
    if report is None:
        return Report.objects.get(pk=report_id)
    try:
        for number in range(report.parts_total):
            part_render(report_id=report_id, number=number)
        return report_assemble(report_id=report_id)
    except Exception as exc:
        logger.exception("Report %s (%s) failed to render", report.public_id, report.kind)
        report = Report.objects.get(pk=report_id)
        report_fail(report, ERR_FAILED.format(error=type(exc).__name__))
        return report


def report_part_render(*, report_id: int, number: int, redelivered: bool = False) -> bool:
    """Render one part of a report in a worker; a failure fails the report with its reason.

    ``redelivered``: the broker re-delivers this part's task after its worker was lost mid-task; it counts
    as one more attempt (``report_part_restart``), so a part that kills its worker fails the report after
    ``MAX_ATTEMPTS`` starts.

    Returns True when this call rendered the last missing part (its caller then queues the assembly),
    False otherwise (more parts to come, the part was already rendered, or the report is no longer
    rendering).
    """
    report = Report.objects.filter(pk=report_id).only("status", "public_id", "kind").first()
    if report is None or report.status != Report.Status.RENDERING:
        return False
    # A re-delivered part that a lost worker never finished is a new start; one that did finish is not.
    restarting = redelivered and not ReportPart.objects.filter(report_id=report_id, number=number).exists()
    if restarting and not report_part_restart(report_id=report_id):
        return False
    try:
        pause_point(f"report-part-{number}")  # tests only: hold here so a fault test can kill this worker child
        _part, last = part_render(report_id=report_id, number=number)
    except Exception as exc:
        logger.exception("Report %s (%s): part %s failed to render", report.public_id, report.kind, number)
        report_fail(Report.objects.get(pk=report_id), ERR_FAILED.format(error=type(exc).__name__))
        return False
    return last


def report_finish(*, report_id: int) -> Report:
    """Assemble a report whose parts are all rendered (a worker's last step); failures fail the report."""
    report = Report.objects.get(pk=report_id)
    if report.status != Report.Status.RENDERING:
        return report
    try:
        return report_assemble(report_id=report_id)
    except Exception as exc:
        logger.exception("Report %s (%s) failed to assemble", report.public_id, report.kind)
        report_fail(report, ERR_FAILED.format(error=type(exc).__name__))
        return report
