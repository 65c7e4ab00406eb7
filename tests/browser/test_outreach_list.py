"""The outreach list fits a 768-pixel window (a tablet held upright) in a real browser (axe on the page).

A user trial found it 793 pixels wide with event titles broken mid-word: below USWDS's desktop breakpoint
the attendance and languages columns are hidden (they are on each event's page) and the title column keeps
room for whole words.
"""

from datetime import date

import pytest

from community.outreach.services import outreach_event_create
from compliance.core.models import Agency, User
from compliance.core.roles import Role, role_grant
from tests.base import PASSWORD
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page

pytestmark = pytest.mark.browser

TITLES = [
    "Know-your-rights presentation at the community centre (invented)",
    "Consulate coordination meeting on detainer notifications (invented)",
    "Town hall on the 287(g) agreement and interpretation services (invented)",
]


@pytest.mark.django_db(transaction=True)
def test_the_outreach_list_fits_768_pixels_with_titles_broken_between_words(page, live_server):
    alder = Agency.objects.create(name="Alder County Sheriff's Office", state="TX", time_zone="America/Chicago")
    birch = Agency.objects.create(name="Birch County Sheriff's Office", state="TX", time_zone="America/Chicago")
    user = User.objects.create_user("super-alder", "super-alder@example.test", PASSWORD, home_agency=alder)
    for agency in (alder, birch):
        role_grant(user=user, agency=agency, role=Role.SUPERVISOR)
        for n, title in enumerate(TITLES):
            outreach_event_create(
                agency=agency,
                actor=user,
                kind="community_meeting",
                title=title,
                held_on=date(2026, 3, 1 + n),
                attendance=40,
                languages="English, Spanish, Vietnamese",
            )

    page.set_viewport_size({"width": 768, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/?next=/outreach/")
    sign_in_page(page, "super-alder", then=f"{live_server.url}/outreach/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    table = page.get_by_test_id("outreach-table")
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    # Each title wraps only between words: no line of a title's link is narrower than "Know-your-rights" needs,
    # i.e. the longest word fits its cell.
    words_fit = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=outreach-table] th[scope=row] a')].every(a => {
             const probe = document.createElement('span');
             probe.style.whiteSpace = 'nowrap';
             const longest = a.textContent.split(/\\s+/).sort((x, y) => y.length - x.length)[0];
             probe.textContent = longest;
             a.parentElement.appendChild(probe);
             const fits = probe.getBoundingClientRect().width <= a.parentElement.clientWidth;
             probe.remove();
             return fits;
           })"""
    )
    assert words_fit
    assert not page.get_by_role("columnheader", name="Languages").is_visible()
    order = page.evaluate(
        """() => ['.usa-intro', '[data-testid=outreach-links]', 'form[aria-label="Filter outreach events"]',
                  '[data-testid=outreach-table]'].map(s => document.querySelector(s).getBoundingClientRect().top)"""
    )
    assert order == sorted(order)
    assert_accessible(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.get_by_role("columnheader", name="Languages").is_visible()
