"""``manage.py import_agencies FILE [--as USERNAME] [--strict]``: load ICE's list of 287(g) agencies."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.core.importers.agencies import AgencyImportError, agencies_import
from compliance.core.models import User
from compliance.core.system_account import system_user


class Command(BaseCommand):
    help = (
        "Import ICE's published list of 287(g) agencies from CSV or XLSX: participating agencies "
        "(one agreement per row, with SIGNED), pending agencies (no SIGNED: pending agreements), or "
        "agreements.csv (fills in the ORI of agencies already imported). This is a public reference "
        "list, so valid rows are imported and every bad row is reported with its line, column and "
        "reason; use --strict to write nothing when any row is bad. Re-running the same file creates "
        "nothing new. Changes are attributed to --as USERNAME, or to the system account."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A .csv or .xlsx file in ICE's format.")
        parser.add_argument("--as", dest="username", help="The user the changes are attributed to.")
        parser.add_argument("--strict", action="store_true", help="Write nothing if any row is bad.")

    def handle(self, *args, file: Path, username: str | None, strict: bool, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        if username:
            try:
                actor = User.objects.get(username=username, is_active=True)
            except User.DoesNotExist:
                raise CommandError(f"No active user named {username!r}.") from None
        else:
            actor = system_user()
        try:
            result = agencies_import(actor=actor, path=file, strict=strict)
        except AgencyImportError as exc:
            raise CommandError(str(exc)) from None

        for error in result.errors:
            self.stderr.write(f"{file.name}: {error}")
        if not result.written:
            raise CommandError(f"{len(result.errors)} bad row(s); nothing imported (--strict).")
        self.stdout.write(f"{file.name}: {result.file_kind} list, {result.rows} rows read, {len(result.errors)} bad.")
        if result.file_kind == "census":
            self.stdout.write(f"ORI: {result.ori}; {result.unmatched} agencies not matched.")
        else:
            self.stdout.write(f"Agencies: {result.agencies}.")
            self.stdout.write(f"Agreements: {result.agreements}.")
