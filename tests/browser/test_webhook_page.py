"""The webhook page of an integration in a browser (issue #15 item 4): axe-core on the page, on its field error
(the summary takes the focus), on the one-time secret and on a test event's answer from a real loopback receiver;
usable at 768 px; a failed delivery sent again."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from compliance.core.feed import feed_emit
from compliance.core.models import Agency, FeedEvent, Integration, User, WebhookDelivery
from compliance.core.roles import Role, role_grant
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page
from tests.compliance.webhook_helpers import Receiver, make_integration

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_an_administrator_sets_the_webhook_sees_the_secret_once_and_sends_a_test(page, live_server, settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    agency = Agency.objects.create(name="Alder County Sheriff's Office", state="TX", time_zone="America/Chicago")
    admin = User.objects.create_user("admin-hook", "admin-hook@example.test", PASSWORD, home_agency=agency)
    role_grant(user=admin, agency=agency, role=Role.ADMINISTRATOR)
    integration, _ = make_integration(agency, created_by=admin, name="Jail management system")
    event, _ = feed_emit(
        agency=agency,
        kind=FeedEvent.Kind.FINDING_OPENED,
        record=agency,
        occurred_at=datetime(2026, 12, 1, 15, 0, tzinfo=UTC),
        data={},
        dedup_key="browser:1",
    )
    page.set_viewport_size({"width": 768, "height": 1000})
    url = f"{live_server.url}/integrations/{integration.public_id}/webhook/"
    page.goto(url)
    sign_in_page(page, "admin-hook", then=url)
    expect(page.get_by_role("heading", name="Webhook of Jail management system")).to_be_visible()
    expect(page.get_by_test_id("no-deliveries")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Webhook address").fill("http://jms.example.gov/hooks")
    page.get_by_role("button", name="Save the address").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("https://")
    assert_accessible(page)

    with Receiver() as receiver:
        settings.WEBHOOK_ALLOW_HTTP = True
        page.get_by_label("Webhook address").fill(receiver.url)
        page.get_by_role("button", name="Save the address").click()
        secret = page.get_by_role("textbox", name="Signing secret")
        expect(secret).to_have_value(Integration.objects.get(pk=integration.pk).webhook_secret)
        assert_accessible(page)
        page.get_by_role("button", name="Send a test event").click()
        expect(page.get_by_test_id("webhook-test-result")).to_contain_text("the address answered 200")
        expect(page.get_by_test_id("webhook-secret")).to_have_count(0)
        assert_accessible(page)
    assert len(receiver.requests) == 1

    WebhookDelivery.objects.create(
        event=event, integration=integration, state="failed", attempts=8, created_at=event.occurred_at
    )
    page.goto(url)
    expect(page.get_by_test_id("webhook-deliveries")).to_contain_text("Failed")
    assert_accessible(page)
    page.get_by_role("button", name="Send again").click()
    expect(page.get_by_test_id("webhook-deliveries")).to_contain_text("Pending")
    assert WebhookDelivery.objects.get(event=event).retried_by == admin
