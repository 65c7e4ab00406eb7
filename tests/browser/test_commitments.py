"""A member of staff follows a commitment from the dashboard to done through a real browser (axe on every page)."""

import pytest
from django.core.management import call_command

from community.models import Commitment
from compliance.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_demo_staff_records_the_overdue_commitment_done(page, live_server, settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    overdue = Commitment.objects.get(description__startswith="Publish the quarterly detainer figures")

    page.goto(f"{live_server.url}/")
    sign_in_page(page, "demo-staff", password=DEMO_PASSWORD, then=f"{live_server.url}/")
    testid = page.get_by_test_id
    # The presentation's publication promise and the last committee meeting's action item.
    assert testid("commitments-overdue").inner_text() == "2"
    testid("commitment-deadlines").get_by_role("link", name="2 overdue").click()
    page.wait_for_url("**/outreach/commitments/?**show=overdue")
    assert_accessible(page)
    assert testid("commitment-row").count() == 2
    assert testid("overdue-tag").count() == 2

    page.get_by_role("link", name=overdue.description).click()
    page.wait_for_url(f"**/outreach/commitments/{overdue.public_id}/")
    assert_accessible(page)
    page.get_by_role("link", name="Record it done").click()
    page.wait_for_url("**/done/")
    assert_accessible(page)
    page.get_by_role("button", name="Record a commitment done").click()  # no evidence: refused, nothing saved
    assert testid("error-summary").is_visible()
    assert_accessible(page)
    page.get_by_label("Evidence").fill("Published on the county website, page 'Detainer figures' (demo).")
    page.get_by_role("button", name="Record a commitment done").click()
    page.wait_for_url(f"**/outreach/commitments/{overdue.public_id}/")
    assert testid("status").inner_text() == "Done"
    assert_accessible(page)
    overdue.refresh_from_db()
    assert overdue.status == Commitment.Status.DONE

    page.get_by_role("link", name="All commitments").click()
    assert_accessible(page)
    page.get_by_label("Status").select_option("done")
    page.get_by_role("button", name="Show", exact=True).last.click()
    page.wait_for_url("**show=done**")
    assert testid("commitment-row").count() == 2
