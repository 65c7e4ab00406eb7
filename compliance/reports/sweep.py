"""The report sweep: the database, not the broker, is the record of report work (issue #13 item 6).

Run every minute by beat (``compliance.tasks.sweep_reports_task``) and by ``manage.py run_jobs``:

- a report still "queued" that was never handed to the broker (the broker was down at request: SECURITY.md
  F-3), or handed over ``REPORT_REDISPATCH_MINUTES`` ago and never started (Redis restarted empty lost the
  message: F-4), is handed over again;
- a report "rendering" with no progress (no claim, no part rendered) for ``REPORT_RENDER_LIMIT_MINUTES``
  (its worker died with the broker unable to re-deliver, or a part ran past its time limit) is queued and
  handed over again — its claim counts one more attempt — or, once it has used ``rendering.MAX_ATTEMPTS``,
  failed with ``rendering.ERR_ATTEMPTS``.

Idempotent and safe with two sweeps at once: each sweep locks the rows it takes with
``select_for_update(skip_locked=True)`` and stamps them (``dispatched_at`` = now) before it commits, so the
other sweep skips them while they are locked and no longer matches them after. Duplicate messages are
harmless: a second start task finds the report rendering and leaves it (``rendering.report_claim``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from compliance.core.models import Report
from compliance.reports.rendering import ERR_ATTEMPTS, MAX_ATTEMPTS, report_fail
from compliance.reports.services import report_dispatch

logger = logging.getLogger(__name__)

#: A report created this recently is still being handed over by its request (``transaction.on_commit``).
DISPATCH_GRACE = timedelta(seconds=30)
#: Reports taken per sweep (the oldest first); the next sweep, a minute later, takes the rest.
BATCH = 200


def reports_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Hand lost report work to the broker again; restart or fail reports stuck rendering.

    Args:
        now: the sweep's instant (aware UTC datetime); default: now.

    Returns:
        Counts: ``dispatched`` (queued reports handed over), ``restarted`` (stuck reports queued again and
        handed over), ``failed`` (stuck reports out of attempts), ``broker_down`` (reports left for the next
        sweep because the broker could not be reached; the sweep stops handing over at the first failure).
    """
    now = now or timezone.now()
    redispatch_before = now - timedelta(minutes=settings.REPORT_REDISPATCH_MINUTES)
    stale_before = now - timedelta(minutes=settings.REPORT_RENDER_LIMIT_MINUTES)
    counts = {"dispatched": 0, "restarted": 0, "failed": 0, "broker_down": 0}
    with transaction.atomic():
        queued = list(
            Report.objects.select_for_update(skip_locked=True)
            .filter(status=Report.Status.QUEUED)
            .filter(
                Q(dispatched_at__isnull=True, created_at__lt=now - DISPATCH_GRACE)
                | Q(dispatched_at__lt=redispatch_before)
            )
            .order_by("created_at")
            .values_list("pk", flat=True)[:BATCH]
        )
        restarted = []
        stuck = (
            Report.objects.select_for_update(skip_locked=True)
            .filter(status=Report.Status.RENDERING, updated_at__lt=stale_before)
            .order_by("created_at")[:BATCH]
        )
        for report in stuck:
            if report.attempts >= MAX_ATTEMPTS:
                report_fail(report, ERR_ATTEMPTS.format(attempts=report.attempts))
                logger.warning("Report %s failed by the sweep after %s attempts", report.public_id, report.attempts)
                counts["failed"] += 1
            else:
                restarted.append(report.pk)
        # Stamp before handing over: a second sweep no longer matches these rows once this one commits.
        Report.objects.filter(pk__in=restarted).update(status=Report.Status.QUEUED, dispatched_at=now, updated_at=now)
        Report.objects.filter(pk__in=queued).update(dispatched_at=now)
    handed = [(pk, "dispatched") for pk in queued] + [(pk, "restarted") for pk in restarted]
    for index, (report_id, outcome) in enumerate(handed):
        if not report_dispatch(report_id=report_id):
            # The broker is down: give the rest back to the next sweep (unless a worker took one meanwhile).
            left = [pk for pk, _outcome in handed[index:]]
            Report.objects.filter(pk__in=left, status=Report.Status.QUEUED, dispatched_at=now).update(
                dispatched_at=None
            )
            counts["broker_down"] = len(left)
            break
        counts[outcome] += 1
    return counts
