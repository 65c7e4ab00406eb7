"""Import ICE's published list of 287(g) agencies (CSV or XLSX) into Agency and Agreement.

Three file shapes are recognised by their header row (see ``shared/data/README.md``):

* **participating** — ``STATE, LAW ENFORCEMENT AGENCY, TYPE, COUNTY, SUPPORT TYPE, SIGNED, MOA``
  (CSV with empty trailing header cells, or the Excel sheet with an extra ``ADDENDUM``
  column and SIGNED stored as an Excel date). Each row is one agreement (MOA) in force.
* **pending** — the same columns without ``SIGNED``: each row is a pending application,
  stored as an Agreement with status *pending* and no signing date.
* **census** — ``agreements.csv`` (snapshots joined to the 2018 Census of State and Local
  Law Enforcement Agencies). It carries no signing date, so it only fills in the ORI of
  agencies already imported, matched on state and a simplified name.

Identity (README): an agency is (state, name); an agreement is (agency, model, signed date).
Names are normalised before matching so that curly and straight apostrophes, non-breaking
and trailing spaces and letter case never make the same agency two rows.

Bad rows: this is a public reference list, so by default the valid rows are imported and
every bad row is reported (line, column, reason). With ``strict=True`` nothing is written
when any row is bad. A file that cannot be read at all (encoding, a NUL character, unknown
header, a broken workbook) is refused whole with ``AgencyImportError``. The file is read once;
a workbook is read as ``compliance.core.uploads.tables.xlsx_values`` reads it (its declared
size not trusted, the sheet ended by a run of blank rows).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.db import transaction

from compliance.core.audit import acting_as
from compliance.core.importers.states import state_lookup
from compliance.core.models import Agency, Agreement, AgreementModel
from compliance.core.uploads.tables import TableFileError, xlsx_values

PARTICIPATING = "participating"
PENDING = "pending"
CENSUS = "census"

ERR_UNREADABLE_HEADER = (
    "Unrecognised header row: expected ICE's columns STATE, LAW ENFORCEMENT AGENCY, TYPE, COUNTY, "
    "SUPPORT TYPE (and SIGNED for participating agencies), or agreements.csv's state, agency, ori."
)
ERR_ENCODING = "line {line}: the file is not UTF-8 text (byte {byte}); save it as 'CSV UTF-8' and try again."
ERR_UNSUPPORTED = "Unsupported file type {suffix!r}: use .csv or .xlsx."
ERR_NUL = "line {line}: the file contains NUL characters: it is not a CSV text file. Nothing was imported."

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"'})
_MISSING = {"", "#N/A", "N/A", "NA", "NONE", "-1"}
_ORI_RE = re.compile(r"^[A-Z]{2}[0-9A-Z]{7}$")
_ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: 00:00:00)?$")
_US_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# Words dropped when matching a census name ("colbert county sheriff") to ICE's
# ("Colbert County Sheriff's Office"); "departent" is a typo present in the data.
_NAME_NOISE = {"office", "department", "dept", "departent", "the", "of", "s"}

MODELS = {
    "JAIL ENFORCEMENT MODEL": AgreementModel.JEM,
    "WARRANT SERVICE OFFICER": AgreementModel.WSO,
    "TASK FORCE MODEL": AgreementModel.TFM,
    "JEM": AgreementModel.JEM,
    "WSO": AgreementModel.WSO,
    "TFM": AgreementModel.TFM,
}
AGENCY_TYPES = {
    "COUNTY": Agency.Type.COUNTY,
    "MUNICIPALITY": Agency.Type.MUNICIPALITY,
    "STATE AGENCY": Agency.Type.STATE,
}


class AgencyImportError(Exception):
    """The whole file was refused; nothing was written."""


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.reason}"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class AgencyImportResult:
    """What an import did. ``written`` is False when strict mode refused the file."""

    file_kind: str
    rows: int = 0
    agencies: Counts = field(default_factory=Counts)
    agreements: Counts = field(default_factory=Counts)
    ori: Counts = field(default_factory=Counts)
    unmatched: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False


@dataclass(frozen=True)
class _AgreementRow:
    line: int
    state: str
    zone: str
    name: str
    agency_type: str
    county: str
    model: str
    signed_on: date | None
    moa_link: str


@dataclass(frozen=True)
class _CensusRow:
    line: int
    state: str
    name_key: str
    ori: str


def clean_text(value) -> str:
    """Text with curly quotes made straight and every run of (non-breaking) spaces made one space."""
    if value is None:
        return ""
    return " ".join(str(value).translate(_APOSTROPHES).replace("\xa0", " ").split())


def agency_key(state: str, name: str) -> tuple[str, str]:
    """The identity of an agency for matching: (USPS code, normalised name, case-insensitive)."""
    return state, clean_text(name).casefold()


def census_name_key(name: str) -> str:
    """A loose name key shared by ICE's and the Census's spelling of one agency."""
    words = re.sub(r"[^a-z0-9 ]+", " ", clean_text(name).casefold().replace("'s", " ")).split()
    return " ".join(word for word in words if word not in _NAME_NOISE)


def parse_signed(value) -> date:
    """SIGNED as a date: an Excel date, ``YYYY-MM-DD[ 00:00:00]`` or US ``MM/DD/YYYY``.

    Raises:
        ValueError: with a message fit for the row report (empty, malformed, impossible date).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date()
    text = clean_text(value)
    if not text:
        raise ValueError("SIGNED is empty; an agreement in force needs its signing date")
    if match := _ISO_RE.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _US_RE.match(text):
        month, day, year = (int(part) for part in match.groups())
    else:
        raise ValueError(f"{text!r} is not a date (expected YYYY-MM-DD or MM/DD/YYYY)")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None


def _read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """Header (cleaned, upper case) and ``(line number, cells)`` for each row after it."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise AgencyImportError(ERR_ENCODING.format(line=line, byte=f"0x{raw[exc.start]:02X}")) from None
        if "\x00" in text:  # PostgreSQL stores no NUL in text; no spreadsheet writes one in a CSV
            raise AgencyImportError(ERR_NUL.format(line=text.count("\n", 0, text.index("\x00")) + 1))
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, [])

        def csv_rows():
            for cells in reader:
                yield reader.line_num, cells

        return [clean_text(cell).upper() for cell in header], csv_rows()
    if suffix == ".xlsx":
        iterator = xlsx_values(path.read_bytes())
        try:
            _number, header = next(iterator, (1, []))
        except TableFileError as exc:
            raise AgencyImportError(exc.message) from None

        def xlsx_rows():
            try:
                yield from iterator
            except TableFileError as exc:
                raise AgencyImportError(exc.message) from None

        return [clean_text(cell).upper() for cell in header], xlsx_rows()
    raise AgencyImportError(ERR_UNSUPPORTED.format(suffix=suffix))


def _file_kind(header: list[str]) -> str:
    columns = set(header)
    if {"STATE", "LAW ENFORCEMENT AGENCY", "SUPPORT TYPE"} <= columns:
        return PARTICIPATING if "SIGNED" in columns else PENDING
    if {"STATE", "AGENCY", "ORI"} <= columns:
        return CENSUS
    raise AgencyImportError(ERR_UNREADABLE_HEADER)


def _cell(cells: list, header: list[str], column: str):
    index = header.index(column)
    return cells[index] if index < len(cells) else None


def _parse_agreement_row(line: int, cells: list, header: list[str], kind: str, errors: list[RowError]):
    state_text = clean_text(_cell(cells, header, "STATE"))
    state = state_lookup(state_text)
    name = clean_text(_cell(cells, header, "LAW ENFORCEMENT AGENCY"))
    county = clean_text(_cell(cells, header, "COUNTY")) if "COUNTY" in header else ""
    support = clean_text(_cell(cells, header, "SUPPORT TYPE")).upper()
    row_errors = []
    if state is None:
        row_errors.append(RowError(line, "STATE", f"{state_text!r} is not a U.S. state or territory"))
    if not name:
        row_errors.append(RowError(line, "LAW ENFORCEMENT AGENCY", "the agency name is empty"))
    elif len(name) > Agency._meta.get_field("name").max_length:
        row_errors.append(RowError(line, "LAW ENFORCEMENT AGENCY", "the agency name is longer than 200 characters"))
    if support not in MODELS:
        row_errors.append(
            RowError(line, "SUPPORT TYPE", f"{support!r} is not a 287(g) model (JEM, WSO or TFM by its full name)")
        )
    signed_on = None
    if kind == PARTICIPATING:
        try:
            signed_on = parse_signed(_cell(cells, header, "SIGNED"))
        except ValueError as exc:
            row_errors.append(RowError(line, "SIGNED", str(exc)))
    if row_errors:
        errors.extend(row_errors)
        return None
    moa = clean_text(_cell(cells, header, "MOA")) if "MOA" in header else ""
    return _AgreementRow(
        line=line,
        state=state[0],
        zone=state[1],
        name=name,
        agency_type=AGENCY_TYPES.get(clean_text(_cell(cells, header, "TYPE")).upper(), Agency.Type.OTHER),
        county="" if county.upper() in _MISSING else county[:120],
        model=MODELS[support],
        signed_on=signed_on,
        # "link" / "link pending" are the words of ICE's web page, not links; keep real URLs only.
        moa_link=moa if moa.lower().startswith(("https://", "http://")) else "",
    )


def _parse_census_row(line: int, cells: list, header: list[str], errors: list[RowError]):
    state_text = clean_text(_cell(cells, header, "STATE"))
    state = state_lookup(state_text)
    ori = clean_text(_cell(cells, header, "ORI")).upper()
    if ori in _MISSING:
        return None  # README: about 1,100 rows carry no ORI (NA, blank or -1); nothing to fill in.
    if state is None:
        errors.append(RowError(line, "state", f"{state_text!r} is not a U.S. state or territory"))
        return None
    if not _ORI_RE.match(ori):
        errors.append(RowError(line, "ori", f"{ori!r} is not an ORI (two letters and seven characters)"))
        return None
    return _CensusRow(line=line, state=state[0], name_key=census_name_key(_cell(cells, header, "AGENCY")), ori=ori)


def agencies_import(*, actor, path: Path, strict: bool = False) -> AgencyImportResult:
    """Import one of ICE's agency lists from ``path`` (.csv or .xlsx), attributed to ``actor``.

    Args:
        actor: the ``compliance.User`` the history rows name (a person, or ``system_user()``).
        path: the file. Its name becomes the history change reason.
        strict: refuse the whole file (write nothing) when any row is bad.

    Returns:
        ``AgencyImportResult`` with counts of agencies, agreements (and ORIs for the census
        file) created / updated / unchanged, and every bad row as ``RowError``.
        Running the same file again creates nothing new.

    Raises:
        AgencyImportError: unreadable file (not UTF-8, unknown header, unsupported type).
    """
    path = Path(path)
    header, rows = _read_rows(path)
    kind = _file_kind(header)
    result = AgencyImportResult(file_kind=kind)
    parsed = []
    for line, cells in rows:
        if not any(clean_text(cell) for cell in cells):
            continue  # blank lines (14 in the May file) and Excel's empty trailing rows
        result.rows += 1
        if kind == CENSUS:
            row = _parse_census_row(line, cells, header, result.errors)
        else:
            row = _parse_agreement_row(line, cells, header, kind, result.errors)
        if row is not None:
            parsed.append(row)
    if strict and result.errors:
        return result
    with transaction.atomic(), acting_as(actor, reason=f"Agency list import: {path.name}"):
        if kind == CENSUS:
            _write_ori(parsed, result)
        else:
            _write_agreements(parsed, result)
    result.written = True
    return result


def _write_agreements(rows: list[_AgreementRow], result: AgencyImportResult) -> None:
    agencies = {
        agency_key(agency.state, agency.name): agency
        for agency in Agency.objects.filter(state__in={row.state for row in rows})
    }
    seen_agencies: set[tuple[str, str]] = set()
    for row in rows:
        key = agency_key(row.state, row.name)
        if key in seen_agencies:
            continue  # one agency, several agreements: the first row describes it
        seen_agencies.add(key)
        agency = agencies.get(key)
        if agency is None:
            agencies[key] = Agency.objects.create(
                name=row.name,
                state=row.state,
                county=row.county,
                agency_type=row.agency_type,
                time_zone=row.zone,
            )
            result.agencies.created += 1
            continue
        changed = False
        for attr in ("county", "agency_type"):
            new = getattr(row, attr)
            if new and new != Agency.Type.OTHER and getattr(agency, attr) != new:
                setattr(agency, attr, new)
                changed = True
        if changed:
            agency.save()
            result.agencies.updated += 1
        else:
            result.agencies.unchanged += 1

    existing: dict[tuple, Agreement] = {
        (agreement.agency_id, agreement.model, agreement.signed_on): agreement
        for agreement in Agreement.objects.filter(agency__in=[agencies[key] for key in seen_agencies])
    }
    for row in rows:
        agency = agencies[agency_key(row.state, row.name)]
        key = (agency.pk, row.model, row.signed_on)
        agreement = existing.get(key)
        pending_key = (agency.pk, row.model, None)
        if agreement is None and row.signed_on is not None and pending_key in existing:
            # The pending application was signed: the same MOA, now in force.
            agreement = existing.pop(pending_key)
            agreement.signed_on = row.signed_on
            agreement.status = Agreement.Status.ACTIVE
            if row.moa_link:
                agreement.moa_link = row.moa_link
            agreement.save()
            existing[key] = agreement
            result.agreements.updated += 1
            continue
        if agreement is None:
            existing[key] = Agreement.objects.create(
                agency=agency,
                model=row.model,
                signed_on=row.signed_on,
                status=Agreement.Status.ACTIVE if row.signed_on else Agreement.Status.PENDING,
                moa_link=row.moa_link,
            )
            result.agreements.created += 1
            continue
        if row.moa_link and agreement.moa_link != row.moa_link:
            agreement.moa_link = row.moa_link
            agreement.save()
            result.agreements.updated += 1
        else:
            result.agreements.unchanged += 1


def _write_ori(rows: list[_CensusRow], result: AgencyImportResult) -> None:
    by_key: dict[tuple[str, str], list[Agency]] = {}
    for agency in Agency.objects.filter(state__in={row.state for row in rows}):
        by_key.setdefault((agency.state, census_name_key(agency.name)), []).append(agency)
    done: set[tuple[str, str, str]] = set()
    for row in rows:
        if (row.state, row.name_key, row.ori) in done:
            continue  # the same agency in each of the 17 snapshots
        done.add((row.state, row.name_key, row.ori))
        matches = by_key.get((row.state, row.name_key), [])
        if len(matches) != 1:
            result.unmatched += 1  # not imported yet, or two agencies share the simplified name
            continue
        agency = matches[0]
        if agency.ori == row.ori:
            result.ori.unchanged += 1
        elif agency.ori:
            # Never overwrite an ORI someone set; report the disagreement instead.
            result.errors.append(
                RowError(row.line, "ori", f"{row.ori} differs from the stored ORI {agency.ori} of {agency}")
            )
            result.ori.unchanged += 1
        else:
            agency.ori = row.ori
            agency.save()
            result.ori.updated += 1
