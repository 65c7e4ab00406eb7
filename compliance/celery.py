"""Celery application and the beat schedule, kept here as reviewable code.

Without ``REDIS_URL`` tasks run eagerly in-process (see settings); with it a
real worker and a single beat process run the schedule below. A second beat
exits at start (``compliance.core.beat_lock``: a PostgreSQL advisory lock).
"""

import logging
import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")

app = Celery("compliance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@beat_init.connect
def _one_beat_only(sender=None, **kwargs):
    """A second beat (while one holds ``compliance.core.beat_lock``) exits at once instead of scheduling."""
    from compliance.core.beat_lock import beat_lock_take

    if not beat_lock_take():
        logger.error("Another beat holds the beat lock (PostgreSQL advisory lock): this beat exits.")
        raise SystemExit(3)


# Local-day jobs (``compliance.core.local_day_jobs``) are started hourly and act, for each agency, once per
# agency-local day at the local hour named in their task module: 06:00 in every zone (Guam, Honolulu, Adak…),
# across DST changes. Their minutes are spread over the hour so they do not all start at once.
app.conf.beat_schedule = {
    # Hourly; each agency once per local day from 02:00 local (compliance.tasks.RETENTION_LOCAL_HOUR): the retention
    # purge of expired personal data in every copy, records under legal hold skipped (SECURITY.md G3, D7).
    "retention-purge": {
        "task": "compliance.tasks.retention_purge_task",
        "schedule": crontab(minute=25),
    },
    # Nightly: ended sessions, sent e-mail bodies and sign-in logs past every agency's period (no agency of their own).
    "retention-purge-shared": {
        "task": "compliance.tasks.retention_purge_shared_task",
        "schedule": crontab(hour=3, minute=40),
    },
    # Daily at 04:00 UTC: accounts with no sign-in for 90 days are deactivated (SECURITY.md A8).
    "inactive-accounts": {
        "task": "compliance.tasks.deactivate_inactive_accounts_task",
        "schedule": crontab(hour=4, minute=0),
    },
    # Hourly; each agency once per local day from 05:00 local (compliance.tasks.REQUIREMENTS_LOCAL_HOUR): the MOA
    # requirements checked, status changes stored, at-risk ones raised for the 06:00 digest (issue #15 item 1).
    "moa-requirements": {
        "task": "compliance.tasks.requirements_check_task",
        "schedule": crontab(minute=50),
    },
    # Daily at 04:10 UTC: API idempotency keys older than 24 hours are deleted (compliance.api.idempotency).
    "api-idempotency-keys": {
        "task": "compliance.tasks.idempotency_keys_purge_task",
        "schedule": crontab(hour=4, minute=10),
    },
    # Hourly; each agency once per local day from 06:00 local (training.tasks.REMINDER_LOCAL_HOUR): certification
    # expiry notices (90/60/30/7/0 days). The task catches up on thresholds missed while it did not run.
    "certification-expiry-reminders": {
        "task": "training.tasks.send_certification_reminders_task",
        "schedule": crontab(minute=5),
    },
    # Daily at 05:30 UTC: recompute the roster's stored training facts (safety net; idempotent; not per local day).
    "training-facts-refresh": {
        "task": "training.tasks.refresh_training_facts_task",
        "schedule": crontab(hour=5, minute=30),
    },
    # Hourly; each agency once per local day at its first tick after local midnight
    # (training.tasks.LAPSE_LOCAL_HOUR): record newly lapsed certifications with history (case H1). Idempotent.
    "certification-lapses": {
        "task": "training.tasks.record_certification_lapses_task",
        "schedule": crontab(minute=2),
    },
    # Every 15 minutes: hold deadlines about to pass or already passed.
    "detainer-deadline-sweep": {
        "task": "incidents.tasks.sweep_hold_deadlines_task",
        "schedule": crontab(minute="*/15"),
    },
    # Every 15 minutes: consular notification still outstanding 24 h (warn) / 72 h (finding) after booking.
    "consular-notification-sweep": {
        "task": "incidents.tasks.sweep_consular_notifications_task",
        "schedule": crontab(minute="*/15"),
    },
    # Every 15 minutes: a release less than 48 h away and ICE not yet notified (R4.6).
    "release-notice-sweep": {
        "task": "incidents.tasks.sweep_release_notices_task",
        "schedule": crontab(minute="*/15"),
    },
    # Hourly: a case's ICE referral overdue or late, or its investigation past the target → one finding each (R3.5).
    "incident-deadlines-sweep": {
        "task": "incidents.tasks.sweep_incident_deadlines_task",
        "schedule": crontab(minute=20),
    },
    # Hourly; each agency once per local day from 06:00 local (incidents.tasks.FOLLOW_UP_LOCAL_HOUR): corrective
    # actions (and commitments) due within 7 days or overdue (overdue ones weekly); idempotent.
    "corrective-action-reminders": {
        "task": "incidents.tasks.send_corrective_action_reminders_task",
        "schedule": crontab(minute=10),
    },
    # Hourly; each agency once per local day from 06:00 local (community.tasks.COMMITTEE_SWEEP_LOCAL_HOUR): a
    # steering committee past its required interval → a finding; minutes unapproved past the set days → a weekly
    # reminder to the supervisors (R3.6). Idempotent.
    "steering-committee-sweep": {
        "task": "community.tasks.sweep_steering_committee_task",
        "schedule": crontab(minute=15),
    },
    # Every 10 minutes: e-mails claimed but not sent (a worker died before the send, or the server refused) are
    # sent; ones left "sending" past 15 minutes are marked unconfirmed and logged, never resent (at most once).
    "mail-outbox-sweep": {
        "task": "compliance.tasks.mail_outbox_sweep_task",
        "schedule": crontab(minute="*/10"),
    },
    # Every 5 minutes: the dashboard figures of agencies shown within a day and not fresh are rebuilt by a worker
    # (compliance.dashboard.cache.dashboard_prewarm), so a supervisor's first visit finds them built. Idempotent.
    "dashboard-prewarm": {
        "task": "compliance.tasks.dashboard_prewarm_task",
        "schedule": crontab(minute="*/5"),
    },
    # Every minute: queued reports the broker never got (or lost) are handed over again; reports stuck "rendering"
    # past REPORT_RENDER_LIMIT_MINUTES are restarted or failed (compliance.reports.sweep). Idempotent.
    "report-sweep": {
        "task": "compliance.tasks.sweep_reports_task",
        "schedule": crontab(minute="*"),
    },
    # Every minute: due webhook deliveries of feed events are POSTed, signed; failures retried with backoff
    # (compliance.integrations.webhooks). Idempotent; at least once, deduplicated by the event's id.
    "webhook-sender": {
        "task": "compliance.tasks.send_webhooks_task",
        "schedule": crontab(minute="*"),
    },
}
