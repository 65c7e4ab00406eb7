"""Playwright driving Debian's Chromium (never a downloaded browser).

Set CHROMIUM_PATH to another binary if needed; when none is found these tests
skip with the reason, so `make test` on a laptop without Chromium still runs
the rest. CI installs Chromium, so there they always run.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Playwright's sync API runs an event loop in this thread; the test itself only
# touches the database between browser calls, so Django's async guard is lifted here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (set CHROMIUM_PATH; CI installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def csp_console_messages(context, into: list[str]) -> None:
    """Collect into ``into`` every console message of ``context`` about a Content Security Policy violation.

    Chromium reports each script, style or other resource the page's policy refused on the console
    ("Refused to execute inline script because it violates the following Content Security Policy directive…").
    """
    context.on(
        "console",
        lambda message: (
            into.append(f"{message.page.url if message.page else '?'}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    """Fails a browser test when any page it opened refused something under the content security policy (F2).

    Every context the test makes (the ``page`` fixture's, or its own through ``browser.new_context``) is watched.
    """
    if "browser" not in request.fixturenames:
        yield []
        return
    browser = request.getfixturevalue("browser")
    violations: list[str] = []
    new_context = browser.new_context

    def watched_new_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        csp_console_messages(context, violations)
        return context

    browser.new_context = watched_new_context
    try:
        yield violations
    finally:
        browser.new_context = new_context
    assert not violations, "Content Security Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
