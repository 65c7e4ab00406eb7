"""Celery entry points of the community app. Thin: the work is in each topic's module."""

from celery import shared_task

#: The steering-committee sweep runs at this agency-local hour (our choice: 06:00, with the other reminders).
COMMITTEE_SWEEP_LOCAL_HOUR = 6


@shared_task(name="community.tasks.sweep_steering_committee_task")
def sweep_steering_committee_task() -> dict:
    """Beat, hourly (``compliance/celery.py``): once per agency and local day from local
    ``COMMITTEE_SWEEP_LOCAL_HOUR`` (``compliance.core.local_day_jobs``), missed committee meetings → findings;
    unapproved minutes → reminders.

    No arguments (nothing personal through the broker), counts only, all 0 when no agency was due
    (``community.steering_committee.sweep.sweep_steering_committee``). Idempotent; no retry: the next
    run does what this one could not.
    """
    from community.steering_committee.sweep import sweep_steering_committee
    from compliance.core.local_day_jobs import local_day_job_run

    _, result = local_day_job_run(
        job="steering-committee-sweep",
        hour=COMMITTEE_SWEEP_LOCAL_HOUR,
        run=lambda agency_ids, now: sweep_steering_committee(now=now, agency_ids=agency_ids),
    )
    return result or {"opened": 0, "reopened": 0, "resolved": 0, "reminders": 0, "emails": 0}
