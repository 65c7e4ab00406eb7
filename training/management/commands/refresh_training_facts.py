"""``python manage.py refresh_training_facts [--agency ID ...]``: recompute every officer's stored training facts.

The safety net of ``training.roster.facts`` (also nightly on beat): writes made
outside the services, or a rule changed in code, are corrected. Idempotent;
run it once after deploying the ``OfficerTrainingFacts`` table.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from training.roster.facts import training_facts_refresh_all


class Command(BaseCommand):
    help = "Recompute every officer's stored training facts (missing course, earliest expiry) for the roster."

    def add_arguments(self, parser):
        parser.add_argument("--agency", type=int, action="append", help="Only this agency's primary key (repeatable).")

    def handle(self, *args, **options):
        with transaction.atomic():
            count = training_facts_refresh_all(agency_ids=options["agency"])
        self.stdout.write(f"Refreshed the training facts of {count} officers.")
