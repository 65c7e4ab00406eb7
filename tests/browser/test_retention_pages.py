"""The retention schedules page and a legal hold in a browser: axe-core on the page and on its errors (the summary
takes the focus), the defaults marked until confirmed; a supervisor places a hold from a detainer's page and the
page says "Under legal hold"."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from compliance.core.models import Agency, User
from compliance.core.roles import Role, role_grant
from incidents.detainers.models import Detainer
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page

pytestmark = pytest.mark.browser


def _user(username: str, agency: Agency, role: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.test", PASSWORD, home_agency=agency)
    role_grant(user=user, agency=agency, role=role)
    return user


@pytest.mark.django_db(transaction=True)
def test_an_administrator_confirms_the_schedules_and_a_too_short_audit_period_is_refused(page, live_server):
    agency = Agency.objects.create(name="Alder County Sheriff's Office", state="TX", time_zone="America/Chicago")
    _user("admin-alder", agency, Role.ADMINISTRATOR)
    url = f"{live_server.url}/retention/settings/"
    page.goto(url)
    sign_in_page(page, "admin-alder", then=url)

    expect(page.get_by_test_id("default-marker").first).to_contain_text("Default — check against your records schedule")
    assert_accessible(page)
    page.get_by_label("Access log and account events (days)").fill("200")
    page.get_by_role("button", name="Save and confirm").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("at least 365 days")
    assert_accessible(page)

    page.get_by_label("Access log and account events (days)").fill("400")
    page.get_by_role("button", name="Save and confirm").click()
    expect(page.get_by_test_id("confirmed")).to_contain_text("Confirmed by")
    expect(page.get_by_test_id("default-marker")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_places_a_legal_hold_from_the_detainer_page(page, live_server):
    agency = Agency.objects.create(name="Rowan County Sheriff's Office", state="TX", time_zone="America/Chicago")
    _user("super-rowan", agency, Role.SUPERVISOR)
    detainer = Detainer.objects.create(
        agency=agency,
        subject_last_name="Invented",
        booking_number="RW-1",
        underlying_charge="Invented",
        received_at=datetime(2026, 1, 5, 15, 0, tzinfo=UTC),
    )
    url = f"{live_server.url}/detainers/{detainer.public_id}/"
    page.goto(url)
    sign_in_page(page, "super-rowan", then=url)

    page.get_by_test_id("place-legal-hold").click()
    assert_accessible(page)
    page.get_by_role("button", name="Place the hold").click()
    expect(page.get_by_test_id("error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Reason").select_option("litigation")
    page.get_by_label("Reference").fill("CV-2026-0042")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.get_by_test_id("legal-hold")).to_contain_text("Under legal hold: Litigation, reference CV-2026-0042")
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_a_shortening_that_purges_now_is_shown_and_confirmed_and_the_page_fits_768_px(page, live_server):
    agency = Agency.objects.create(name="Birch County Sheriff's Office", state="TX", time_zone="America/Chicago")
    _user("admin-birch", agency, Role.ADMINISTRATOR)
    Detainer.objects.create(
        agency=agency,
        subject_last_name="Invented",
        booking_number="BI-1",
        underlying_charge="Invented",
        received_at=datetime(2026, 1, 5, 15, 0, tzinfo=UTC),
        outcome=Detainer.Outcome.RELEASED,
        outcome_at=datetime(2026, 1, 6, 15, 0, tzinfo=UTC),
    )
    page.set_viewport_size({"width": 768, "height": 1000})
    url = f"{live_server.url}/retention/settings/"
    page.goto(url)
    sign_in_page(page, "admin-birch", then=url)

    expect(page.get_by_test_id("no-purges")).to_contain_text("No purge has run yet")
    page.get_by_label("Detainer subject data (days)").fill("0")
    page.get_by_role("button", name="Save and confirm").click()
    expect(page.get_by_test_id("purge-warning")).to_contain_text("remove the personal data of 1 detainer subjects")
    expect(page.get_by_test_id("error-summary")).to_be_focused()
    assert_accessible(page)
    page.locator("label[for=id_confirm_purge]").click()  # USWDS draws the box on the label
    page.get_by_role("button", name="Save and confirm").click()
    expect(page.get_by_test_id("confirmed")).to_contain_text("Confirmed by")
    expect(page.get_by_test_id("next-purge")).to_contain_text("Detainer subjects' personal data: 1 to remove")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    assert_accessible(page)
