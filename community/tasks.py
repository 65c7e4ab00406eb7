"""Celery entry points of the community app. Thin: the work is in each topic's module."""

from celery import shared_task


@shared_task(name="community.tasks.sweep_steering_committee_task")
def sweep_steering_committee_task() -> dict:
    """Beat, daily (``compliance/celery.py``): missed committee meetings → findings; unapproved minutes → reminders.

    No arguments (nothing personal through the broker), counts only
    (``community.steering_committee.sweep.sweep_steering_committee``). Idempotent; no retry: the next
    daily run does what this one could not.
    """
    from community.steering_committee.sweep import sweep_steering_committee

    return sweep_steering_committee()
