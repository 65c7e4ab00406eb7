"""The command-line side of an import: ``manage.py <command> FILE --agency "ST:Name" [--as USERNAME] …``.

An import command reads a file from disk and runs the same import service as
the import page, without the preview step: every row or nothing (every bad row
printed), or with ``--only-valid-rows`` the rows without an error. The changes
are attributed to ``--as`` (an active user who may change records in the
agency) or, without it, to the system account (case H3). Moved here from
``training/management/commands/import_roster.py``, whose agency and user
look-ups the detainer-log command borrowed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from compliance.core import access
from compliance.core.models import Agency, User
from compliance.core.system_account import system_user
from compliance.core.uploads.tables import ENCODINGS


class FileImportCommand(BaseCommand):
    """A management command that imports one file into one agency.

    A subclass sets ``help``, the argument help texts and ``importer``
    (``staticmethod(<the import service>)``), called as ``importer(actor=,
    agency=, data=, file_name=, encoding=, only_valid_rows=)`` and returning a
    result with ``ok``, ``errors`` and ``skipped``; and writes ``report``.
    """

    file_help = "Path of the CSV or XLSX file."
    agency_help = 'The agency as "STATE:Name".'
    as_help = "Username the import is attributed to (default: system)."
    only_valid_help = "Import the valid rows; skip the others."
    importer: Callable[..., Any]

    def add_arguments(self, parser):
        """FILE, ``--agency`` (required), ``--as``, ``--encoding`` (CSV only) and ``--only-valid-rows``."""
        parser.add_argument("file", help=self.file_help)
        parser.add_argument("--agency", required=True, help=self.agency_help)
        parser.add_argument("--as", dest="as_user", help=self.as_help)
        parser.add_argument("--encoding", choices=sorted(ENCODINGS), default="utf-8")
        parser.add_argument("--only-valid-rows", action="store_true", help=self.only_valid_help)

    def handle(self, *args, file, agency, as_user, encoding, only_valid_rows=False, **options):
        """Read FILE, find the agency and the user, import, ``report``.

        Raises:
            CommandError: the file cannot be read, no such agency or user (see
                ``agency_named``, ``actor_named``), or nothing was imported.
        """
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        target = self.agency_named(agency)
        actor = self.actor_named(as_user, target)
        result = self.importer(
            actor=actor,
            agency=target,
            data=data,
            file_name=path.name,
            encoding=encoding,
            only_valid_rows=only_valid_rows,
        )
        self.report(result, path=path, agency=target)

    def report(self, result, *, path: Path, agency: Agency) -> None:
        """Say what the import did (``report_problems`` first, then a success line)."""
        raise NotImplementedError

    def report_problems(self, result, *, path: Path) -> None:
        """Every problem of a failed import on stderr, then ``CommandError``; else the skipped rows on stderr.

        Raises:
            CommandError: nothing was imported (``result.ok`` is false).
        """
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Nothing imported: {len(result.errors)} problem(s) in {path.name}.")
        for error in result.skipped:
            self.stderr.write(f"Skipped: {error}")

    def agency_named(self, value: str) -> Agency:
        """The agency ``"STATE:Name"`` names (state in any case, the name exactly).

        Raises:
            CommandError: not of that form, or no such agency.
        """
        state, sep, name = value.partition(":")
        if not sep or not state.strip() or not name.strip():
            raise CommandError('--agency must be "STATE:Name", e.g. "TX:Alder County Sheriff\'s Office".')
        try:
            return Agency.objects.get(state__iexact=state.strip(), name=name.strip())
        except Agency.DoesNotExist as exc:
            raise CommandError(f"No agency {name.strip()!r} in {state.strip().upper()}.") from exc

    def actor_named(self, username: str | None, agency: Agency) -> User:
        """The user the import is attributed to: ``username``, or the system account when None.

        Raises:
            CommandError: no such user, or inactive, or may not change records in ``agency``.
        """
        if not username:
            return system_user()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user {username!r}.") from exc
        if not (user.is_active and access.can(user, access.CHANGE, agency)):
            raise CommandError(f"User {username!r} is inactive or may not change records in {agency}.")
        return user
