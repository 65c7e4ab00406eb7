"""Celery entry points of the incidents app: the hold-deadline, consular, release-notice and case-deadline sweeps,
and the corrective-action reminders. Thin."""

from celery import shared_task

from incidents.detainers.sweep import sweep_hold_deadlines


@shared_task(name="incidents.tasks.sweep_hold_deadlines_task")
def sweep_hold_deadlines_task() -> dict:
    """Beat, every 15 minutes (``compliance/celery.py``): warn of near hold deadlines, act on passed ones.

    Takes no arguments, so nothing personal travels through the broker. No
    retry: the next beat run picks up whatever this one did not finish, and
    running twice is harmless (case D4). Returns counts only.
    """
    return sweep_hold_deadlines()


@shared_task(name="incidents.tasks.sweep_consular_notifications_task")
def sweep_consular_notifications_task() -> dict:
    """Beat, every 15 minutes: warn at 24 h, open a finding at 72 h for an outstanding consular duty (R5.5 [U]).

    No arguments, counts only in the result; idempotent (``incidents.consular.services``).
    """
    from incidents.consular.services import sweep_consular_notifications

    return sweep_consular_notifications()


@shared_task(name="incidents.tasks.sweep_release_notices_task")
def sweep_release_notices_task() -> dict:
    """Beat, every 15 minutes: warn once when a release is < 48 h away and ICE is not notified (R4.6).

    No arguments, counts only; idempotent (``incidents.detainers.release_notice``).
    """
    from incidents.detainers.release_notice import sweep_release_notices

    return sweep_release_notices()


@shared_task(name="incidents.tasks.sweep_incident_deadlines_task")
def sweep_incident_deadlines_task() -> dict:
    """Beat, hourly: a finding for each case whose ICE referral is overdue or late, or past its investigation target.

    No arguments, counts only; exactly once per case and kind (``incidents.referrals.deadlines``).
    """
    from incidents.referrals.deadlines import incident_deadlines_sweep

    return incident_deadlines_sweep()


#: Follow-up reminders (corrective actions, commitments) go out at this agency-local hour (our choice: 06:00).
FOLLOW_UP_LOCAL_HOUR = 6


@shared_task(name="incidents.tasks.send_corrective_action_reminders_task")
def send_corrective_action_reminders_task() -> dict:
    """Beat, hourly: once per agency and local day from local ``FOLLOW_UP_LOCAL_HOUR``
    (``compliance.core.local_day_jobs``), remind owners and supervisors of corrective actions (and commitments)
    due within 7 days or overdue.

    No arguments (nothing personal through the broker), counts only (all 0 when no agency was due); at most
    once per action, recipient, kind and day, overdue ones weekly (``incidents.corrective_actions.reminders``).
    No retry: the next run sends an e-mail the server refused.
    """
    from compliance.core.local_day_jobs import local_day_job_run
    from incidents.corrective_actions.reminders import send_corrective_action_reminders

    _, result = local_day_job_run(
        job="follow-up-reminders",
        hour=FOLLOW_UP_LOCAL_HOUR,
        run=lambda agency_ids, now: send_corrective_action_reminders(now=now, agency_ids=agency_ids),
    )
    return result or {"reminders": 0, "recipients": 0, "emails": 0, "failed": 0}
