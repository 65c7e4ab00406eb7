"""No default or shared account can sign in (SECURITY.md A7; CJIS IA-2 unique identity)."""

from __future__ import annotations

from compliance.core.models import User

#: Names that mean a default or shared account, never one person.
DEFAULT_ACCOUNT_NAMES = ("admin", "administrator", "root", "test", "sa", "guest")


def default_accounts_usable() -> list[str]:
    """Usernames of active accounts named like a default account (case-insensitive) with a usable password.

    Returns:
        The offending usernames, sorted; an empty list is the expected answer (seed_demo's users are ``demo-*``).
    """
    candidates = User.objects.filter(is_active=True, username__iregex=r"^(" + "|".join(DEFAULT_ACCOUNT_NAMES) + r")$")
    return sorted(user.username for user in candidates if user.has_usable_password())
