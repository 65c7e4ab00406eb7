"""``python manage.py import_roster FILE --agency "TX:Alder County Sheriff's Office" [--as USERNAME]``.

Imports a roster CSV or Excel (.xlsx) file with the same service as the import
page (all rows or none, every bad row printed; ``--only-valid-rows`` imports
the rows without an error and prints the skipped ones). History rows are attributed to ``--as`` (who must
be active and may change records in the agency) or, without it, to the system
account (case H3).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.core import access
from compliance.core.models import Agency, User
from compliance.core.system_account import system_user
from compliance.core.uploads.tables import ENCODINGS
from training.imports.services import roster_import


class Command(BaseCommand):
    help = "Import a training roster CSV or XLSX file into an agency (every row or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV file.")
        parser.add_argument("--agency", required=True, help='The agency as "STATE:Name", e.g. "TX:Alder County SO".')
        parser.add_argument("--as", dest="as_user", help="Username the changes are attributed to (default: system).")
        parser.add_argument("--encoding", choices=sorted(ENCODINGS), default="utf-8")
        parser.add_argument(
            "--only-valid-rows", action="store_true", help="Import the rows without an error; skip the others."
        )

    def handle(self, *args, file, agency, as_user, encoding, only_valid_rows=False, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        target = self._agency(agency)
        actor = self._actor(as_user, target)
        result = roster_import(
            actor=actor,
            agency=target,
            data=data,
            file_name=path.name,
            encoding=encoding,
            only_valid_rows=only_valid_rows,
        )
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Nothing imported: {len(result.errors)} problem(s) in {path.name}.")
        for error in result.skipped:
            self.stderr.write(f"Skipped: {error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {path.name} into {target}: {result.officers_created} officers added, "
                f"{result.officers_updated} updated, {result.officers_unchanged} unchanged, "
                f"{result.certifications_created} certifications recorded, "
                f"{result.certifications_already_recorded} already on file."
            )
        )

    def _agency(self, value: str) -> Agency:
        state, sep, name = value.partition(":")
        if not sep or not state.strip() or not name.strip():
            raise CommandError('--agency must be "STATE:Name", e.g. "TX:Alder County Sheriff\'s Office".')
        try:
            return Agency.objects.get(state__iexact=state.strip(), name=name.strip())
        except Agency.DoesNotExist as exc:
            raise CommandError(f"No agency {name.strip()!r} in {state.strip().upper()}.") from exc

    def _actor(self, username: str | None, agency: Agency) -> User:
        if not username:
            return system_user()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user {username!r}.") from exc
        if not (user.is_active and access.can(user, access.CHANGE, agency)):
            raise CommandError(f"User {username!r} is inactive or may not change records in {agency}.")
        return user
