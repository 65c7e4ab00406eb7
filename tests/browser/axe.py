"""axe-core in the browser tests: a page a journey visits must have no WCAG 2.x A/AA violation.

``assert_accessible(page)`` injects axe-core (npm ``axe-core``, a dev dependency in
package.json, installed by ``make install``) into the page as it is now and runs it
with the WCAG 2.0/2.1/2.2 A and AA rules. Call it after each page load and after
each change that shows new content (an htmx swap, an error summary).

axe-core needs JavaScript timers, which a context without JavaScript never fires;
``assert_accessible_as_served(page)`` checks such a page by loading the same URL
with the same cookies in a context with JavaScript.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
#: The rule sets checked: WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
  }));
}"""


def axe_violations(page) -> list[dict]:
    """The WCAG A/AA violations axe-core finds in ``page`` as it is now: rule id, impact, help, first 5 targets."""
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is not installed at {AXE_JS}: run `make install` (npm ci).")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not as a <script> element: the pages' content security
        # policy (script-src 'self' + nonce) refuses an injected inline script, as it should.
        page.evaluate(AXE_JS.read_text() + "\n;undefined")
    return page.evaluate(_RUN, WCAG_TAGS)


def assert_accessible(page) -> None:
    """Fail with each rule broken and where, when axe-core finds a WCAG A/AA violation in ``page``."""
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'])}" for v in violations
    )


def assert_accessible_as_served(page) -> None:
    """``assert_accessible`` for a page shown without JavaScript: its URL, loaded again with its cookies, checked.

    The check's GET is a second view of the page (a second access-log row where the page writes one).
    """
    browser = page.context.browser
    checker_context = browser.new_context(viewport=page.viewport_size)
    try:
        checker_context.add_cookies(page.context.cookies())
        checker = checker_context.new_page()
        checker.goto(page.url)
        assert_accessible(checker)
    finally:
        checker_context.close()
