"""The MOA checklist in a browser: an administrator applies the shipped requirements, checks now, confirms one and
attaches a document with a refused file first (the error summary takes the focus); axe-core on every page, 768 px."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from compliance.core.models import Agency, Agreement, User
from compliance.core.roles import Role, role_grant
from compliance.moa.templates import templates_for
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_an_administrator_builds_the_checklist_and_attaches_evidence(page, live_server, tmp_path):
    agency = Agency.objects.create(name="Alder County Sheriff's Office", state="TX", time_zone="America/Chicago")
    agreement = Agreement.objects.create(
        agency=agency, model="JEM", signed_on=timezone.localdate() - timedelta(days=700)
    )
    user = User.objects.create_user("admin-alder", "admin-alder@example.test", PASSWORD, home_agency=agency)
    role_grant(user=user, agency=agency, role=Role.ADMINISTRATOR)
    page.set_viewport_size({"width": 768, "height": 1000})
    url = f"{live_server.url}/moa/"
    page.goto(url)
    sign_in_page(page, "admin-alder", then=url)
    assert_accessible(page)

    page.get_by_role("link", name=str(agreement)).click()
    expect(page.get_by_text("This agreement has no requirements yet.")).to_be_visible()
    page.get_by_test_id("apply-templates").click()
    expect(page.get_by_test_id("requirement")).to_have_count(len(templates_for("JEM")))
    expect(page.get_by_test_id("unconfirmed").first).to_contain_text("Check against your signed MOA")
    assert_accessible(page)

    page.get_by_test_id("check-now").click()
    media = page.locator('[data-key="media-relations"]')
    expect(media.get_by_test_id("status")).to_have_text("Not met")
    expect(media.get_by_test_id("reason")).to_have_text("No valid document is attached.")
    duration = page.locator('[data-key="duration"]')
    expect(duration.get_by_test_id("status")).to_have_text("Met")
    duration.get_by_role(
        "button", name="Confirm “Agreement in force and renewed on time” matches our signed MOA"
    ).click()
    expect(page.locator('[data-key="duration"]').get_by_test_id("unconfirmed")).to_have_count(0)

    page.locator('[data-key="media-relations"]').get_by_role("link", name="Attach a document").click()
    assert_accessible(page)
    bad = tmp_path / "policy.pdf"
    bad.write_bytes(b"MZ this is no PDF")
    page.get_by_label("Title").fill("Media policy")
    page.get_by_label("File").set_input_files(str(bad))
    page.get_by_role("button", name="Attach").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("is not a PDF, PNG or JPEG file")
    assert_accessible(page)

    from tests.community.helpers import pdf_bytes

    good = tmp_path / "media-policy.pdf"
    good.write_bytes(pdf_bytes())
    page.get_by_label("Title").fill("Media policy")
    page.get_by_label("File").set_input_files(str(good))
    page.get_by_role("button", name="Attach").click()
    page.get_by_test_id("check-now").click()
    media = page.locator('[data-key="media-relations"]')
    expect(media.get_by_test_id("status")).to_have_text("Met")
    expect(media.get_by_test_id("documents")).to_contain_text("Media policy")
    assert_accessible(page)
