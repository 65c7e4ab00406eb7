"""Celery entry points of the training app: expiry reminders, stored training facts, lapses. Thin: rules in services."""

from celery import shared_task

from training.reminders.services import send_certification_reminders


@shared_task(name="training.tasks.send_certification_reminders_task")
def send_certification_reminders_task() -> dict[str, int]:
    """Daily (beat, ``compliance/celery.py``): raise today's expiry notices and send the digests. Safe to run twice.

    Takes no arguments (no personal data in task arguments); returns the run's
    counts (``ReminderRunResult.as_dict``: notices_raised, digests_sent,
    emails_sent, failed).
    """
    return send_certification_reminders().as_dict()


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
    """Daily (beat, ``compliance/celery.py``): record each newly lapsed certification, with history. Idempotent.

    ``training.roster.lapses.certifications_record_lapses`` for every agency on its
    own local date, attributed to the system account (case H1). Returns how
    many certifications were marked; no arguments.
    """
    from training.roster.lapses import certifications_record_lapses

    return certifications_record_lapses()
