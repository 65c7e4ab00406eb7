"""Absolute links for e-mails: the site's address (``settings.SITE_URL``) plus a path."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """``settings.SITE_URL`` (any trailing slash dropped) followed by ``path`` (which starts with "/")."""
    return settings.SITE_URL.rstrip("/") + path
