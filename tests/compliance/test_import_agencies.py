"""Importing ICE's list of 287(g) agencies: real files (skipped when absent) and small invented ones."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from compliance.core.importers.agencies import (
    AgencyImportError,
    agencies_import,
    census_name_key,
    clean_text,
    parse_signed,
)
from compliance.core.models import Agency, Agreement, AgreementModel
from compliance.core.system_account import system_user
from tests.compliance.workbooks import sparse_xlsx

DATA = Path(settings.BASE_DIR).parent / "shared" / "data" / "ice-287g"
MAY = DATA / "participatingAgencies05162025am.csv"
JULY = DATA / "participatingAgencies07182025pm.xlsx"
PENDING = DATA / "pendingAgencies05152025am.csv"
CENSUS = DATA / "agreements.csv"

needs_data = pytest.mark.skipif(not MAY.exists(), reason=f"real ICE lists not found under {DATA}")

HEADER = "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA,,\n"


def write(tmp_path, text: str, name: str = "list.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-05-08 00:00:00", date(2025, 5, 8)),
        ("2025-05-08", date(2025, 5, 8)),
        ("3/4/2025", date(2025, 3, 4)),
        (45832, date(2025, 6, 24)),  # an Excel serial number left unformatted
    ],
)
def test_parse_signed_accepts_documented_formats(value, expected):
    assert parse_signed(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("05/082025", "is not a date"),
        ("13/04/2025", "is not a real date"),  # no silent day/month swap (case T5)
        ("2025-02-30", "is not a real date"),
        ("", "SIGNED is empty"),
        (None, "SIGNED is empty"),
    ],
)
def test_parse_signed_rejects_bad_values(value, message):
    with pytest.raises(ValueError, match=message):
        parse_signed(value)


def test_names_are_normalised_for_matching():
    assert clean_text("Calhoun County Sheriff\u2019s Office ") == "Calhoun County Sheriff's Office"
    assert clean_text("link\xa0|\xa0addendum") == "link | addendum"
    assert census_name_key("Colbert County Sheriff's Office") == census_name_key("colbert county sheriff")
    assert census_name_key("Alachua Police Departent") == census_name_key("alachua police departent")


# --- small invented files ---------------------------------------------------------------------


@pytest.mark.django_db
def test_bad_rows_are_reported_and_the_rest_imported(tmp_path):
    path = write(
        tmp_path,
        "\ufeff"
        + HEADER
        + "TEXAS,Mirefield County Sheriff's Office,County,Mirefield County,Jail Enforcement Model,"
        + "2025-01-02 00:00:00,link,,\n"
        + "ATLANTIS,Nowhere Police Department,Municipality,#N/A,Task Force Model,2025-01-02 00:00:00,link,,\n"
        + "TEXAS,Stonebrook Police Department,Municipality,#N/A,Horse Patrol Model,05/082025,link,,\n"
        + ",,,,,,,,\n"
        + "TEXAS,Mirefield County Sheriff\u2019s Office ,County,Mirefield County,Warrant Service Officer,1/15/2025,https://www.ice.gov/doclib/x.pdf,,\n",
    )
    result = agencies_import(actor=system_user(), path=path)
    assert result.written
    assert [str(e) for e in result.errors] == [
        "line 3, column STATE: 'ATLANTIS' is not a U.S. state or territory",
        "line 4, column SUPPORT TYPE: 'HORSE PATROL MODEL' is not a 287(g) model (JEM, WSO or TFM by its full name)",
        "line 4, column SIGNED: '05/082025' is not a date (expected YYYY-MM-DD or MM/DD/YYYY)",
    ]
    # The BOM did not hide the STATE header; curly apostrophe and trailing space: one agency.
    agency = Agency.objects.get()
    assert (agency.name, agency.state, agency.time_zone) == (
        "Mirefield County Sheriff's Office",
        "TX",
        "America/Chicago",
    )
    assert sorted(agency.agreements.values_list("model", "signed_on", "moa_link")) == [
        ("JEM", date(2025, 1, 2), ""),
        ("WSO", date(2025, 1, 15), "https://www.ice.gov/doclib/x.pdf"),
    ]


@pytest.mark.django_db
def test_strict_mode_writes_nothing_when_a_row_is_bad(tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "TEXAS,Mirefield County Sheriff's Office,County,Mirefield County,Jail Enforcement Model,2025-01-02,link,,\n"
        + "TEXAS,Stonebrook Police Department,Municipality,#N/A,Task Force Model,05/082025,link,,\n",
    )
    result = agencies_import(actor=system_user(), path=path, strict=True)
    assert not result.written
    assert len(result.errors) == 1
    assert not Agency.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_whole(tmp_path):
    path = write(
        tmp_path,
        HEADER + "TEXAS,Oficina del Sheriff de Peña,County,Peña County,Jail Enforcement Model,2025-01-02,link,,\n",
        encoding="cp1252",
    )
    with pytest.raises(AgencyImportError, match="line 2: the file is not UTF-8"):
        agencies_import(actor=system_user(), path=path)
    assert not Agency.objects.exists()


@pytest.mark.django_db
def test_utf8_names_import_exactly(tmp_path):
    path = write(
        tmp_path, HEADER + "TEXAS,Oficina del Sheriff de Peña,County,Peña County,Jail Enforcement Model,2025-01-02,,,\n"
    )
    agencies_import(actor=system_user(), path=path)
    assert Agency.objects.get().name == "Oficina del Sheriff de Peña"


@pytest.mark.django_db
def test_a_nul_byte_is_refused_whole_with_its_line_and_nothing_is_written(tmp_path):
    # PostgreSQL cannot store a NUL in text: the import used to crash there on the first agency's save.
    path = write(
        tmp_path,
        HEADER
        + "TEXAS,Alder County Sheriff's Office,County,Alder County,Jail Enforcement Model,2025-01-02,,,\n"
        + "TEXAS,Birch\x00 Police,Municipality,,Jail Enforcement Model,2025-01-02,,,\n",
    )
    with pytest.raises(AgencyImportError, match="line 3: the file contains NUL characters"):
        agencies_import(actor=system_user(), path=path)
    assert not Agency.objects.exists()
    assert not Agency.history.exists()


@pytest.mark.django_db
def test_an_excel_list_that_claims_a_million_rows_imports_the_rows_it_holds(tmp_path):
    rows = {1: ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED"]}
    for n in range(2, 12):
        rows[n] = [
            "TEXAS",
            f"Invented County {n} Sheriff's Office",
            "County",
            "",
            "Jail Enforcement Model",
            "2025-01-02",
        ]
    path = tmp_path / "list.xlsx"
    path.write_bytes(sparse_xlsx(rows, dimension="A1:H1048576"))
    result = agencies_import(actor=system_user(), path=path)
    assert (result.rows, result.errors) == (10, [])
    assert Agency.objects.count() == 10


@pytest.mark.django_db
def test_a_broken_excel_list_is_refused_whole(tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(AgencyImportError, match="not a readable Excel workbook"):
        agencies_import(actor=system_user(), path=path)


@pytest.mark.django_db
def test_an_unknown_header_is_refused(tmp_path):
    with pytest.raises(AgencyImportError, match="Unrecognised header"):
        agencies_import(actor=system_user(), path=write(tmp_path, "name,state\nX,TX\n"))


@pytest.mark.django_db
def test_a_pending_application_becomes_the_signed_agreement(tmp_path):
    pending = write(
        tmp_path,
        "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE\n"
        "OHIO,Fernvale County Sheriff's Office,County,Fernvale County,Warrant Service Officer\n",
        "pending.csv",
    )
    agencies_import(actor=system_user(), path=pending)
    agreement = Agreement.objects.get()
    assert (agreement.status, agreement.signed_on) == (Agreement.Status.PENDING, None)
    signed = write(
        tmp_path,
        HEADER + "OHIO,Fernvale County Sheriff's Office,County,Fernvale County,Warrant Service Officer,2025-06-01,,,\n",
        "signed.csv",
    )
    result = agencies_import(actor=system_user(), path=signed)
    assert (result.agreements.created, result.agreements.updated) == (0, 1)
    agreement.refresh_from_db()
    assert (agreement.status, agreement.signed_on) == (Agreement.Status.ACTIVE, date(2025, 6, 1))


@pytest.mark.django_db
def test_the_command_prints_counts_and_bad_rows(tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "TEXAS,Mirefield County Sheriff's Office,County,Mirefield County,Jail Enforcement Model,2025-01-02,,,\n"
        + "TEXAS,Stonebrook Police Department,Municipality,#N/A,Task Force Model,05/082025,,,\n",
    )
    out, err = StringIO(), StringIO()
    call_command("import_agencies", str(path), stdout=out, stderr=err)
    assert "Agencies: 1 created, 0 updated, 0 unchanged." in out.getvalue()
    assert "Agreements: 1 created, 0 updated, 0 unchanged." in out.getvalue()
    assert "line 3, column SIGNED: '05/082025' is not a date" in err.getvalue()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_agencies", str(path), "--strict", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="No active user named 'nobody'"):
        call_command("import_agencies", str(path), "--as", "nobody", stdout=StringIO(), stderr=StringIO())


# --- the real published lists -----------------------------------------------------------------


@needs_data
@pytest.mark.django_db
def test_the_may_list_imports_461_agencies_and_570_agreements():
    """Measured: 571 agreement rows; 469 raw (state, name) pairs, 467 after trimming spaces, 462 after
    making curly apostrophes straight. The one malformed SIGNED (line 545, Campbell County VA, its
    only row) is reported and skipped, leaving 461 agencies and 570 agreements."""
    result = agencies_import(actor=system_user(), path=MAY)
    assert result.rows == 571
    assert [str(e) for e in result.errors] == [
        "line 545, column SIGNED: '05/082025' is not a date (expected YYYY-MM-DD or MM/DD/YYYY)"
    ]
    assert (result.agencies.created, result.agreements.created) == (461, 570)
    assert Agency.objects.count() == 461
    assert Agreement.objects.count() == 570
    assert Agency.objects.values("state").distinct().count() == 40
    counts = {m: Agreement.objects.filter(model=m).count() for m in AgreementModel.values}
    assert counts == {"TFM": 274, "WSO": 205, "JEM": 91}
    # Curly and straight apostrophes: one agency.
    assert Agency.objects.filter(state="TX", name__startswith="Galveston County Sheriff").count() == 1
    assert not Agency.objects.filter(name__endswith=" ").exists()
    assert not Agency.objects.filter(county="#N/A").exists()
    colbert = Agency.objects.get(state="AL", name="Colbert County Sheriff's Office")
    assert sorted(colbert.agreements.values_list("model", flat=True)) == ["JEM", "WSO"]

    again = agencies_import(actor=system_user(), path=MAY)
    assert (again.agencies.created, again.agencies.updated, again.agencies.unchanged) == (0, 0, 461)
    assert (again.agreements.created, again.agreements.updated, again.agreements.unchanged) == (0, 0, 570)


@needs_data
@pytest.mark.django_db
def test_the_july_excel_list_reads_excel_dates():
    result = agencies_import(actor=system_user(), path=JULY)
    assert [(e.line, e.column) for e in result.errors] == [(775, "SIGNED"), (785, "SIGNED")]
    cherokee = Agency.objects.get(state="AL", name="Cherokee County Sheriff's Office")
    assert cherokee.agreements.get().signed_on == date(2025, 6, 25)
    assert agencies_import(actor=system_user(), path=JULY).agreements.created == 0


@needs_data
@pytest.mark.django_db
def test_pending_list_then_census_fills_ori():
    agencies_import(actor=system_user(), path=MAY)
    pending = agencies_import(actor=system_user(), path=PENDING)
    assert pending.errors == []
    assert Agreement.objects.filter(status=Agreement.Status.PENDING, signed_on=None).count() == 92
    census = agencies_import(actor=system_user(), path=CENSUS)
    assert census.ori.updated > 400
    assert Agency.objects.get(state="AL", name="Colbert County Sheriff's Office").ori == "AL0200000"
    assert agencies_import(actor=system_user(), path=CENSUS).ori.updated == 0
