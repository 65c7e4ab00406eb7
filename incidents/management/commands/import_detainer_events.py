"""``manage.py import_detainer_events FILE --agency "PA:Name" [--as USERNAME] [--only-valid-rows]``.

Imports a detainer-log file (CSV/XLSX) as historical facility-level detainer
events for statistics (``incidents.detainer_import.services``): every row or nothing,
every bad row printed; the same file twice into the same agency is refused and
changes nothing. The import record is attributed to ``--as`` (active, may change
records in the agency) or to the system account.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.core.uploads.tables import ENCODINGS
from incidents.detainer_import.services import detainer_events_import
from training.management.commands.import_roster import Command as RosterCommand


class Command(BaseCommand):
    help = "Import a detainer-log CSV/XLSX file as historical detainer events (statistics, no subject data)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV or XLSX file.")
        parser.add_argument("--agency", required=True, help='The agency as "STATE:Name", e.g. "PA:Bucks County".')
        parser.add_argument("--as", dest="as_user", help="Username the import is attributed to (default: system).")
        parser.add_argument("--encoding", choices=sorted(ENCODINGS), default="utf-8")
        parser.add_argument("--only-valid-rows", action="store_true", help="Import the valid rows; skip the others.")

    def handle(self, *args, file, agency, as_user, encoding, only_valid_rows=False, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        # The agency and user look-ups are the roster command's (same rules, same messages).
        target = RosterCommand._agency(self, agency)
        actor = RosterCommand._actor(self, as_user, target)
        result = detainer_events_import(
            actor=actor,
            agency=target,
            data=data,
            file_name=path.name,
            encoding=encoding,
            only_valid_rows=only_valid_rows,
        )
        if result.already_imported:
            self.stdout.write(result.errors[0])
            return
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"Nothing imported: {len(result.errors)} problem(s) in {path.name}.")
        for error in result.skipped:
            self.stderr.write(f"Skipped: {error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {path.name} into {target}: {result.imported} detainer events"
                + (f", {len(result.skipped)} row error(s) skipped" if result.skipped else "")
                + "."
            )
        )
