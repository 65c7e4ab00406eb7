"""A supervisor signs in through a real browser and reads the dashboard figures."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from compliance.core.models import User
from compliance.dashboard import dashboard_figures
from compliance.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_demo_supervisor_signs_in_and_sees_the_dashboard_figures(page, live_server, settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    supervisor = User.objects.get(username="demo-supervisor")
    agency = supervisor.home_agency
    expected = dashboard_figures(agency=agency, now=timezone.now())

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert_accessible(page)
    sign_in_page(page, "demo-supervisor", password=DEMO_PASSWORD, then=f"{live_server.url}/")
    assert_accessible(page)

    testid = page.get_by_test_id
    assert testid("dashboard-agency").inner_text() == agency.name
    assert testid("header-role").text_content() == "Supervisor"
    roster = expected.roster
    # The seeded agency has officers in every state; the page shows exactly the stored figures.
    assert roster["current"] > 0 and roster["expiring"] > 0 and roster["expired"] > 0
    assert testid("officers-current").inner_text() == str(roster["current"])
    assert testid("officers-expiring").inner_text() == str(roster["expiring"])
    assert testid("officers-expired").inner_text() == str(roster["expired"])
    assert testid("officers-missing").inner_text() == str(roster["missing"])
    assert testid("detainers-overdue").first.inner_text() == str(expected.detainers_overdue_count)
    assert testid("incidents-open-total").inner_text() == str(expected.incidents_open_total)
    assert testid("outreach-quarter").inner_text() == str(expected.outreach_quarter_count)
    # Issue #13 item 7: the review queue, open findings by age, the three trend charts with their data tables.
    assert testid("review-queue").inner_text() == str(expected.review_queue_count)
    assert testid("findings-open-total").inner_text() == str(expected.findings_open_total)
    assert testid("trend-chart").count() == 3
    assert testid("trend-table").count() == 3

    # Keyboard users reach the roster from the navigation.
    page.get_by_role("link", name="Roster").click()
    page.wait_for_url(f"{live_server.url}/roster/")
    assert page.get_by_role("heading", level=1).count() == 1
    assert_accessible(page)
