"""The custody board's quick actions in a browser: plain links without JavaScript, inline forms with htmx.

The board renders no form (docs/performance.md "Detainer log"): each row's
quick action is a link to its own page. With JavaScript htmx loads that page's
form into the row, and a bad time comes back inline, next to the field, with
the focus on it. Live server: nothing frozen; times are picked relative to now.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from compliance.core.models import Agency, User
from compliance.core.roles import Role, role_grant
from incidents.detainers.models import Detainer
from tests.base import PASSWORD
from tests.incidents.helpers import make_detainer

pytestmark = pytest.mark.browser


def setup_board() -> tuple[Agency, Detainer]:
    agency = Agency.objects.create(name="Alder County Sheriff's Office", state="TX", time_zone="America/Chicago")
    staff = User.objects.create_user("staff-alder", "staff-alder@example.test", PASSWORD, home_agency=agency)
    role_grant(user=staff, agency=agency, role=Role.STAFF)
    now = timezone.now()
    detainer = make_detainer(
        agency,
        actor=staff,
        subject_last_name="Quarrington",
        booking_number="AC-26-0077",
        received_at=now - timedelta(hours=3),
        would_be_released_at=now - timedelta(hours=1),
    )
    return agency, detainer


def sign_in(page, live_server, path: str) -> None:
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("Username").fill("staff-alder")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}{path}")


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_quick_action_is_a_page_and_returns_to_the_board(browser, live_server):
    agency, detainer = setup_board()
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        board = f"/custody/?agency={agency.public_id}"
        sign_in(page, live_server, board)
        row = page.get_by_test_id("board-row").filter(has_text="AC-26-0077")
        assert row.locator("form").count() == 0
        row.get_by_role("link", name="ICE notified").click()
        page.wait_for_url(f"**/custody/{detainer.public_id}/ice-notified/?next=*")
        expect(page.get_by_role("heading", level=1)).to_have_text("Record ICE notified")
        assert "Quarrington" in page.get_by_test_id("custody-action-subject").inner_text()
        local_now = timezone.localtime(timezone=agency.zone) - timedelta(minutes=10)
        page.get_by_label("Date").fill(local_now.strftime("%Y-%m-%d"))
        page.get_by_label("Time", exact=True).fill(local_now.strftime("%H:%M"))
        page.get_by_role("button", name="Record ICE notified").click()
        page.wait_for_url(f"{live_server.url}{board}")
        expect(page.locator("main")).to_contain_text("ICE notification recorded.")
        detainer.refresh_from_db()
        assert detainer.ice_notified_at is not None
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_with_htmx_a_bad_time_comes_back_inline_next_to_the_field(page, live_server):
    agency, detainer = setup_board()
    sign_in(page, live_server, "/custody/")
    row = page.get_by_test_id("board-row").filter(has_text="AC-26-0077")
    row.get_by_role("link", name="Released").click()
    form = row.get_by_test_id("custody-action-form")
    date = form.get_by_label("Date")
    expect(date).to_be_focused()
    later = timezone.localtime(timezone=agency.zone) + timedelta(days=2)  # in the future: refused
    date.fill(later.strftime("%Y-%m-%d"))
    form.get_by_label("Time", exact=True).fill("10:00")
    form.get_by_role("button", name="Released").click()
    expect(form.locator(".usa-error-message")).to_have_text("This cannot be in the future.")
    expect(form.get_by_label("Date")).to_be_focused()
    assert page.url == f"{live_server.url}/custody/"
    detainer.refresh_from_db()
    assert detainer.outcome == Detainer.Outcome.PENDING
