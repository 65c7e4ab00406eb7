"""``manage.py run_jobs``: run the scheduled jobs once, now.

The same work beat schedules (compliance/celery.py): the roster's stored
training facts, the certification expiry reminders, the hold-deadline sweep
and the consular-notification sweep. All are idempotent, so running them by
hand (after downtime, after a deploy, or right after loading demo data) never
sends a notice twice. Attributed to the system account, like scheduled runs.
"""

from django.core.management.base import BaseCommand

from incidents.consular import sweep_consular_notifications
from incidents.sweep import sweep_hold_deadlines
from training.facts import training_facts_refresh_all
from training.reminders import send_certification_reminders


class Command(BaseCommand):
    help = (
        "Run the scheduled jobs once: training facts, certification reminders, hold-deadline and consular "
        "sweeps (idempotent)."
    )

    def handle(self, *args, **options):
        facts = training_facts_refresh_all()
        reminders = send_certification_reminders()
        sweep = sweep_hold_deadlines()
        consular = sweep_consular_notifications()
        self.stdout.write(f"Training facts refreshed for {facts} officers.")
        self.stdout.write(f"Reminders: {reminders}.")
        self.stdout.write(
            f"Hold-deadline sweep: {sweep['alerts_sent']} alerts, {sweep['findings_opened']} findings and "
            f"{sweep['incidents_opened']} incidents opened."
        )
        self.stdout.write(
            f"Consular sweep: {consular['warnings_sent']} warnings, {consular['findings_opened']} findings opened."
        )
