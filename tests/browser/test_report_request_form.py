"""The report request form in a browser, as a keyboard user: the error summary takes the focus even when the
form was reached through "Skip to main content" (the address then ends in ``#main-content``), and the
"What “as of” means" choices are one group named by its legend. axe-core on the form and on its errors.
"""

import pytest
from playwright.sync_api import expect

from compliance.core.models import Agency, User
from compliance.core.roles import Role, role_grant
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_errors_take_the_focus_after_the_skip_link_and_the_basis_is_a_named_group(page, live_server):
    agency = Agency.objects.create(name="Birch County Sheriff's Office", state="TX", time_zone="America/Chicago")
    supervisor = User.objects.create_user("super-birch", "super-birch@example.test", PASSWORD, home_agency=agency)
    role_grant(user=supervisor, agency=agency, role=Role.SUPERVISOR)
    form_url = f"{live_server.url}/reports/request/"
    page.goto(form_url)
    sign_in_page(page, "super-birch", then=form_url)

    basis = page.get_by_role("group", name="What “as of” means")
    expect(basis).to_be_visible()
    expect(basis.get_by_role("radio")).to_have_count(3)
    expect(page.get_by_test_id("exports-remaining")).to_contain_text("You can request 10 more reports this hour")
    assert_accessible(page)

    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{form_url}#main-content")
    page.get_by_label("Period to (as of)").fill("2999-01-01")  # after today: refused
    page.get_by_label("Period to (as of)").press("Enter")
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    # A refused request does not use up the allowance.
    expect(page.get_by_test_id("exports-remaining")).to_contain_text("You can request 10 more reports this hour")
    assert_accessible(page)
