"""Every denied request for a record in the audit trail (SECURITY.md C1 "each attempt is audited", D1, D3).

``DeniedRequestMiddleware`` writes one ``AccessLog`` row (action ``denied``, outcome ``denied``)
for every 403 answer, and for every 404 answer to a URL that names a record (a UUID in the
URL's arguments, e.g. ``public_id``): another agency's record and no such record answer the
same 404, and both are attempts an auditor must see.

The row holds the actor, the path without its query string, the URL name, the address and
the session's hash; never the record (another agency's record must not become findable
through the log) and never the query string (it may hold personal data). It belongs to the
actor's home agency, so their own agency's auditors see their attempts.
"""

from __future__ import annotations

from uuid import UUID

from compliance.core.models import AccessLog, access_log_event


def names_a_record(request) -> bool:
    """True when the URL that ``request`` resolved to carries a record's id (a UUID argument or ``public_id``)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return any(isinstance(value, UUID) or key == "public_id" for key, value in match.kwargs.items())


class DeniedRequestMiddleware:
    """Records 403 answers and 404 answers for a record's URL as ``denied`` rows of the access log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        if status == 403 or (status == 404 and names_a_record(request)):
            access_log_event(request, action=AccessLog.Action.DENIED, outcome=AccessLog.Outcome.DENIED)
        return response
