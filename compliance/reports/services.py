"""Request a PDF report: the one write views call; ``compliance.reports.rendering`` renders it in a task."""

from __future__ import annotations

from datetime import date
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.core import access
from compliance.core.models import Report
from compliance.reports.rendering import KINDS
from compliance.tasks import render_report_task

ERR_NO_EXPORT = "You may not export reports for this agency."

ERR_FUTURE = "The report date cannot be after today ({today}) in the agency's time zone."


def report_request(*, actor, agency, kind: str, as_of: date) -> Report:
    """Create a queued report and have it rendered after commit.

    Args:
        actor: the requesting user; must hold ``export_reports`` in ``agency``.
        agency: the ``compliance.Agency`` the report is about.
        kind: a ``Report.Kind`` value.
        as_of: the agency-local date the report describes; not after the agency's today.

    Returns:
        The new ``Report`` (status "queued"). ``compliance.tasks.render_report_task``
        is queued with its id on commit (eagerly in-process without ``REDIS_URL``).

    Raises:
        PermissionDenied: ``actor`` may not export in ``agency`` (case A1: only
            agency object permissions count, never a model-wide one).
        ValidationError: unknown ``kind``, or ``as_of`` in the agency's future.
    """
    if not access.can(actor, access.EXPORT, agency):
        raise PermissionDenied(ERR_NO_EXPORT)
    if kind not in KINDS:
        raise ValidationError({"kind": f"Unknown report kind {kind!r}."})
    today = timezone.localdate(timezone=agency.zone)
    if as_of > today:
        raise ValidationError({"as_of": ERR_FUTURE.format(today=today.isoformat())})
    with transaction.atomic():
        report = Report.objects.create(agency=agency, kind=kind, as_of=as_of, requested_by=actor)
        transaction.on_commit(partial(render_report_task.delay, report.pk))
    return report
