"""The roster export (CSV, XLSX): one row per officer, for auditors and staff to take away.

Formula injection (case E1): a spreadsheet runs a cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula, and a leading tab or carriage return can
hide one. Every *text* cell we write that starts with one of them gets a
leading ``'``; numbers and dates are written as numbers and dates (``-3`` stays
``-3``). Only the files change: the screen and the PDF show the original text.
In XLSX, text cells are also typed as strings explicitly, because openpyxl turns
any string starting with ``=`` into a formula. The cell writer is shared with
the other exports: ``compliance.core.spreadsheets``. The import template is ``training.imports.template``.

Export columns (one row per officer, the roster page's filters and order):

=====================  ==========================================================
badge_number … email   as on the roster (text)
officer_status         the officer's lifecycle status (text label)
agreement_model        JEM / WSO / TFM of the officer's agreement, blank if none
supervisor             the supervisor's name or user name (text)
authorized_today       Yes / No: the one rule of ``training.roster.authorization`` on
                       the agency date, as the roster page shows it (text)
not_authorized_because every reason when ``authorized_today`` is No, "; "-separated (text)
training_status        Current / Expiring / Expired / Missing training (text); current
                       training alone does not authorize (see ``authorized_today``)
next_expiry            the earliest last valid day over the required courses (date)
days_to_expiry         next_expiry minus the agency date; negative once expired (number)
=====================  ==========================================================
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from compliance.core.spreadsheets import csv_cell, workbook_bytes
from training.roster import rules
from training.roster.authorization import authorization_today

EXPORT_COLUMNS = (
    "badge_number",
    "last_name",
    "first_name",
    "unit",
    "email",
    "officer_status",
    "agreement_model",
    "supervisor",
    "authorized_today",
    "not_authorized_because",
    "training_status",
    "next_expiry",
    "days_to_expiry",
)


@dataclass(frozen=True)
class ExportRow:
    """One roster line as typed values: text as ``str``, ``next_expiry`` a date, ``days_to_expiry`` an int."""

    values: tuple

    @classmethod
    def from_officer(cls, officer, *, today: date) -> ExportRow:
        """From an officer annotated by ``training.roster.selectors.roster_officers`` (no query)."""
        supervisor = officer.supervisor
        supervisor_name = (supervisor.get_full_name() or supervisor.username) if supervisor else ""
        agreement = getattr(officer, "agreement", None)
        expiry = officer.earliest_expiry
        authorization = authorization_today(officer, today=today)
        return cls(
            (
                officer.badge_number,
                officer.last_name,
                officer.first_name,
                officer.unit,
                officer.email,
                officer.get_status_display(),
                agreement.model if agreement is not None else "",
                supervisor_name,
                "Yes" if authorization else "No",
                authorization.text,
                rules.STATUS_LABELS[officer.training_status],
                expiry,
                (expiry - today).days if expiry else None,
            )
        )


def roster_csv(rows: Iterable[ExportRow]) -> bytes:
    """The export as UTF-8 CSV with a byte order mark (Excel opens it as UTF-8); dates ISO."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row.values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def roster_xlsx(rows: Iterable[ExportRow], *, title: str = "Roster") -> bytes:
    """The export as an XLSX workbook: text cells typed as text, dates as dates, numbers as numbers."""
    return workbook_bytes([(title, EXPORT_COLUMNS, (row.values for row in rows))])
