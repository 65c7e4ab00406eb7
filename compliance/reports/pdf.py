"""HTML → PDF with WeasyPrint, through the static-only URL fetcher (case R2); long typed runs made breakable."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from weasyprint import HTML

from compliance.reports.fetcher import REPORT_BASE_URL, StaticOnlyURLFetcher


@dataclass
class RenderedPDF:
    content: bytes
    page_count: int
    refused_urls: list[str] = field(default_factory=list)


def pdf_render(html: str) -> RenderedPDF:
    """Render ``html`` (a complete document from a Django template) to PDF bytes.

    Relative and ``{% static %}`` links resolve against ``REPORT_BASE_URL`` and are
    served from the app's static files; every other URL is refused and left out.

    Returns:
        ``RenderedPDF`` with the bytes, the number of pages and the refused URLs.
    """
    fetcher = StaticOnlyURLFetcher()
    document = HTML(string=html, base_url=REPORT_BASE_URL, url_fetcher=fetcher).render()
    content = document.write_pdf()
    return RenderedPDF(content=content, page_count=len(document.pages), refused_urls=fetcher.refused)


#: A run of non-space characters longer than this gets break points (``break_long_runs``); shorter runs, words
#: and booking numbers are left as typed. The narrowest column that shows typed text holds about 40 characters.
LONG_RUN = 40
#: Characters between two break points inside a long run.
BREAK_EVERY = 10
_LONG_RUN = re.compile(rf"\S{{{LONG_RUN + 1},}}")
_ZERO_WIDTH_SPACE = "\u200b"


def break_long_runs(text: str) -> str:
    """``text`` with a zero-width space every ``BREAK_EVERY`` characters of each run longer than ``LONG_RUN``.

    Report cells wrap typed text anywhere (``report.css``: ``overflow-wrap: anywhere``), but WeasyPrint
    re-lays the whole rest of an unbroken run for every line it cuts from it: a 100,000-character note
    took ten minutes (quadratic). With a break point every few characters it wraps the run like words,
    in seconds. The zero-width space is invisible and is not in the PDF's text (pypdf reads none back).

    Args:
        text: typed text (not yet escaped; the template escapes the result).

    Returns:
        The text, unchanged when it has no run longer than ``LONG_RUN``.
    """
    return _LONG_RUN.sub(
        lambda run: _ZERO_WIDTH_SPACE.join(
            run[0][start : start + BREAK_EVERY] for start in range(0, len(run[0]), BREAK_EVERY)
        ),
        text,
    )
