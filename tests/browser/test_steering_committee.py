"""A supervisor reads the demo steering committee in a real browser and approves the minutes awaiting approval."""

import pytest
from django.core.management import call_command

from community.steering_committee.models import CommitteeMeeting
from compliance.core.models import User
from compliance.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_demo_supervisor_reads_the_committee_and_approves_the_waiting_minutes(page, live_server, settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    agency = User.objects.get(username="demo-supervisor").home_agency
    waiting = CommitteeMeeting.objects.get(agency=agency, status="held", minutes_approved_on__isnull=True)

    page.goto(f"{live_server.url}/outreach/committee/")
    sign_in_page(page, "demo-supervisor", password=DEMO_PASSWORD, then=f"{live_server.url}/outreach/committee/")
    assert_accessible(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Steering committee"
    assert page.get_by_test_id("current-members").locator("tbody tr").count() == 4
    assert page.get_by_test_id("past-members").locator("tbody tr").count() == 1
    assert "Awaiting approval" in page.get_by_test_id("past-meetings").inner_text()

    page.goto(f"{live_server.url}/outreach/committee/meetings/{waiting.public_id}/")
    assert_accessible(page)
    assert page.get_by_test_id("quorum").inner_text().startswith("Quorum: ")
    page.get_by_role("link", name="Approve the minutes").click()
    assert_accessible(page)
    page.get_by_role("button", name="Approve the minutes").click()
    page.wait_for_url(f"{live_server.url}/outreach/committee/meetings/{waiting.public_id}/")
    assert page.get_by_test_id("minutes-approval").inner_text().startswith("Approved on ")
    waiting.refresh_from_db()
    assert waiting.minutes_approved_by.username == "demo-supervisor"
