"""Celery tasks of the top floor: thin entry points that take ids and call a service."""

from celery import shared_task

from compliance.accounts.inactivity import inactive_accounts_deactivate
from compliance.reports.rendering import report_render


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def render_report_task(report_id: int) -> None:
    """Render ``compliance.Report`` ``report_id`` (see ``report_render``); safe to run twice."""
    report_render(report_id=report_id)


@shared_task(acks_late=True)
def deactivate_inactive_accounts_task() -> int:
    """Deactivate accounts with no sign-in for 90 days (SECURITY.md A8); returns how many. Idempotent."""
    return inactive_accounts_deactivate()
