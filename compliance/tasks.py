"""Celery tasks of the top floor: thin entry points that take ids and call a service."""

from celery import group, shared_task

from compliance.accounts.inactivity import inactive_accounts_deactivate
from compliance.reports import rendering


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def render_report_task(report_id: int) -> None:
    """Start report ``report_id``: claim it, then render its parts in parallel (one task each) or, in-process
    (no broker), render it whole here. Safe to run twice (see ``rendering.report_claim``)."""
    if render_report_task.app.conf.task_always_eager:
        rendering.report_render(report_id=report_id)
        return
    report = rendering.report_claim(report_id=report_id)
    if report is None:
        return
    if report.parts_done >= report.parts_total:
        assemble_report_task.delay(report_id)
        return
    group(render_report_part_task.s(report_id, number) for number in range(report.parts_total)).apply_async()


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def render_report_part_task(report_id: int, number: int) -> None:
    """Render part ``number`` of report ``report_id``; the task finishing the last part queues the assembly."""
    if rendering.report_part_render(report_id=report_id, number=number):
        assemble_report_task.delay(report_id)


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def assemble_report_task(report_id: int) -> None:
    """Join report ``report_id``'s rendered parts into its PDF (``engine.report_assemble``). Safe to run twice."""
    rendering.report_finish(report_id=report_id)


@shared_task(acks_late=True)
def deactivate_inactive_accounts_task() -> int:
    """Deactivate accounts with no sign-in for 90 days (SECURITY.md A8); returns how many. Idempotent."""
    return inactive_accounts_deactivate()


@shared_task
def mail_outbox_sweep_task() -> dict[str, int]:
    """Every 10 minutes (beat): send claimed e-mails not sent yet, mark ones stuck "sending" unconfirmed.

    ``compliance.core.mail_outbox.mail_outbox_flush``; no arguments, counts only (``sent``, ``failed``,
    ``unconfirmed``). At most once per e-mail: a claim that may have been sent is never resent.
    """
    from compliance.core.mail_outbox import mail_outbox_flush

    return mail_outbox_flush()
