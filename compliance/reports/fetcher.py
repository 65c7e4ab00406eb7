"""The URL fetcher every PDF is rendered with: the app's own static files, nothing else (case R2).

Report HTML is rendered with ``base_url=REPORT_BASE_URL``, so ``{% static %}``
links become ``https://report.invalid/static/...``. The fetcher answers those
from the static files on disk and refuses every other URL — ``file:``, ``http(s)``
to any other host, ``data:``, path traversal — so nothing a user typed into a
record can make the renderer read a local file or call the network. (``.invalid``
is a reserved top-level domain that never resolves.)
"""

from __future__ import annotations

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint.urls import URLFetcher, URLFetcherResponse

REPORT_HOST = "report.invalid"
REPORT_BASE_URL = f"https://{REPORT_HOST}/"


class RefusedURL(ValueError):
    """A URL the report renderer may not fetch. WeasyPrint logs it and leaves the resource out."""


def _static_prefix() -> str:
    path = urlsplit(settings.STATIC_URL).path
    return "/" + path.strip("/") + "/"


def static_file_path(relative: str) -> Path | None:
    """The file on disk for a static path such as ``css/report.css``; None if there is none."""
    if settings.STATIC_ROOT and staticfiles_storage.exists(relative):
        return Path(staticfiles_storage.path(relative))
    found = finders.find(relative)
    return Path(found) if found else None


class StaticOnlyURLFetcher(URLFetcher):
    """Serves ``https://report.invalid/static/<path>`` from the app's static files; refuses the rest.

    ``refused`` keeps the URLs it turned away (for tests and the render log).
    """

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=("https",), allow_redirects=False, **kwargs)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        try:
            path = self._static_path(url)
        except RefusedURL:
            self.refused.append(url)
            raise
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    def _static_path(self, url: str) -> Path:
        parts = urlsplit(url)
        prefix = _static_prefix()
        if parts.scheme != "https" or parts.netloc != REPORT_HOST or not parts.path.startswith(prefix):
            raise RefusedURL(f"Refused to fetch {url[:200]!r}: reports may only use the app's static files.")
        relative = unquote(parts.path[len(prefix) :])
        if not relative or "\\" in relative or "\x00" in relative or ".." in relative.split("/"):
            raise RefusedURL(f"Refused to fetch {url[:200]!r}: not a static file path.")
        relative = posixpath.normpath(relative)
        try:
            path = static_file_path(relative)
        except Exception as exc:  # SuspiciousFileOperation from safe_join and the like
            raise RefusedURL(f"Refused to fetch {url[:200]!r}: {type(exc).__name__}.") from None
        if path is None or not path.is_file():
            raise RefusedURL(f"Refused to fetch {url[:200]!r}: no such static file.")
        return path
