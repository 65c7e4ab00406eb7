"""The browser tests' CSP watch works (SECURITY.md F2): a refused inline script is seen on the console."""

import pytest

from tests.browser.conftest import csp_console_messages

pytestmark = pytest.mark.browser

PAGE = (
    "<!DOCTYPE html><html lang='en'><head><title>t</title></head><body><p>x</p>"
    "<script>document.title = 'ran'</script></body></html>"
)


def test_F2_the_watch_sees_a_refused_inline_script(browser):
    seen: list[str] = []
    # Playwright's own new_context, not the one the autouse watch wraps (this violation is meant to happen).
    own = type(browser).new_context(browser)
    try:
        csp_console_messages(own, seen)
        page = own.new_page()
        page.route(
            "http://csp.invalid/",
            lambda route: route.fulfill(
                status=200,
                content_type="text/html",
                headers={"Content-Security-Policy": "script-src 'self'"},
                body=PAGE,
            ),
        )
        page.goto("http://csp.invalid/")
        page.wait_for_timeout(200)
        assert page.title() == "t"
    finally:
        own.close()
    assert seen, "no console message for the refused inline script"
    assert "Content Security Policy" in seen[0]
