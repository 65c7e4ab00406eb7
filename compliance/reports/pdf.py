"""HTML → PDF with WeasyPrint, through the static-only URL fetcher (case R2)."""

from __future__ import annotations

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
