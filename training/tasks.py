"""Celery entry points of the training app: expiry reminders, stored training facts, lapses. Thin: rules in services."""

from celery import shared_task

from compliance.core.local_day_jobs import local_day_job_run
from training.reminders.services import ReminderRunResult, send_certification_reminders

#: Expiry notices go out at this agency-local hour, once per agency and local day (our choice: 06:00).
REMINDER_LOCAL_HOUR = 6
#: Lapses are recorded at the first hourly tick of each agency-local day (the day after the last valid one).
LAPSE_LOCAL_HOUR = 0


@shared_task(name="training.tasks.send_certification_reminders_task")
def send_certification_reminders_task() -> dict[str, int]:
    """Hourly (beat, ``compliance/celery.py``): for each agency whose local time has reached
    ``REMINDER_LOCAL_HOUR`` and whose local day has not had its run yet (``compliance.core.local_day_jobs``),
    raise today's expiry notices and send the digests. Safe to run twice.

    Takes no arguments (no personal data in task arguments); returns the run's
    counts (``ReminderRunResult.as_dict``: notices_raised, digests_sent,
    emails_sent, failed), all 0 when no agency was due.
    """
    _, result = local_day_job_run(
        job="certification-reminders",
        hour=REMINDER_LOCAL_HOUR,
        run=lambda agency_ids, now: send_certification_reminders(now=now, agency_ids=agency_ids),
    )
    return (result or ReminderRunResult()).as_dict()


@shared_task(name="training.tasks.refresh_training_facts_task")
def refresh_training_facts_task() -> int:
    """Nightly (beat, ``compliance/celery.py``): recompute every officer's stored training facts. Idempotent.

    The safety net of ``training.roster.facts`` (every service write refreshes them
    already). Returns how many officers were refreshed; no arguments.
    """
    from django.db import transaction

    from training.roster.facts import training_facts_refresh_all

    with transaction.atomic():
        return training_facts_refresh_all()


@shared_task(name="training.tasks.record_certification_lapses_task")
def record_certification_lapses_task() -> int:
    """Hourly (beat, ``compliance/celery.py``): once per agency and local day, from local ``LAPSE_LOCAL_HOUR``
    (``compliance.core.local_day_jobs``), record each newly lapsed certification, with history. Idempotent.

    ``training.roster.lapses.certifications_record_lapses`` for each due agency on its
    own local date, attributed to the system account (case H1). Returns how
    many certifications were marked; no arguments.
    """
    from compliance.core.models import Agency
    from training.roster import rules
    from training.roster.lapses import certifications_record_lapses

    def run(agency_ids: set[int], now) -> int:
        return sum(
            certifications_record_lapses(today=rules.agency_today(agency, now), agency=agency)
            for agency in Agency.objects.filter(pk__in=agency_ids).order_by("pk")
        )

    _, marked = local_day_job_run(job="certification-lapses", hour=LAPSE_LOCAL_HOUR, run=run)
    return marked or 0
