"""Celery entry points for detainers. Thin: the rules live in ``incidents.sweep``."""

from celery import shared_task

from incidents.sweep import sweep_hold_deadlines


@shared_task(name="incidents.tasks.sweep_hold_deadlines_task")
def sweep_hold_deadlines_task() -> dict:
    """Beat, every 15 minutes (``compliance/celery.py``): warn of near hold deadlines, act on passed ones.

    Takes no arguments, so nothing personal travels through the broker. No
    retry: the next beat run picks up whatever this one did not finish, and
    running twice is harmless (case D4). Returns counts only.
    """
    return sweep_hold_deadlines()
