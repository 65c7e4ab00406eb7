"""A supervisor looks a subject up by A-number and an officer by name without either reaching the address bar,
then an auditor reads the sign-ins and the look-ups on the access-log page (SECURITY.md F6, D1, D3)."""

import pytest

from compliance.core.models import Agency, Agreement, AgreementModel, User
from compliance.core.roles import Role, role_grant
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page
from tests.compliance.helpers import make_officer
from tests.incidents.helpers import make_detainer

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_F6_look_ups_stay_out_of_the_address_and_D1_sign_ins_reach_the_access_log(page, live_server):
    agency = Agency.objects.create(name="Alder County Sheriff's Office", state="TX", time_zone="America/Chicago")
    Agreement.objects.create(agency=agency, model=AgreementModel.JEM)
    supervisor = User.objects.create_user("supervisor", "s@example.test", PASSWORD, home_agency=agency)
    role_grant(user=supervisor, agency=agency, role=Role.SUPERVISOR)
    auditor = User.objects.create_user("auditor", "a@example.test", PASSWORD, home_agency=agency)
    role_grant(user=auditor, agency=agency, role=Role.AUDITOR)
    make_detainer(agency, actor=supervisor, booking_number="BK-77", a_number="A087654321")
    make_officer(agency, 1, last_name="Quillfeather")
    make_officer(agency, 2, last_name="Otherwise")

    page.goto(f"{live_server.url}/detainers/")
    sign_in_page(page, "supervisor", then=f"{live_server.url}/detainers/")
    page.get_by_role("textbox", name="Booking number or A-number").fill("A087654321")
    page.get_by_role("button", name="Find by number").click()
    page.get_by_test_id("number-search-on").wait_for()
    assert "087654321" not in page.url
    assert page.get_by_text("BK-77").count() >= 1
    assert_accessible(page)

    page.goto(f"{live_server.url}/roster/")
    page.get_by_role("textbox", name="Name or badge").fill("Quillfeather")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_test_id("roster-search-on").wait_for()
    assert "quillfeather" not in page.url.lower()
    assert page.get_by_text("Otherwise").count() == 0
    assert_accessible(page)

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/access-log/")
    sign_in_page(page, "auditor", then=f"{live_server.url}/access-log/")
    page.get_by_role("combobox", name="Action").select_option("sign_in")
    page.get_by_role("button", name="Filter").click()
    page.get_by_test_id("access-log-table").wait_for()
    rows = page.get_by_test_id("access-row")
    assert rows.count() == 2  # the supervisor's sign-in and the auditor's
    assert "087654321" not in page.content() and "Quillfeather" not in page.content()
    assert_accessible(page)
