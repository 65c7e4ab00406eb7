"""Staff log a detainer without a warrant, fix it, and see the hold authorized on the custody board.

The detainer journey: an I-247A logged with no I-200/I-205 is told on its page
why no hold is authorized (R4.3); after the signed I-200 is attached (edit) and a
copy is served on the subject (custody-board quick action: a link whose form htmx
loads into the row, R4.5), the custody board shows the hold deadline (would
otherwise be released + 48 h, R4.7) in the agency's zone and "Hold authorized"
Yes. Live server: nothing frozen; every time is picked relative to now so the
deadline lies in the future.
"""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from compliance.core.agency_time import in_zone
from compliance.core.models import Agency, Agreement, AgreementModel, User
from compliance.core.roles import Role, role_grant
from incidents.detainers import rules
from incidents.detainers.models import Detainer
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page
from tests.training.helpers import make_officer
from training.roster import rules as training_rules
from training.roster.models import Certification, Course, Officer

pytestmark = pytest.mark.browser

R4_3_MESSAGE = (
    "No hold authorized: no I-200 or I-205 warrant is attached. Attach the signed warrant; supervisor review needed."
)


def tick(scope, input_id: str) -> None:
    """Tick a USWDS checkbox the way a user does: its input is visually hidden, so click its label."""
    scope.locator(f'label[for="{input_id}"]').click()
    assert scope.locator(f"#{input_id}").is_checked()


def fill_local(page, scope, name: str, when: datetime) -> None:
    """Type an agency-local wall-clock time into a date + time field pair."""
    scope.locator(f"#id_{name}_0").fill(when.strftime("%Y-%m-%d"))
    scope.locator(f"#id_{name}_1").fill(when.strftime("%H:%M"))


@pytest.mark.django_db(transaction=True)
def test_staff_log_a_detainer_without_a_warrant_then_attach_it_and_see_the_hold_authorized(page, live_server):
    agency = Agency.objects.create(name="Birch County Sheriff's Office", state="TX", time_zone="America/Chicago")
    agreement = Agreement.objects.create(agency=agency, model=AgreementModel.JEM)
    staff = User.objects.create_user("staff-birch", "staff-birch@example.test", PASSWORD, home_agency=agency)
    role_grant(user=staff, agency=agency, role=Role.STAFF)
    course = Course.objects.create(agency=agency, code="IADP", name="IADP basic", validity_months=24)
    today = training_rules.agency_today(agency)
    officer = make_officer(agency, "J-7", last="Quillon", first="Dara", agreement=agreement)
    assert officer.status == Officer.Status.DESIGNATED  # with the checklist and ICE credential on file
    completed = today - timedelta(days=60)
    Certification.objects.create(
        agency=agency,
        officer=officer,
        course=course,
        completed_on=completed,
        expires_on=training_rules.certification_expires_on(completed, 24),
    )

    # Wall-clock times in Chicago, whole minutes: received 2 h ago, would be released 1 h ago.
    local_now = timezone.localtime(timezone=agency.zone).replace(second=0, microsecond=0)
    received_local = local_now - timedelta(hours=2)
    release_local = local_now - timedelta(hours=1)
    served_local = local_now - timedelta(minutes=5)
    release_utc = rules.local_to_utc(release_local.replace(tzinfo=None), agency.zone, fold=None)
    expected_deadline = in_zone(rules.hold_deadline(release_utc), agency)
    assert expected_deadline.endswith((" CST", " CDT"))

    page.goto(f"{live_server.url}/detainers/new/")
    assert_accessible(page)  # the sign-in page
    sign_in_page(page, "staff-birch", then=f"{live_server.url}/detainers/new/")
    assert_accessible(page)

    # Log the I-247A with no warrant.
    page.get_by_label("Subject's last name").fill("Varenko")
    page.get_by_label("Subject's first name").fill("Ilan")
    page.get_by_label("Booking number").fill("BC-26-0412")
    page.get_by_label("Underlying criminal charge").fill("Burglary of a vehicle (invented)")
    page.locator("#id_form").select_option(Detainer.Form.I247A.value)
    fill_local(page, page, "received_at", received_local)
    tick(page, "id_box_1_probable_cause")
    tick(page, "id_pc_basis_0")
    fill_local(page, page, "would_be_released_at", release_local)
    page.locator("#id_handling_officer").select_option(str(officer.pk))
    page.get_by_role("button", name="Log detainer").click()
    page.wait_for_url("**/detainers/*-*/")
    assert_accessible(page)
    detainer = Detainer.objects.get(booking_number="BC-26-0412")
    assert page.url == f"{live_server.url}/detainers/{detainer.public_id}/"
    assert detainer.warrant_type == "" and detainer.handling_officer_id == officer.pk

    # The page says why no hold is authorized: the R4.3 check failed.
    verdict = page.get_by_test_id("hold-verdict")
    assert "No hold authorized" in verdict.inner_text()
    assert f"{R4_3_MESSAGE} (R4.3)" in verdict.inner_text()
    warrant_row = page.get_by_test_id("legal-checks").locator("tr", has_text="Signed I-200 or I-205 attached")
    assert warrant_row.get_attribute("data-check") == "failed"
    assert R4_3_MESSAGE in warrant_row.inner_text()
    officer_row = page.get_by_test_id("legal-checks").locator("tr", has_text="Handling officer authorized")
    assert officer_row.get_attribute("data-check") == "passed"
    assert page.get_by_test_id("hold-deadline").inner_text().startswith(expected_deadline)

    # Attach the signed I-200.
    page.get_by_role("link", name="Edit", exact=True).click()
    page.wait_for_url(f"**/detainers/{detainer.public_id}/edit/")
    assert_accessible(page)
    page.locator("#id_warrant_type").select_option(Detainer.Warrant.I200.value)
    tick(page, "id_warrant_signed")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/detainers/{detainer.public_id}/")
    assert_accessible(page)
    assert "Detainer updated." in page.locator("main").inner_text()
    warrant_row = page.get_by_test_id("legal-checks").locator("tr", has_text="Signed I-200 or I-205 attached")
    assert warrant_row.get_attribute("data-check") == "passed"
    assert R4_3_MESSAGE not in page.get_by_test_id("hold-verdict").inner_text()

    # Still no hold until a copy is served on the subject (R4.5): record it on the custody board.
    page.goto(f"{live_server.url}/custody/")
    assert_accessible(page)
    row = page.get_by_test_id("board-row").filter(has_text="BC-26-0412")
    assert row.locator("td").nth(3).text_content().strip() == "No"
    # The quick action is a link; htmx loads its form into the row (keyboard: Enter on the link) and
    # moves the focus to the form's first input.
    row.get_by_test_id("action-service").focus()
    page.keyboard.press("Enter")
    service = row.get_by_test_id("custody-action-form")
    expect(service.locator('input[type="date"]')).to_be_focused()
    assert page.url == f"{live_server.url}/custody/"  # the shift did not leave the board
    assert_accessible(page)  # the form htmx swapped into the row
    service.locator('input[type="date"]').fill(served_local.strftime("%Y-%m-%d"))
    service.locator('input[type="time"]').fill(served_local.strftime("%H:%M"))
    service.get_by_label("Served by (name or badge)").fill("J-7")
    service.get_by_label("Language").fill("Ukrainian")  # R3.8: required for every service
    service.get_by_role("button", name="Record service on the subject").click()
    expect(page.locator("main")).to_contain_text("Service of the detainer recorded.")
    assert page.url == f"{live_server.url}/custody/"
    assert_accessible(page)

    # The board: the deadline in Chicago time and the hold authorized.
    row = page.get_by_test_id("board-row").filter(has_text="BC-26-0412")
    cells = row.locator("td")
    assert cells.nth(0).inner_text() == "BC-26-0412"
    assert cells.nth(1).inner_text() == expected_deadline
    assert cells.nth(3).text_content().strip() == "Yes"  # text_content: USWDS upper-cases tags on screen
    detainer.refresh_from_db()
    assert detainer.hold_deadline == release_utc + timedelta(hours=48)
