"""Request a PDF report: the one write views call; ``compliance.reports.rendering`` renders it in tasks."""

from __future__ import annotations

import logging
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.core import access
from compliance.core.models import Report
from compliance.reports.catalog import KINDS
from compliance.reports.periods import checked_at_for
from compliance.reports.records_request import request_parameters
from incidents.detainers.selectors import subject_detainers
from incidents.detainers.validators import a_number_normalise

logger = logging.getLogger(__name__)

ERR_NO_EXPORT = "You may not export reports for this agency."
ERR_FUTURE = "The report date cannot be after today ({today}) in the agency's time zone."
ERR_PERIOD = "The period cannot start after its last day."
ERR_BASIS = "This report cannot be given {basis}."
#: The task that starts a report (``compliance.tasks.render_report_task``).
RENDER_TASK = "compliance.tasks.render_report_task"
ERR_NOT_FAILED = "Only a report that failed can be tried again."
ERR_RETRIED = "This report was already tried again: see the newer request in the list."
#: What the request answers, by whether the report was handed to the broker (``report_requested_notice``).
NOTICE_QUEUED = "Report requested. It appears below when it is ready."
NOTICE_READY = "Report ready: it is at the top of the list below."
NOTICE_FAILED = "The report could not be made: the reason is in the list below, with a Try again button."
NOTICE_BROKER_DOWN = (
    "Queued. The report service is not reachable right now; it will start automatically when it is back."
)


def report_request(
    *,
    actor,
    agency,
    kind: str,
    as_of: date,
    period_start: date | None = None,
    basis: str | None = None,
    parameters: dict | None = None,
    retry_of: Report | None = None,
) -> Report:
    """Create a queued report and hand it to the broker after commit (``report_dispatch``).

    Args:
        actor: the requesting user; must hold ``export_reports`` in ``agency``.
        agency: the ``compliance.Agency`` the report is about.
        kind: a ``Report.Kind`` value of the catalog (``compliance.reports.catalog.KINDS``).
        as_of: the agency-local date the report describes (its period's last day); not after the agency's today.
        period_start: the period's first agency-local day (inclusive); None: the kind's default. Not kept for a
            snapshot kind (``ReportKind.snapshot``: the training roster).
        basis: a ``Report.Basis`` value the kind offers; None: the kind's default.
        parameters: kind-specific JSON-able parameters, already validated by the form.
        retry_of: the failed report this request tries again (``report_retry``): the new one answers at the same
            instant (its ``checked_at``), so a report of today tried again is the same report, and the failed row
            links to it.

    Returns:
        The new ``Report`` (status "queued", ``checked_at`` fixed now). Queued durably: if the broker is
        down the row stays queued and the sweep hands it over later.

    Raises:
        PermissionDenied: ``actor`` may not export in ``agency`` (case A1).
        ValidationError: unknown ``kind`` or ``basis``, ``as_of`` in the agency's future, a period
            starting after its end.
    """
    if not access.can(actor, access.EXPORT, agency):
        raise PermissionDenied(ERR_NO_EXPORT)
    if kind not in KINDS:
        raise ValidationError({"kind": f"Unknown report kind {kind!r}."})
    spec = KINDS[kind]
    basis = basis or spec.bases[0]
    if basis not in spec.bases:
        raise ValidationError({"basis": ERR_BASIS.format(basis=Report.Basis(basis).label.lower())})
    now = timezone.now()
    today = timezone.localdate(now, timezone=agency.zone)
    if as_of > today:
        raise ValidationError({"as_of": ERR_FUTURE.format(today=today.isoformat())})
    if spec.snapshot:
        period_start = None  # a picture of the last day: no period to keep
    if period_start is not None and period_start > as_of:
        raise ValidationError({"period_start": ERR_PERIOD})
    with transaction.atomic():
        report = Report.objects.create(
            agency=agency,
            kind=kind,
            as_of=as_of,
            period_start=period_start,
            basis=basis,
            parameters=parameters or {},
            checked_at=(retry_of.checked_at if retry_of is not None and retry_of.checked_at else None)
            or checked_at_for(as_of=as_of, zone=agency.zone, requested_at=now),
            requested_by=actor,
            retry_of=retry_of,
        )
        # The outcome is kept on the instance for the request's message (``report_requested_notice``).
        transaction.on_commit(lambda: setattr(report, "handed_over", report_dispatch(report_id=report.pk)))
    return report


ERR_NO_SUBJECT = "No records found for that number in the agencies you may see."
#: The code of ``ERR_NO_SUBJECT``: the page says it as an answer, not as a mistake in what was typed.
NO_RECORDS = "no_records"


def records_request(*, actor, number: str, reference: str = "") -> tuple[list[Report], list]:
    """A records request (issue #14 item 6): one "records request" report per agency holding the subject's detainers.

    Args:
        actor: the requesting user; the look-up reads only agencies where they hold ``export_reports``
            (``compliance.core.access``): another agency's records are neither found nor reported.
        number: the subject's A-number or a booking number, as typed (never stored: each ``Report`` keeps the
            matched detainers' public ids, ``records_request.request_parameters``).
        reference: the requester's reference of the request (e.g. PRR-2026-0077, checked by
            ``RecordsRequestForm``), kept on each report; "" for none.

    Returns:
        (the queued reports, one per agency in agency order; the detainers found), from one transaction: every
        report is handed to the broker after commit (``report_request``).

    Raises:
        ValidationError: ``{"number": ERR_NO_SUBJECT}`` (code ``NO_RECORDS``) when nothing matches in the actor's
            agencies.
    """
    detainers = subject_detainers(agency_ids=access.agency_ids_for(actor, access.EXPORT), number=number)
    if not detainers:
        raise ValidationError({"number": ValidationError(ERR_NO_SUBJECT, code=NO_RECORDS)})
    try:
        is_a_number = bool(a_number_normalise(number))
    except ValidationError:
        is_a_number = False
    by_agency: dict = {}
    for detainer in detainers:
        by_agency.setdefault(detainer.agency, []).append(detainer)
    reports = []
    with transaction.atomic():
        for agency, found in by_agency.items():
            reports.append(
                report_request(
                    actor=actor,
                    agency=agency,
                    kind=Report.Kind.RECORDS_REQUEST,
                    as_of=timezone.localdate(timezone=agency.zone),
                    parameters=request_parameters(
                        detainers=found, number_was_a_number=is_a_number, reference=reference
                    ),
                )
            )
    return reports, detainers


def report_dispatch(*, report_id: int) -> bool:
    """Hand report ``report_id`` to the broker and record when; False (logged, row left queued) if it is down.

    The row, not the broker, is the record of the work: a queued report never handed over (broker down,
    or Redis restarted empty) is handed over again by the sweep.
    """
    # By name from the app's registry, not by import: compliance.tasks imports the sweep, which imports this module.
    from compliance.celery import app

    try:
        if RENDER_TASK not in app.tasks:
            app.loader.import_default_modules()  # a web process loads the autodiscovered task modules on first use
        app.tasks[RENDER_TASK].apply_async((report_id,), retry=False)
    except Exception as exc:  # kombu OperationalError, redis ConnectionError, socket errors
        logger.warning("Report %s not handed to the broker: %s: %s", report_id, type(exc).__name__, exc)
        return False
    Report.objects.filter(pk=report_id, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return True


def report_retry(*, actor, report: Report) -> Report:
    """Request failed report ``report`` again: a new report of the same kind, agency, period, as-of, basis and
    parameters (``report_request``, so ``actor``'s permission and the dates are checked again).

    Returns the new queued ``Report`` (its ``retry_of`` is ``report``, and it answers at ``report``'s instant); the
    failed one stays as it is (its reason remains on the list, with a link to the new request).

    Raises:
        ValidationError: ``report`` did not fail (``ERR_NOT_FAILED``), was already tried again (``ERR_RETRIED``),
            or ``report_request``'s checks.
        PermissionDenied: ``actor`` may no longer export in the report's agency.
    """
    if report.status != Report.Status.FAILED:
        raise ValidationError(ERR_NOT_FAILED)
    if report.retries.exists():
        raise ValidationError(ERR_RETRIED)
    return report_request(
        actor=actor,
        agency=report.agency,
        kind=report.kind,
        as_of=report.as_of,
        period_start=report.period_start,
        basis=report.basis,
        parameters=report.parameters,
        retry_of=report,
    )


def report_requested_notice(report: Report) -> tuple[bool, str]:
    """What to tell the person who just requested ``report`` (from ``report_request``): (handed over?, message).

    Call after the request's transaction committed (``report_dispatch`` ran on commit and its outcome is on
    the instance). A report the broker could not take (it is down) is still queued durably: the message says
    it will start by itself (the report sweep hands it over when the broker is back). When the hand-over has
    not run yet (the caller is inside an outer transaction), the report is simply "requested".
    """
    if getattr(report, "handed_over", None) is False:
        return False, NOTICE_BROKER_DOWN
    # Rendered in the request already (in-process tasks: ``make run``, tests without a worker): say so.
    report.refresh_from_db(fields=["status"])
    if report.status == Report.Status.READY:
        return True, NOTICE_READY
    if report.status == Report.Status.FAILED:
        return False, NOTICE_FAILED
    return True, NOTICE_QUEUED
