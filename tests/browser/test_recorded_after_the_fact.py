"""Issue 9 point 2 in a browser: a past fact that broke a rule is recorded, never lost to a refusal.

A staff user logs, after the fact, a detainer whose warrant was served by an officer whose refresher
had lapsed that day. The form keeps everything typed and asks for an explanation; once given, the
record is saved, the "Handling officer authorized" check fails on its page, a finding is open and the
supervisor's alert (links only) is in the outbox; the supervisor follows the link to the finding.
Live server: nothing frozen; every time is picked relative to today.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from compliance.core.models import Agency, Agreement, AgreementModel, Finding, User
from compliance.core.roles import Role, role_grant
from incidents.detainers.models import Detainer
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page
from training.roster import rules as training_rules
from training.roster.models import Certification, Course, Officer

pytestmark = pytest.mark.browser

EXPLANATION = "Entered from the shift's paper log; the officer's refresher had lapsed and was missed (invented)."


def fill_local(scope, name: str, when) -> None:
    scope.locator(f"#id_{name}_0").fill(when.strftime("%Y-%m-%d"))
    scope.locator(f"#id_{name}_1").fill(when.strftime("%H:%M"))


def sign_in(page, live_server, username: str, path: str) -> None:
    page.goto(f"{live_server.url}{path}")
    assert_accessible(page)  # the sign-in page
    sign_in_page(page, username, then=f"{live_server.url}{path}")
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_staff_record_after_the_fact_a_detainer_handled_by_an_officer_whose_refresher_had_lapsed(page, live_server):
    agency = Agency.objects.create(name="Cedar County Sheriff's Office", state="TX", time_zone="America/Chicago")
    agreement = Agreement.objects.create(agency=agency, model=AgreementModel.JEM)
    staff = User.objects.create_user("staff-cedar", "staff-cedar@example.test", PASSWORD, home_agency=agency)
    role_grant(user=staff, agency=agency, role=Role.STAFF)
    supervisor = User.objects.create_user("sup-cedar", "sup-cedar@example.test", PASSWORD, home_agency=agency)
    role_grant(user=supervisor, agency=agency, role=Role.SUPERVISOR)
    course = Course.objects.create(agency=agency, code="IADP", name="IADP basic", validity_months=24)
    today = training_rules.agency_today(agency)
    officer = Officer.objects.create(
        agency=agency, badge_number="K-4", last_name="Ostrander", first_name="Mael", agreement=agreement
    )
    # The refresher ran out 20 days ago; the detainer was handled 10 days ago.
    Certification.objects.create(
        agency=agency,
        officer=officer,
        course=course,
        completed_on=today - timedelta(days=750),
        expires_on=today - timedelta(days=20),
    )
    local_now = timezone.localtime(timezone=agency.zone).replace(second=0, microsecond=0)
    booked = local_now - timedelta(days=11)
    received = local_now - timedelta(days=10, hours=2)
    served = local_now - timedelta(days=10)

    sign_in(page, live_server, "staff-cedar", "/detainers/new/")
    page.get_by_label("Subject's last name").fill("Vantongeren")
    page.get_by_label("Subject's first name").fill("Ilse")
    page.get_by_label("Booking number").fill("CC-26-0311")
    page.get_by_label("Underlying criminal charge").fill("Theft of a bicycle (invented)")
    fill_local(page, "booked_at", booked)
    fill_local(page, "received_at", received)
    page.locator("#id_warrant_type").select_option(Detainer.Warrant.I200.value)
    page.locator('label[for="id_warrant_signed"]').click()
    page.locator("#id_handling_officer").select_option(str(officer.pk))
    page.locator("#id_action").select_option("serve_warrant")
    fill_local(page, "action_at", served)
    page.get_by_role("button", name="Log detainer").click()

    # Not refused: the form asks for the explanation, next to its field, and keeps everything typed.
    error = page.locator("#id_explanation-error")
    expect(error).to_contain_text("What you are recording broke a rule")
    expect(error).to_contain_text(f"was not authorized to use 287(g) authority on {served:%Y-%m-%d}")
    expect(page.get_by_label("Booking number")).to_have_value("CC-26-0311")
    assert not Detainer.objects.exists()
    assert_accessible(page)  # the form shown again with its errors
    page.locator("#id_explanation").fill(EXPLANATION)
    page.get_by_role("button", name="Log detainer").click()
    page.wait_for_url("**/detainers/*-*/")
    assert_accessible(page)

    # Saved, with the failed check shown and the explanation on the record's page.
    detainer = Detainer.objects.get(booking_number="CC-26-0311")
    assert page.url == f"{live_server.url}/detainers/{detainer.public_id}/"
    expect(page.locator("main")).to_contain_text("It records a fact that broke a rule (R2.4, R2.7)")
    officer_row = page.get_by_test_id("legal-checks").locator("tr", has_text="Handling officer authorized")
    assert officer_row.get_attribute("data-check") == "failed"
    expect(officer_row).to_contain_text(f"not authorized to use 287(g) authority on {served:%Y-%m-%d}")
    expect(page.get_by_test_id("rule-break-explanation")).to_have_text(EXPLANATION)
    assert detainer.explanation == EXPLANATION

    # The finding, and the supervisor's alert carrying links only.
    finding = Finding.objects.get(object_id=detainer.pk, kind=Finding.Kind.OFFICER_NOT_AUTHORIZED)
    assert (finding.status, finding.agency_id) == (Finding.Status.OPEN, agency.pk)
    [alert] = [m for m in mail.outbox if "sup-cedar@example.test" in m.to]
    assert f"/findings/{finding.public_id}/" in alert.body
    for secret in ("Vantongeren", "CC-26-0311", "Ostrander"):
        assert secret not in alert.body

    # The supervisor follows the alert's link to the finding, which leads back to the detainer.
    page.get_by_role("button", name="Sign out").click()
    finding_path = re.search(r"(/findings/[0-9a-f-]+/)", alert.body).group(1)
    sign_in(page, live_server, "sup-cedar", finding_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("287(g) action by an officer not authorized that day")
    expect(page.get_by_test_id("finding-status")).to_contain_text("Open")
    page.get_by_test_id("finding-record").click()
    page.wait_for_url(f"**/detainers/{detainer.public_id}/")
    assert_accessible(page)
