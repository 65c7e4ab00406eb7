"""A jail clerk fills the detainer form on a tablet: sections, the error summary, and the agreement default.

At 768 × 1024 the clerk opens "Log a detainer" in an agency with a JEM and a WSO
agreement in force. Choosing the 287(g) action (an interview) preselects the JEM,
the one whose model covers it (R1.6). Submitting with fields missing shows the
error summary, which takes the focus; its link takes the focus to the field. Once
filled in, the detainer is logged under the JEM. Every page state passes axe-core.
Live server: nothing frozen; times are picked relative to now.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from compliance.core.models import Agency, Agreement, AgreementModel, User
from compliance.core.roles import Role, role_grant
from incidents.detainers.models import Detainer
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page

pytestmark = pytest.mark.browser

TABLET = {"width": 768, "height": 1024}


@pytest.mark.django_db(transaction=True)
def test_a_clerk_fills_the_sectioned_form_guided_by_the_error_summary(browser, live_server):
    agency = Agency.objects.create(name="Cedar County Sheriff's Office", state="TX", time_zone="America/Chicago")
    jem = Agreement.objects.create(agency=agency, model=AgreementModel.JEM)
    Agreement.objects.create(agency=agency, model=AgreementModel.WSO)
    clerk = User.objects.create_user("clerk-cedar", "clerk-cedar@example.test", PASSWORD, home_agency=agency)
    role_grant(user=clerk, agency=agency, role=Role.STAFF)
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/detainers/new/")
        sign_in_page(page, "clerk-cedar", then=f"{live_server.url}/detainers/new/")
        sections = page.get_by_test_id("form-section")
        expect(sections).to_have_count(6)
        assert [sections.nth(i).get_attribute("data-section") for i in range(6)] == [
            "subject",
            "charge",
            "detainer",
            "service",
            "release",
            "outcome",
        ]
        assert_accessible(page)

        # Two agreements in force: none is guessed until the action says which model covers it.
        agreement = page.locator("#id_agreement")
        expect(agreement).to_have_value("")
        page.locator("#id_action").select_option("interview")
        expect(agreement).to_have_value(str(jem.pk))

        page.get_by_role("button", name="Log detainer").click()
        summary = page.get_by_test_id("error-summary")
        expect(summary).to_be_focused()
        expect(summary.get_by_role("link")).to_have_count(5)  # a first name is optional (single names)
        expect(page).to_have_title("Error: Log a detainer · 287(g) compliance")
        assert_accessible(page)
        summary.get_by_role("link", name="Subject's last name: This field is required.").click()
        expect(page.locator("#id_subject_last_name")).to_be_focused()

        page.locator("#id_subject_last_name").fill("Clerkperson")
        page.locator("#id_subject_first_name").fill("Sam")
        page.locator("#id_booking_number").fill("CC-26-0101")
        page.locator("#id_underlying_charge").fill("Burglary (invented)")
        local = timezone.localtime(timezone=agency.zone)
        received = local - timedelta(hours=2)
        page.locator("#id_received_at_0").fill(received.strftime("%Y-%m-%d"))
        page.locator("#id_received_at_1").fill(received.strftime("%H:%M"))
        acted = local - timedelta(hours=1)
        page.locator("#id_action_at_0").fill(acted.strftime("%Y-%m-%d"))
        page.locator("#id_action_at_1").fill(acted.strftime("%H:%M"))
        expect(agreement).to_have_value(str(jem.pk))  # kept through the round trip with errors
        page.get_by_role("button", name="Log detainer").click()
        expect(page.locator("main")).to_contain_text("Detainer logged.")
        assert_accessible(page)
        detainer = Detainer.objects.get(booking_number="CC-26-0101")
        assert (detainer.agreement, detainer.action) == (jem, "interview")
    finally:
        context.close()
