"""A records request in a browser (issue #14 item 6): an auditor types an A-number, gets the report in one step and
downloads its PDF and JSON from the reports page, each once. axe-core on the form, its no-match answer and the
reports page.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from compliance.core.models import Agency, User
from compliance.core.roles import Role, role_grant
from incidents.models import Detainer
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_an_auditor_answers_a_records_request_in_one_step(page, live_server):
    agency = Agency.objects.create(name="Birch County Sheriff's Office", state="TX", time_zone="America/Chicago")
    auditor = User.objects.create_user("auditor-birch", "auditor-birch@example.test", PASSWORD, home_agency=agency)
    role_grant(user=auditor, agency=agency, role=Role.AUDITOR)
    Detainer.objects.create(
        agency=agency,
        subject_last_name="Quillfeather",
        subject_first_name="Kim",
        a_number="A012345678",
        booking_number="BK-QF-1",
        underlying_charge="Burglary (invented)",
        received_at=datetime(2026, 3, 1, 15, tzinfo=UTC),
    )
    form_url = f"{live_server.url}/reports/records-request/"
    page.goto(form_url)
    sign_in_page(page, "auditor-birch", then=form_url)
    assert_accessible(page)

    page.get_by_label("A-number or booking number").fill("A099999999")  # nobody
    page.get_by_role("button", name="Request the records").click()
    expect(page.get_by_test_id("records-none")).to_contain_text("No records found for that number")
    expect(page.get_by_test_id("error-summary")).to_have_count(0)  # an answer, not a mistake
    assert_accessible(page)

    page.get_by_label("A-number or booking number").fill("a012345678")
    page.get_by_label("Request reference (optional)").fill("PRR-2026-0077")
    page.get_by_role("button", name="Request the records").click()
    page.wait_for_url(f"{live_server.url}/reports/")
    row = page.get_by_test_id("report-row").first
    expect(row).to_contain_text("Records request")
    expect(row.get_by_test_id("records-reference")).to_have_text("Request PRR-2026-0077")
    expect(row.get_by_test_id("report-status")).to_have_text("Ready")
    assert_accessible(page)

    with page.expect_download() as pdf:
        row.get_by_test_id("report-download").click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    with page.expect_download() as data:
        row.get_by_test_id("report-download-json").click()
    content = json.loads(Path(data.value.path()).read_text(encoding="utf-8"))
    assert content["detainers"][0]["fields"]["a_number"] == "A012345678"

    page.goto(f"{live_server.url}/reports/")
    expect(page.get_by_test_id("records-pdf-taken")).to_be_visible()
    expect(page.get_by_test_id("records-json-taken")).to_be_visible()
