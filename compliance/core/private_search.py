"""Searches on a person kept out of the URL: the typed text stays in the session, the URL carries a token.

A name, an A-number or a date of birth in a URL ends up in proxy and server logs, browser history
and ``Referer`` headers (SECURITY.md F6, ASVS5 14.2.1). A page that searches by such a value
takes it in a POST form, keeps it here under a random token, and redirects to its GET page with
``?search=<token>``: paging, sorting and export links carry the token, worth nothing to anyone
else, and ending with the session (30 minutes idle).
"""

from __future__ import annotations

import secrets

#: Session entry holding every page's searches: {kind: {token: text}}.
SESSION_KEY = "private_searches"
#: Searches kept per kind; an older token reads as expired.
KEEP = 10


def private_search_store(session, kind: str, text: str) -> str:
    """Keep ``text`` (a search typed on page ``kind``) in ``session``; the token for the page's links.

    Args:
        session: ``request.session``.
        kind: which page's search (e.g. ``"roster"``): tokens of one page do not read on another.
        text: the search as typed (trimmed here).

    Returns:
        A random URL-safe token (12 characters).
    """
    token = secrets.token_urlsafe(9)
    searches = {key: dict(value) for key, value in session.get(SESSION_KEY, {}).items()}
    kept = searches.setdefault(kind, {})
    kept[token] = text.strip()
    searches[kind] = dict(list(kept.items())[-KEEP:])
    session[SESSION_KEY] = searches
    return token


def private_search_get(session, kind: str, token: str) -> str | None:
    """The text kept under ``token`` for page ``kind``; None when unknown, expired or blank. Never raises."""
    if not token:
        return None
    found = session.get(SESSION_KEY, {}).get(kind, {}).get(token)
    return found if isinstance(found, str) and found else None
