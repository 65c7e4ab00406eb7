"""Celery entry points for the training app. Thin: the rules live in ``training.reminders``."""

from celery import shared_task

from training.reminders import send_certification_reminders


@shared_task(name="training.tasks.send_certification_reminders_task")
def send_certification_reminders_task() -> int:
    """Daily (beat, ``compliance/celery.py``): send the expiry notices due today. Safe to run twice.

    Takes no arguments (no personal data in task arguments); returns how many notices it sent.
    """
    return send_certification_reminders()
