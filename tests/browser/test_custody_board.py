"""The custody board in a browser: quick actions without JavaScript and with htmx, on a tablet, and its self-refresh.

The board renders no form (docs/performance.md "Detainer log"): each row's
quick action is a link to its own page. With JavaScript htmx loads that page's
form into the row, and a bad time comes back inline, next to the field, with
the focus on it. On a 768 × 1024 tablet each row is a card whose quick actions
are in view (no sideways scrolling) and big enough to tap. The rows refresh
themselves (htmx polling), except while a quick-action form is open. Every page
state visited passes axe-core (``tests.browser.axe``). Live server: nothing
frozen; times are picked relative to now.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from compliance.core.models import Agency, User
from compliance.core.roles import Role, role_grant
from incidents.detainers.models import Detainer
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible, assert_accessible_as_served
from tests.browser.signin import sign_in_page
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
    sign_in_page(page, "staff-alder", then=f"{live_server.url}{path}")


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_quick_action_is_a_page_and_returns_to_the_board(browser, live_server):
    agency, detainer = setup_board()
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        board = f"/custody/?agency={agency.public_id}"
        sign_in(page, live_server, board)
        assert_accessible_as_served(page)
        row = page.get_by_test_id("board-row").filter(has_text="AC-26-0077")
        assert row.locator("form").count() == 0
        row.get_by_role("link", name="ICE notified").click()
        page.wait_for_url(f"**/custody/{detainer.public_id}/ice-notified/?next=*")
        expect(page.get_by_role("heading", level=1)).to_have_text("Record ICE notified")
        assert_accessible_as_served(page)
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
    assert_accessible(page)
    assert page.url == f"{live_server.url}/custody/"
    detainer.refresh_from_db()
    assert detainer.outcome == Detainer.Outcome.PENDING


TABLET = {"width": 768, "height": 1024}
#: WCAG 2.5.5 (AAA) target size, which the board's quick actions meet: 44 × 44 CSS pixels.
TOUCH_TARGET = 44


@pytest.mark.django_db(transaction=True)
def test_on_a_768_pixel_tablet_the_quick_actions_are_in_view_big_enough_to_tap_and_work(browser, live_server):
    agency, detainer = setup_board()
    context = browser.new_context(viewport=TABLET, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server, "/custody/")
        assert_accessible(page)
        # Nothing to scroll sideways: not the page, not the table's own container.
        assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
        container = page.locator(".app-custody-board-container")
        assert container.evaluate("el => el.scrollWidth <= el.clientWidth")
        row = page.get_by_test_id("board-row").filter(has_text="AC-26-0077")
        links = row.locator(".app-quick-action")
        assert links.count() == 4
        for index in range(4):
            box = links.nth(index).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= TABLET["width"], box
            assert box["width"] >= TOUCH_TARGET and box["height"] >= TOUCH_TARGET, box
        row.get_by_role("link", name="ICE notified").tap()
        form = row.get_by_test_id("custody-action-form")
        expect(form.get_by_label("Date")).to_be_focused()
        assert_accessible(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
        told = timezone.localtime(timezone=agency.zone) - timedelta(minutes=5)
        form.get_by_label("Date").fill(told.strftime("%Y-%m-%d"))
        form.get_by_label("Time", exact=True).fill(told.strftime("%H:%M"))
        form.get_by_role("button", name="Record ICE notified").tap()
        expect(page.locator("main")).to_contain_text("ICE notification recorded.")
        row = page.get_by_test_id("board-row").filter(has_text="AC-26-0077")
        expect(row).to_contain_text(f"ICE notified {told:%Y-%m-%d %H:%M}")
        assert_accessible(page)
        detainer.refresh_from_db()
        assert detainer.ice_notified_at is not None
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_the_rows_refresh_themselves_but_not_while_a_quick_action_is_open(page, live_server):
    agency, detainer = setup_board()
    sign_in(page, live_server, "/custody/")
    expect(page.get_by_test_id("board-row")).to_have_count(1)
    staff = User.objects.get(username="staff-alder")
    make_detainer(agency, actor=staff, number=2, subject_last_name="Newcomer", booking_number="AC-26-0078")
    # The poll's own trigger, fired now instead of in a minute.
    with page.expect_response("**/custody/rows/**"):
        page.evaluate("htmx.trigger('#custody-board-rows', 'refresh')")
    expect(page.get_by_test_id("board-row")).to_have_count(2)
    expect(page.get_by_test_id("board-rows")).to_contain_text("Newcomer")
    assert_accessible(page)
    # With a quick-action form open in a row, a refresh is skipped: the form and what was typed stay.
    row = page.get_by_test_id("board-row").filter(has_text="AC-26-0077")
    row.get_by_role("link", name="Released").click()
    form = row.get_by_test_id("custody-action-form")
    form.get_by_label("Date").fill("2026-01-02")
    make_detainer(agency, actor=staff, number=3, subject_last_name="Latecomer", booking_number="AC-26-0079")
    page.evaluate("htmx.trigger('#custody-board-rows', 'refresh')")
    page.wait_for_timeout(500)
    expect(form.get_by_label("Date")).to_have_value("2026-01-02")
    expect(page.get_by_test_id("board-rows")).not_to_contain_text("Latecomer")
