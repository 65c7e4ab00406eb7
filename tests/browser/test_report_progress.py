"""The reports page in a browser: a progress bar that updates by itself, and polling that stops.

While one of the viewer's own reports is unfinished the table asks ``/reports/status/`` every 5 s (htmx) and
shows "n of m parts"; once the report is ready the answer comes back without the polling trigger and the
page asks no more. Every state passes axe-core. Live server: nothing frozen.
"""

import time
from datetime import date

import pytest
from playwright.sync_api import expect

from compliance.core.models import Agency, Report, User
from compliance.core.roles import Role, role_grant
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page

pytestmark = pytest.mark.browser

SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@pytest.mark.django_db(transaction=True)
def test_the_progress_bar_follows_the_report_and_polling_stops_when_it_is_ready(page, live_server):
    agency = Agency.objects.create(name="Alder County Sheriff's Office", state="TX", time_zone="America/Chicago")
    supervisor = User.objects.create_user("super-alder", "super-alder@example.test", PASSWORD, home_agency=agency)
    role_grant(user=supervisor, agency=agency, role=Role.SUPERVISOR)
    report = Report.objects.create(
        agency=agency,
        kind=Report.Kind.TRAINING_ROSTER,
        as_of=date(2026, 3, 1),
        requested_by=supervisor,
        status=Report.Status.RENDERING,
        parts_total=4,
        parts_done=1,
    )
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url) if "/reports/status/" in request.url else None)
    page.goto(f"{live_server.url}/reports/")
    sign_in_page(page, "super-alder", then=f"{live_server.url}/reports/")
    progress = page.get_by_test_id("report-progress")
    expect(progress).to_have_attribute("value", "1")
    expect(progress).to_have_attribute("max", "4")
    expect(page.get_by_test_id("report-progress-text")).to_have_text("1 of 4 parts")
    assert_accessible(page)

    Report.objects.filter(pk=report.pk).update(parts_done=3)
    expect(page.get_by_test_id("report-progress-text")).to_have_text("3 of 4 parts", timeout=15_000)
    assert polls, "the page did not poll"

    Report.objects.filter(pk=report.pk).update(parts_done=4, status=Report.Status.READY, sha256=SHA)
    expect(page.get_by_test_id("report-status")).to_have_text("Ready", timeout=15_000)
    expect(page.get_by_test_id("report-sha256")).to_have_text(SHA)
    assert page.locator("#report-table[hx-trigger]").count() == 0
    assert_accessible(page)
    asked = len(polls)
    time.sleep(7)  # longer than the 5 s polling interval
    assert len(polls) == asked, "the page kept polling after the report was ready"
