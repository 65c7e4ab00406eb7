"""The inspection-readiness page in a browser (issue #15 item 2): a supervisor opens it from the reports page,
reads each requirement with its evidence, picks a period by keyboard, meets a refused period's message, and requests
the PDF. axe-core on the index, the page and the refused period, at 768 px wide as well.
"""

from datetime import date

import pytest
from playwright.sync_api import expect

from compliance.core.audit import acting_as
from compliance.core.models import Agency, Agreement, AgreementModel, AgreementRequirement, Clause, User
from compliance.core.roles import Role, role_grant
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_reads_the_requirements_picks_a_period_and_requests_the_pdf(page, live_server):
    agency = Agency.objects.create(name="Birch County Sheriff's Office", state="TX", time_zone="America/Chicago")
    supervisor = User.objects.create_user("super-birch", "super-birch@example.test", PASSWORD, home_agency=agency)
    role_grant(user=supervisor, agency=agency, role=Role.SUPERVISOR)
    agreement = Agreement.objects.create(
        agency=agency, model=AgreementModel.JEM, signed_on=date(2024, 1, 15), expires_on=date(2030, 1, 15)
    )
    with acting_as(supervisor, reason="test setup"):
        for position, (clause, title, evidence) in enumerate(
            [
                (Clause.DURATION, "Agreement signed and in force", "agreement_term"),
                (Clause.COMPLAINTS, "Complaint procedure published", "document"),
            ]
        ):
            AgreementRequirement.objects.create(
                agency=agency,
                agreement=agreement,
                key=f"req-{position}",
                clause=clause,
                title=title,
                text=f"{title} (invented).",
                evidence=evidence,
                position=position,
            )
    reports_url = f"{live_server.url}/reports/"
    page.goto(reports_url)
    sign_in_page(page, "super-birch", then=reports_url)

    page.get_by_test_id("inspection-readiness").click()
    expect(page.get_by_role("heading", name="Inspection readiness", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Jail Enforcement Model", exact=False).click()

    expect(page.get_by_role("heading", name="Agreement signed and in force")).to_be_visible()
    expect(page.get_by_role("heading", name="Complaint procedure published")).to_be_visible()
    expect(page.get_by_text("No valid document is attached.")).to_be_visible()
    expect(page.get_by_test_id("inspection-summary")).to_contain_text("Not met")
    assert_accessible(page)

    # A reversed period, typed and sent by keyboard: the message is next to the field and in the summary.
    page.get_by_label("Period from").fill("2026-03-31")
    page.get_by_label("Period to").fill("2026-01-01")
    page.get_by_label("Period to").press("Enter")
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("The period cannot start after its last day")
    assert_accessible(page)

    page.get_by_role("link", name="Last full quarter").click()
    expect(page.get_by_role("heading", name="Agreement signed and in force")).to_be_visible()

    page.set_viewport_size({"width": 768, "height": 1024})
    assert_accessible(page)
    page.get_by_role("button", name="Request PDF of this period").click()
    page.wait_for_url(f"{live_server.url}/reports/")
    expect(page.get_by_text("Inspection readiness", exact=False).first).to_be_visible()
