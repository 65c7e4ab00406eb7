"""``manage.py run_jobs``: run the scheduled jobs once, now.

The same work beat schedules (compliance/celery.py): the certification expiry
reminders and the hold-deadline sweep. Both are idempotent, so running them by
hand (after downtime, or right after loading demo data) never sends a notice
twice. Attributed to the system account, like the scheduled runs.
"""

from django.core.management.base import BaseCommand

from incidents.sweep import sweep_hold_deadlines
from training.reminders import send_certification_reminders


class Command(BaseCommand):
    help = "Run the certification reminders and the hold-deadline sweep once (idempotent)."

    def handle(self, *args, **options):
        sent = send_certification_reminders()
        sweep = sweep_hold_deadlines()
        self.stdout.write(
            f"Reminders sent: {sent}. Hold-deadline sweep: {sweep['alerts_sent']} alerts, "
            f"{sweep['findings_opened']} findings and {sweep['incidents_opened']} incidents opened."
        )
