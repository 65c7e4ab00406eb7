"""Celery tasks of the top floor: thin entry points that take ids and call a service."""

from celery import group, shared_task

from compliance.accounts.inactivity import inactive_accounts_deactivate
from compliance.integrations.webhooks import webhooks_send_due
from compliance.reports import rendering
from compliance.reports.sweep import reports_sweep


def _redelivered(task) -> bool:
    """True when the broker re-delivers ``task``'s message (its worker was lost mid-task: SECURITY.md F-1)."""
    return bool((task.request.delivery_info or {}).get("redelivered"))


@shared_task(bind=True, acks_late=True, soft_time_limit=600, time_limit=660)
def render_report_task(self, report_id: int) -> None:
    """Start report ``report_id``: claim it, then render its parts in parallel (one task each) or, in-process
    (no broker), render it whole here. Safe to run twice (see ``rendering.report_claim``); a re-delivery
    after a lost worker counts as an attempt (bounded by ``rendering.MAX_ATTEMPTS``)."""
    if self.app.conf.task_always_eager:
        rendering.report_render(report_id=report_id)
        return
    report = rendering.report_claim(report_id=report_id, redelivered=_redelivered(self))
    if report is None:
        return
    if report.parts_done >= report.parts_total:
        assemble_report_task.delay(report_id)
        return
    # The long one-off parts (cover, appendix) first, so they render beside the chunks of rows, not after them.
    group(render_report_part_task.s(report_id, number) for number in rendering.report_part_order(report)).apply_async()


@shared_task(bind=True, acks_late=True, soft_time_limit=600, time_limit=660)
def render_report_part_task(self, report_id: int, number: int) -> None:
    """Render part ``number`` of report ``report_id``; the task finishing the last part queues the assembly.

    A re-delivery after a lost worker counts as an attempt of the report (``rendering.report_part_restart``)."""
    if rendering.report_part_render(report_id=report_id, number=number, redelivered=_redelivered(self)):
        assemble_report_task.delay(report_id)


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def assemble_report_task(report_id: int) -> None:
    """Join report ``report_id``'s rendered parts into its PDF (``engine.report_assemble``). Safe to run twice."""
    rendering.report_finish(report_id=report_id)


@shared_task(acks_late=True)
def deactivate_inactive_accounts_task() -> int:
    """Deactivate accounts with no sign-in for 90 days (SECURITY.md A8); returns how many. Idempotent."""
    return inactive_accounts_deactivate()


@shared_task(acks_late=True)
def idempotency_keys_purge_task() -> int:
    """Delete the API's idempotency keys older than ``IDEMPOTENCY_KEY_HOURS``; returns how many. Idempotent."""
    from compliance.api.idempotency import idempotency_keys_purge

    return idempotency_keys_purge()


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def sweep_reports_task() -> dict:
    """Every minute: hand queued reports the broker lost to it again; restart or fail reports stuck rendering.

    Returns the sweep's counts (``compliance.reports.sweep.reports_sweep``). Idempotent; two at once are safe.
    """
    return reports_sweep()


@shared_task
def mail_outbox_sweep_task() -> dict[str, int]:
    """Every 10 minutes (beat): send claimed e-mails not sent yet, mark ones stuck "sending" unconfirmed.

    ``compliance.core.mail_outbox.mail_outbox_flush``; no arguments, counts only (``sent``, ``failed``,
    ``unconfirmed``). At most once per e-mail: a claim that may have been sent is never resent.
    """
    from compliance.core.mail_outbox import mail_outbox_flush

    return mail_outbox_flush()


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def dashboard_rebuild_task(agency_id: int) -> bool:
    """Rebuild the cached part of agency ``agency_id``'s dashboard (queued by a request that served it stale).

    ``compliance.dashboard.figures.dashboard_rebuild``: the agency id only, no personal data; True when it built,
    False when the figures were fresh already (a duplicate) or the agency is gone. Safe to run twice.
    """
    from compliance.dashboard.figures import dashboard_rebuild

    return dashboard_rebuild(agency_id=agency_id)


@shared_task(soft_time_limit=60, time_limit=90)
def dashboard_prewarm_task() -> dict[str, int]:
    """Every 5 minutes (beat): queue a rebuild of the dashboard figures of every agency shown within a day whose
    figures are not fresh (``compliance.dashboard.cache.dashboard_prewarm``); no arguments, counts only. Idempotent:
    the per-agency rebuild lock keeps it to one rebuild per agency at a time."""
    from compliance.dashboard.cache import dashboard_prewarm

    return dashboard_prewarm()


#: The retention purge runs from this agency-local hour, once per agency and local day (our choice: 02:00, quiet).
RETENTION_LOCAL_HOUR = 2


@shared_task(soft_time_limit=3000, time_limit=3300)
def retention_purge_task() -> dict[str, int]:
    """Hourly (beat): for each agency whose local time has reached ``RETENTION_LOCAL_HOUR`` and whose local day has
    had no run yet (``compliance.core.local_day_jobs``), purge its expired personal data in every copy
    (``compliance.retention.purge.retention_purge_agencies``; SECURITY.md G3, D7). No arguments; returns
    ``{"purged": n, "held": n}`` over the agencies run (0 when none was due). Idempotent; a crash mid-way loses
    at most one batch, redone by the next tick (the run row is taken over after 2 hours)."""
    from compliance.core.local_day_jobs import local_day_job_run
    from compliance.retention.purge import retention_purge_agencies

    _, rows = local_day_job_run(job="retention-purge", hour=RETENTION_LOCAL_HOUR, run=retention_purge_agencies)
    rows = rows or []
    return {"purged": sum(r.purged for r in rows), "held": sum(r.held for r in rows)}


@shared_task(soft_time_limit=1800, time_limit=2000)
def retention_purge_shared_task() -> dict[str, int]:
    """Nightly (beat): purge the copies that belong to no one agency — ended sessions, sent e-mail bodies, the
    sign-in logs (``compliance.retention.purge.retention_purge_shared``). No arguments; returns ``{"purged": n}``."""
    from compliance.retention.purge import retention_purge_shared

    return {"purged": sum(r.purged for r in retention_purge_shared())}


#: The MOA requirements are checked from this agency-local hour, once per agency and local day (our choice: 05:00,
#: before the 06:00 digest, so a change of the night reaches the supervisors' digest the same morning).
REQUIREMENTS_LOCAL_HOUR = 5


@shared_task(soft_time_limit=900, time_limit=960)
def requirements_check_task() -> dict[str, int]:
    """Hourly (beat): for each agency whose local time has reached ``REQUIREMENTS_LOCAL_HOUR`` and whose local day has
    had no run yet (``compliance.core.local_day_jobs``), evaluate every active MOA requirement and store what changed
    (``compliance.moa.status.requirements_check``). No arguments; returns ``{"checked", "changed", "notices"}``
    over the agencies run (0 when none was due). Idempotent."""
    from dataclasses import asdict

    from compliance.core.local_day_jobs import local_day_job_run
    from compliance.moa.status import CheckResult, requirements_check_agencies

    _, result = local_day_job_run(job="moa-requirements", hour=REQUIREMENTS_LOCAL_HOUR, run=requirements_check_agencies)
    return asdict(result or CheckResult())


@shared_task(acks_late=True, soft_time_limit=240, time_limit=270)
def send_webhooks_task() -> dict:
    """Every minute: send the due webhook deliveries of feed events (``compliance.integrations.webhooks``).

    Returns the sender's counts. Safe to run in several workers at once (claims skip each other's rows); a run
    lost mid-send leaves its rows to be sent again when their lease ends (at least once, same ``webhook-id``).
    """
    return webhooks_send_due()
