"""A supervisor imports a roster file through a real browser: preview, valid rows only, then a refresher.

The roster import journey: the preview shows the one bad row, the supervisor
imports the valid rows — new officers start as nominated: current training,
not authorized (issue 9) —, records a completed refresher for an officer whose
training expired, and sees that officer become authorized on the roster.
"""

from datetime import timedelta

import pytest

from compliance.core.models import Agency, Agreement, AgreementModel, User
from compliance.core.roles import Role, role_grant
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page
from tests.training.helpers import make_officer
from training.imports.models import PendingImport
from training.roster import rules
from training.roster.models import Certification, Course, Officer

pytestmark = pytest.mark.browser


def roster_row(page, last_name: str):
    return page.get_by_test_id("roster-table").locator("tr", has_text=last_name)


def authorized(page, last_name: str) -> str:
    # text_content: the tag's own text ("Yes"/"No"); USWDS upper-cases it on screen.
    return roster_row(page, last_name).get_by_test_id("authorized").locator(".usa-tag").text_content().strip()


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_imports_valid_rows_and_renews_an_expired_officer(page, live_server, tmp_path):
    agency = Agency.objects.create(name="Elm County Sheriff's Office", state="TX", time_zone="America/Chicago")
    Agreement.objects.create(agency=agency, model=AgreementModel.JEM)
    supervisor = User.objects.create_user("sup-elm", "sup-elm@example.test", PASSWORD, home_agency=agency)
    role_grant(user=supervisor, agency=agency, role=Role.SUPERVISOR)
    course = Course.objects.create(agency=agency, code="IADP", name="IADP refresher", validity_months=24)
    today = rules.agency_today(agency)
    # Designated under the agreement, checklist and ICE credential on file; only the training lapsed.
    lapsed = make_officer(agency, "E-1", last="Lapsedly", first="Rae")
    Certification.objects.create(
        agency=agency,
        officer=lapsed,
        course=course,
        completed_on=today - timedelta(days=800),
        expires_on=rules.certification_expires_on(today - timedelta(days=800), 24),
    )
    recent = (today - timedelta(days=30)).strftime("%m/%d/%Y")
    roster_file = tmp_path / "elm-roster.csv"
    roster_file.write_text(
        "badge_number,last_name,first_name,unit,email,course_code,completed_on,certificate_number\r\n"
        f"N-1,Okafor,Ada,Jail,,IADP,{recent},C-1\r\n"
        "N-2,Badrow,Ben,Jail,,IADP,13/04/2025,\r\n"
        f"N-3,Lindqvist,Bo,Jail,,IADP,{recent},C-3\r\n",
        encoding="utf-8",
    )

    page.goto(f"{live_server.url}/roster/")
    assert_accessible(page)  # the sign-in page
    sign_in_page(page, "sup-elm", then=f"{live_server.url}/roster/")
    assert_accessible(page)
    assert authorized(page, "Lapsedly") == "No"

    # Upload: the preview shows every row, the bad one with its line, column and reason.
    page.get_by_role("link", name="Import roster (CSV or Excel)").click()
    page.get_by_label("Roster file (CSV or Excel .xlsx)").wait_for()
    assert_accessible(page)
    page.get_by_label("Roster file (CSV or Excel .xlsx)").set_input_files(str(roster_file))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/roster/import/*/")
    assert_accessible(page)
    table = page.get_by_test_id("preview-table")
    assert table.locator('tr[data-outcome="create"]').count() == 2
    bad = table.locator('tr[data-outcome="error"]')
    assert bad.count() == 1
    assert bad.locator("td").first.inner_text() == "3"
    assert "completed_on" in bad.inner_text() and "month 13" in bad.inner_text()
    assert page.get_by_role("button", name="Import all rows").is_disabled()
    assert not Officer.objects.filter(badge_number__startswith="N-").exists()  # nothing before confirming

    page.get_by_role("button", name="Import only the 2 valid rows").click()
    page.wait_for_url("**/roster/?agency=*")
    assert_accessible(page)
    assert "1 row with errors skipped" in page.locator("main").inner_text()
    # Trained but only nominated: the training badge says current, "Authorized today" says no and why.
    assert authorized(page, "Okafor") == "No"
    assert "Not designated (status: nominated)" in roster_row(page, "Okafor").inner_text()
    assert roster_row(page, "Okafor").locator('[data-status="current"]').count() == 1
    assert roster_row(page, "Badrow").count() == 0
    assert PendingImport.objects.get().status == PendingImport.Status.IMPORTED

    # The refresher for the officer whose training expired.
    roster_row(page, "Lapsedly").get_by_role("link", name="Lapsedly, Rae").click()
    page.wait_for_url(f"**/roster/officers/{lapsed.public_id}/")
    assert_accessible(page)
    page.get_by_role("link", name="Record a certification").click()
    page.wait_for_url(f"**/roster/officers/{lapsed.public_id}/certifications/new/**")
    assert_accessible(page)
    page.get_by_label("Course").select_option(label="IADP — IADP refresher")
    page.get_by_label("Completed on").fill(today.isoformat())
    page.get_by_role("button", name="Record").click()
    page.wait_for_url(f"**/roster/officers/{lapsed.public_id}/")
    assert_accessible(page)
    assert "Certification recorded" in page.locator("main").inner_text()

    page.get_by_role("link", name="Roster", exact=True).first.click()
    page.wait_for_url("**/roster/*")
    assert authorized(page, "Lapsedly") == "Yes"
    assert_accessible(page)
