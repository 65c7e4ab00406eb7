"""``manage.py import_detainer_events FILE --agency "PA:Name" [--as USERNAME] [--only-valid-rows]``.

Imports a detainer-log file (CSV/XLSX) as historical facility-level detainer
events for statistics (``incidents.detainer_import.services``): every row or nothing,
every bad row printed; the same file twice into the same agency is refused and
changes nothing. The import record is attributed to ``--as`` (active, may change
records in the agency) or to the system account. Reading the file and the
agency and user look-ups are ``compliance.core.uploads.commands``.
"""

from compliance.core.uploads.commands import FileImportCommand
from incidents.detainer_import.services import detainer_events_import


class Command(FileImportCommand):
    help = "Import a detainer-log CSV/XLSX file as historical detainer events (statistics, no subject data)."
    agency_help = 'The agency as "STATE:Name", e.g. "PA:Bucks County".'
    importer = staticmethod(detainer_events_import)

    def report(self, result, *, path, agency):
        if result.already_imported:
            self.stdout.write(result.errors[0])
            return
        self.report_problems(result, path=path)
        skipped = f", {len(result.skipped)} row error(s) skipped" if result.skipped else ""
        self.stdout.write(
            self.style.SUCCESS(f"Imported {path.name} into {agency}: {result.imported} detainer events{skipped}.")
        )
