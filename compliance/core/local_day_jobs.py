"""Jobs that act on an agency's local day: once per agency and local date, at a local hour (issue #13 item 6).

Beat starts each such job every hour (``compliance/celery.py``). ``local_day_job_run`` picks the agencies whose
local clock (their ``time_zone``) has reached the job's ``hour`` on their local date and that have no
``JobRun`` row yet for (job, agency, local date), inserts that row (the unique constraint is the claim: two
beats, two workers or a rerun insert it once), runs the job for those agencies only, and stamps the rows
finished. So "reminders at 06:00 local" happen at 06:00 in Guam, in Honolulu and in Adak alike, on a 23- or
25-hour DST day too, once; a job missed at 06:00 (beat down) runs at the next hourly tick of the same local day.

A run row left unfinished (the worker died mid-job) is taken over after ``STALE_AFTER`` by the next tick: every
local-day job is idempotent (notices and reminders under their own unique keys, e-mail at most once through
``compliance.core.mail_outbox``), so finishing it again repeats nothing.

Queries: two for the pick (agencies, today's run rows), one insert per agency and day, one update at the end.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from compliance.core.models import Agency, JobRun

logger = logging.getLogger(__name__)

#: An unfinished run row older than this is taken over by the next tick (longer than any daily job; our choice).
STALE_AFTER = timedelta(hours=2)


def agencies_at_local_hour(*, hour: int, now: datetime) -> dict[int, date]:
    """``{agency id: local date}`` for every agency whose local time at ``now`` is ``hour``:00 or later.

    Args:
        hour: the local hour (0–23) the job is due from, in each agency's own zone.
        now: an aware datetime.

    Returns:
        The agencies past that hour today (local date per agency). One query.
    """
    due = {}
    for agency in Agency.objects.only("pk", "time_zone"):
        local = now.astimezone(agency.zone)
        if local.hour >= hour:
            due[agency.pk] = local.date()
    return due


def local_day_job_claim(*, job: str, hour: int, now: datetime) -> dict[int, date]:
    """Claim today's run of ``job`` for every agency due at ``now`` (local ``hour`` reached, no run row yet).

    Returns ``{agency id: local date}`` this call claimed (inserted, or took over a stale unfinished row).
    """
    due = agencies_at_local_hour(hour=hour, now=now)
    if not due:
        return {}
    runs = {
        (agency_id, day): (finished_at, started_at)
        for agency_id, day, finished_at, started_at in JobRun.objects.filter(
            job=job, agency_id__in=list(due), local_date__in=set(due.values())
        ).values_list("agency_id", "local_date", "finished_at", "started_at")
    }
    claimed = {}
    for agency_id, day in sorted(due.items()):
        run = runs.get((agency_id, day))
        if run is None:
            try:
                with transaction.atomic():
                    JobRun.objects.create(job=job, agency_id=agency_id, local_date=day, started_at=now)
            except IntegrityError:
                continue  # another beat tick or worker claimed it a moment ago
            claimed[agency_id] = day
        elif run[0] is None and run[1] < now - STALE_AFTER:
            took = JobRun.objects.filter(
                job=job, agency_id=agency_id, local_date=day, finished_at__isnull=True, started_at__lt=now - STALE_AFTER
            ).update(started_at=now, attempts=F("attempts") + 1)
            if took:
                logger.warning("Local-day job %s for agency %s, %s: taking over an unfinished run", job, agency_id, day)
                claimed[agency_id] = day
    return claimed


def local_day_job_run(
    *, job: str, hour: int, run: Callable[[set[int], datetime], object], now: datetime | None = None
) -> tuple[dict[int, date], object | None]:
    """Run ``job`` once per agency and local day at local ``hour`` (see the module docstring).

    Args:
        job: the job's name (``JobRun.job``), e.g. ``certification-reminders``.
        hour: the local hour (0–23) it runs from.
        run: ``run(agency_ids, now)`` does the work for those agencies only; its result is returned.
        now: an aware datetime (default: the current time).

    Returns:
        ``(claimed, result)``: the agencies and local dates this call ran, and ``run``'s result (None when
        no agency was due).
    """
    now = now or timezone.now()
    claimed = local_day_job_claim(job=job, hour=hour, now=now)
    if not claimed:
        return {}, None
    result = run(set(claimed), now)
    JobRun.objects.filter(
        job=job, agency_id__in=list(claimed), local_date__in=set(claimed.values()), finished_at__isnull=True
    ).update(finished_at=timezone.now())
    return claimed, result
