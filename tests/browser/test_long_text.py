"""Typed text that is one unbroken 100,000-character run wraps inside the page in a real browser.

``static/css/app.css`` wraps typed text anywhere (``main p``, ``dd``, ``li``, headings and the
``.app-typed`` table cells); without it the run widened the page to hundreds of thousands of
pixels. Checked at 1280 pixels, the custody board's width, on the incident's page and on its
history page (the change shows the old and the new text side by side in a table).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from compliance.core.models import Agency, User
from compliance.core.roles import Role, role_grant
from incidents.incident_log import services as incident_services
from incidents.incident_log.models import Incident
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page

pytestmark = pytest.mark.browser

UNBROKEN = "Q" * 100_000


def page_overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when nothing sticks out)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.django_db(transaction=True)
def test_an_unbroken_100000_character_description_wraps_inside_its_pages(page, live_server):
    agency = Agency.objects.create(name="Alder County Sheriff's Office", state="TX", time_zone="America/Chicago")
    staff = User.objects.create_user("staff-alder", "staff-alder@example.test", PASSWORD, home_agency=agency)
    role_grant(user=staff, agency=agency, role=Role.STAFF)
    incident = incident_services.incident_create(
        agency=agency,
        actor=staff,
        kind=Incident.Kind.COMPLAINT,
        severity=Incident.Severity.MEDIUM,
        title="T" * 200,
        description=UNBROKEN,
        occurred_at=timezone.now() - timedelta(days=1),
    )
    incident_services.incident_update(incident=incident, actor=staff, description=UNBROKEN.lower())

    page.goto(f"{live_server.url}/accounts/login/?next=/incidents/{incident.public_id}/")
    assert_accessible(page)
    sign_in_page(page, "staff-alder", then=f"{live_server.url}/incidents/{incident.public_id}/")
    assert "q" * 1000 in page.locator("main").inner_text()
    assert page_overflow(page) <= 0
    assert_accessible(page)

    page.goto(f"{live_server.url}/history/incidents.incident/{incident.public_id}/")
    assert page.get_by_test_id("history-change").count() >= 1
    assert page_overflow(page) <= 0
    assert_accessible(page)

    page.goto(f"{live_server.url}/incidents/")
    assert page_overflow(page) <= 0
    assert_accessible(page)
