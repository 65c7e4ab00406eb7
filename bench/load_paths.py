"""The paths and headers of the load test (``bench/load_bench.py``, ``bench/locustfile.py``): plain Python, no Django.

Both the bench (its preflight, with urllib) and locust's users ask for the same pages through these
functions, so the preflight checks what the load test will ask. ``targets`` is the JSON the bench
writes: ``{"users": [{"username", "session", "agency": index or None}], "ids": [per agency:
{"detainers": [public id, ...], "officers": [...], "incidents": [...]}]}``.
"""

from __future__ import annotations

import html
import random
import re

#: The session cookie's name with production settings (secure cookies: ``__Host-``; compliance/settings.py).
SESSION_COOKIE = "__Host-sessionid"
#: The trivial pages (no ``/healthz`` exists). Signed in: one's notifications (none for the bench's users): the
#: layout, the session, authentication and the second-factor check, one small query; the floor the target compares
#: with. Signed out: the sign-in page (middleware, CSRF, a template; no session row), printed for comparison.
TRIVIAL_PATH = "/roster/notifications/"
SIGNED_OUT_PATH = "/accounts/login/"
_OLDER = re.compile(r'<a href="([^"]*)"[^>]*data-testid="page-older"')


def headers_for(session: str | None) -> dict[str, str]:
    """Request headers as nginx forwards them (``deploy/nginx.conf``: https, the client's address), with the
    session cookie when ``session`` is a session key (None: signed out)."""
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1", "Accept": "text/html"}
    if session:
        headers["Cookie"] = f"{SESSION_COOKIE}={session}"
    return headers


def agency_ids(targets: dict, person: dict, rng: random.Random) -> dict[str, list[str]]:
    """The sampled ids of ``person``'s agency (an auditor of all three: a random agency each time)."""
    index = person["agency"] if person["agency"] is not None else rng.randrange(len(targets["ids"]))
    return targets["ids"][index]


def detail_path(kind: str, public_id: str) -> str:
    """The detail page of a detainer, officer or case (``kind``: "detainers", "officers", "incidents")."""
    return {
        "detainers": f"/detainers/{public_id}/",
        "officers": f"/roster/officers/{public_id}/",
        "incidents": f"/incidents/{public_id}/",
    }[kind]


def older_link(page: str) -> str | None:
    """The "Older" link (a keyset cursor) of a detainer-log page's HTML, or None on the oldest page."""
    found = _OLDER.search(page)
    return html.unescape(found.group(1)) if found else None


def preflight_paths(targets: dict, person: dict) -> list[tuple[str, str]]:
    """One (name, path) per page the mixed workload asks for, for ``person`` (the bench GETs each once)."""
    rng = random.Random(287)  # noqa: S311 (picking pages, not security)
    ids = agency_ids(targets, person, rng)
    return [
        ("dashboard", "/"),
        ("roster", "/roster/"),
        ("roster ?page=N", "/roster/?page=50"),
        ("roster ?status=expiring", "/roster/?status=expiring"),
        ("detainer list", "/detainers/"),
        ("custody board", "/custody/"),
        ("custody board ?page=N", "/custody/?page=5"),
        ("detainer detail", detail_path("detainers", ids["detainers"][0])),
        ("officer detail", detail_path("officers", ids["officers"][0])),
        ("incident detail", detail_path("incidents", ids["incidents"][0])),
        ("trivial page (signed in)", TRIVIAL_PATH),
    ]
