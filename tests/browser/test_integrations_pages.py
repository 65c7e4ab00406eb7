"""The integrations pages in a browser (issue #15 item 3): an administrator creates an integration, copies the
token shown once, and revokes it; axe-core on each page, the list usable at 768 px."""

import pytest
from playwright.sync_api import expect

from compliance.core.models import Agency, Integration, User
from compliance.core.roles import Role, role_grant
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_an_administrator_creates_an_integration_sees_its_token_once_and_revokes_it(page, live_server):
    agency = Agency.objects.create(name="Alder County Sheriff's Office", state="TX", time_zone="America/Chicago")
    user = User.objects.create_user("admin-alder", "admin-alder@example.test", PASSWORD, home_agency=agency)
    role_grant(user=user, agency=agency, role=Role.ADMINISTRATOR)
    page.set_viewport_size({"width": 768, "height": 1000})
    url = f"{live_server.url}/integrations/"
    page.goto(url)
    sign_in_page(page, "admin-alder", then=url)
    assert_accessible(page)

    page.get_by_test_id("integration-create-link").click()
    page.get_by_role("button", name="Create and show the token").click()
    expect(page.get_by_test_id("error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("What the system is").fill("Jail management system (invented)")
    page.get_by_role("button", name="Create and show the token").click()
    token = page.get_by_test_id("token").input_value()
    assert token.startswith("pgc_")
    assert_accessible(page)

    page.get_by_role("link", name="Done").click()
    expect(page.get_by_test_id("integration-row")).to_have_attribute("data-status", "active")
    assert token not in page.content()
    page.get_by_test_id("revoke-link").click()
    assert_accessible(page)
    page.get_by_test_id("revoke-confirm").click()
    expect(page.get_by_test_id("integration-row")).to_have_attribute("data-status", "revoked")
    assert_accessible(page)
    assert Integration.objects.get().revoked_at is not None
