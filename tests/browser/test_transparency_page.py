"""A visitor reads an agency's transparency page in Spanish and downloads its CSV, in a real browser (issue #12).

Spanish is chosen with the switcher; the visitor opens the agency from the list, reads a table with
a "menos de 10" cell, changes the period with the picker, and downloads the CSV (a Playwright
download), whose figures are the page's. axe-core checks every page visited (WCAG 2.x A/AA).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.cache import cache

from community.outreach.models import OutreachEvent
from compliance.core.models import Agency, Agreement, AgreementModel
from compliance.core.roles import Role
from tests.base import make_user
from tests.browser.axe import assert_accessible
from tests.community.transparency_helpers import current_quarter_key, outreach_events, pending_detainers, publish

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_visitor_reads_the_figures_in_spanish_and_downloads_the_csv(page, live_server):
    cache.clear()
    agency = Agency.objects.create(name="Alder County Sheriff's Office", state="TX", time_zone="America/Chicago")
    Agreement.objects.create(agency=agency, model=AgreementModel.JEM)
    admin = make_user("admin_a", agency=agency, role=Role.ADMINISTRATOR)
    # Detainers count people: 3 at level 1 is suppressed, 14 at level 2 too (complementary), 22 shown. Outreach
    # events are the agency's own public acts: published as they are.
    pending_detainers(agency, level_1=3, level_2=14, level_3=22)
    outreach_events(agency, **{OutreachEvent.Kind.COMMUNITY_MEETING: 3, OutreachEvent.Kind.MEDIA: 22})
    publish(agency, admin)

    page.goto(f"{live_server.url}/transparency/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)
    page.get_by_test_id("language-es").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", level=1).inner_text() == "Cifras publicadas por las agencias"
    assert_accessible(page)

    page.get_by_role("link", name="Alder County Sheriff's Office").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Cifras de Alder County Sheriff's Office"
    detainers = page.get_by_test_id("table-detainers_by_level_and_outcome").get_by_role("table")
    level_1 = detainers.get_by_role("row", name="Nivel 1: delito grave de drogas o violento")
    assert level_1.get_by_role("cell").first.inner_text() == "menos de 10"  # the first column: pending
    level_3 = detainers.get_by_role("row", name="Nivel 3")
    assert level_3.get_by_role("cell").first.inner_text() == "22"
    events = page.get_by_test_id("table-outreach_events").get_by_role("table")
    meetings = events.get_by_role("row", name="Reuniones comunitarias")
    assert meetings.get_by_role("cell").inner_text() == "3"
    assert events.get_by_role("row", name="Total").get_by_role("cell").inner_text() == "25"
    assert "menos de 10" in page.get_by_test_id("suppression-note").inner_text().lower()
    assert page.get_by_test_id("last-updated").inner_text().startswith("Última actualización:")
    assert_accessible(page)

    # The picker (a plain GET form): the year, then back to the quarter.
    year = current_quarter_key(agency)[:4]
    page.get_by_label("Período").select_option(year)
    page.get_by_role("button", name="Mostrar").click()
    assert f"period={year}" in page.url
    assert page.get_by_test_id("period-shown").inner_text() == f"{year} (año completo)"
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_test_id("csv-link").click()
    download = download_info.value
    assert download.suggested_filename == f"transparency-{agency.public_id}-{year}.csv"
    text = Path(download.path()).read_text(encoding="utf-8").lstrip("\ufeff")
    rows = {(row["fila"], row["columna"]): row["valor"] for row in csv.DictReader(io.StringIO(text))}  # Spanish header
    assert rows[("Nivel 1: delito grave de drogas o violento", "Pendiente")] == "menos de 10"
    assert rows[("Reuniones comunitarias", "Eventos")] == "3"
    assert rows[("Sesiones informativas para los medios", "Eventos")] == "22"
