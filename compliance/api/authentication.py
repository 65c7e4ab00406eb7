"""Bearer tokens of integrations: made once, stored as a hash, found by prefix (issue #15 item 3).

A token reads ``pgc_<prefix>_<secret>``: ``prefix`` (12 hex characters) finds the ``Integration``
row, and the SHA-256 of the whole token is compared in constant time with ``token_hash``. The
token itself is shown once, when the integration is created, and never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.utils import timezone
from rest_framework import authentication, exceptions

from compliance.core.models import Integration

TOKEN_SCHEME = "Bearer"  # noqa: S105 (the scheme's name, not a secret)
TOKEN_START = "pgc_"  # noqa: S105 (every token's visible start, not a secret)
#: ``last_used_at`` is written at most this often per integration (seconds): no write per call.
LAST_USED_RESOLUTION = 60


def token_hash(token: str) -> str:
    """The hex SHA-256 of ``token`` (what ``Integration.token_hash`` holds)."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_new() -> tuple[str, str, str]:
    """A fresh token: ``(token, prefix, hash)``. The caller stores prefix and hash and shows the token once."""
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    return token, prefix, token_hash(token)


def integration_for_token(token: str) -> Integration | None:
    """The active integration ``token`` belongs to, with agency and user loaded; None for any other token."""
    if not token.startswith(TOKEN_START) or len(token) > 200:
        return None
    prefix, _, secret = token[len(TOKEN_START) :].partition("_")
    if not prefix or not secret:
        return None
    integration = (
        Integration.objects.select_related("agency", "user").filter(token_prefix=prefix, revoked_at=None).first()
    )
    if integration is None or not hmac.compare_digest(integration.token_hash, token_hash(token)):
        return None
    return integration


class IntegrationTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer pgc_…``: the request acts as the integration's user, ``request.auth`` is the
    ``Integration``. A missing header is anonymous (the permission refuses it); a wrong or revoked token is 401."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != TOKEN_SCHEME.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header must be 'Bearer <token>'.")
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        integration = integration_for_token(token)
        if integration is None:
            raise exceptions.AuthenticationFailed("The token is not valid, or the integration was revoked.")
        now = timezone.now()
        if integration.last_used_at is None or (now - integration.last_used_at).total_seconds() > LAST_USED_RESOLUTION:
            # A usage stamp, not a change of the integration: kept out of its history (excluded there too).
            Integration._base_manager.filter(pk=integration.pk).update(last_used_at=now)
        return integration.user, integration

    def authenticate_header(self, request) -> str:
        return f'{TOKEN_SCHEME} realm="api"'
