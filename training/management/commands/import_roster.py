"""``python manage.py import_roster FILE --agency "TX:Alder County Sheriff's Office" [--as USERNAME]``.

Imports a roster CSV or Excel (.xlsx) file with the same service as the import
page (all rows or none, every bad row printed; ``--only-valid-rows`` imports
the rows without an error and prints the skipped ones). History rows are attributed to ``--as`` (who must
be active and may change records in the agency) or, without it, to the system
account (case H3). Reading the file and the agency and user look-ups are
``compliance.core.uploads.commands``.
"""

from compliance.core.uploads.commands import FileImportCommand
from training.imports.services import roster_import


class Command(FileImportCommand):
    help = "Import a training roster CSV or XLSX file into an agency (every row or nothing)."
    file_help = "Path of the CSV file."
    agency_help = 'The agency as "STATE:Name", e.g. "TX:Alder County SO".'
    as_help = "Username the changes are attributed to (default: system)."
    only_valid_help = "Import the rows without an error; skip the others."
    importer = staticmethod(roster_import)

    def report(self, result, *, path, agency):
        self.report_problems(result, path=path)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {path.name} into {agency}: {result.officers_created} officers added, "
                f"{result.officers_updated} updated, {result.officers_unchanged} unchanged, "
                f"{result.certifications_created} certifications recorded, "
                f"{result.certifications_already_recorded} already on file."
            )
        )
