"""The detainer log's look-up by the subject's name, kept out of the URL (a booking number or A-number look-up
uses ``compliance.core.private_search``, as the roster's search does).

A person's name never goes into a URL (SECURITY.md F6: proxy and server logs, browser
history, the ``Referer`` header). The name is typed in a POST form; the page keeps only
the blind indexes of its comparison keys (``compliance.core.names.name_index``: the name itself is
not kept) in the user's session, under a
random token, and the log's links carry that token (``?name=<token>``) between pages.
A token is worth nothing to anyone else, and ends with the session (30 minutes idle).

The indexes are compared in the database with the stored ``Detainer.subject_last_name_key``
and ``subject_first_name_key`` (index ``detainer_subject_name_idx``): ``álvarez`` finds
``ÁLVAREZ`` and a name pasted in decomposed form, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import secrets

from compliance.core.names import name_index

#: Session entry: token → [last name index, first name index], newest last.
SESSION_KEY = "detainer_log_name_searches"
#: Look-ups kept per session; an older token reads as expired.
KEEP = 10


def name_search_store(session, *, last_name: str, first_name: str = "") -> str:
    """Keep a name look-up in ``session``; the token for the log's links.

    Args:
        session: ``request.session``.
        last_name: the last name (or a person's only name), as typed.
        first_name: the first name as typed; "" matches any first name.

    Returns:
        A random URL-safe token (12 characters) naming the look-up. Only the blind indexes are kept.
    """
    token = secrets.token_urlsafe(9)
    searches = dict(session.get(SESSION_KEY, {}))
    searches[token] = [name_index(last_name), name_index(first_name)]
    session[SESSION_KEY] = dict(list(searches.items())[-KEEP:])
    return token


def name_search_keys(session, token: str) -> tuple[str, str] | None:
    """The (last name index, first name index) kept under ``token``; None when unknown or expired. Never raises."""
    found = session.get(SESSION_KEY, {}).get(token) if token else None
    if not isinstance(found, list) or len(found) != 2 or not found[0]:
        return None
    return found[0], found[1]
