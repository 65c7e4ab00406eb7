"""Roles (Django groups) and the agency permissions each role holds.

A role is global (the user's group); its scope is per agency: granting a role
in an agency assigns that role's permissions as django-guardian object
permissions on the Agency row. An auditor may hold them on several agencies.
"""

from django.contrib.auth.models import Group
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from compliance.core import access


class Role:
    STAFF = "Agency staff"
    SUPERVISOR = "Supervisor"
    AUDITOR = "Auditor"
    ADMINISTRATOR = "Agency administrator"

    ALL = (STAFF, SUPERVISOR, AUDITOR, ADMINISTRATOR)


ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.STAFF: (access.VIEW, access.CHANGE),
    Role.SUPERVISOR: (access.VIEW, access.CHANGE, access.REVIEW, access.EXPORT),
    # Auditors read and export; they never change records (SECURITY.md C4).
    Role.AUDITOR: (access.VIEW, access.EXPORT),
    Role.ADMINISTRATOR: (access.VIEW, access.CHANGE, access.REVIEW, access.EXPORT, access.ADMINISTER),
}


def ensure_role_groups() -> dict[str, Group]:
    """Create the four role groups if missing; return them by name."""
    return {name: Group.objects.get_or_create(name=name)[0] for name in Role.ALL}


@transaction.atomic
def role_grant(*, user, agency, role: str) -> None:
    """Give ``user`` the ``role`` in ``agency``: group membership plus object permissions.

    Raises:
        KeyError: ``role`` is not one of ``Role.ALL``.
    """
    perms = ROLE_PERMISSIONS[role]
    group = ensure_role_groups()[role]
    user.groups.add(group)
    for perm in perms:
        assign_perm(f"compliance.{perm}", user, agency)


@transaction.atomic
def role_revoke(*, user, agency) -> None:
    """Remove every agency permission ``user`` holds on ``agency`` (takes effect at once)."""
    for perm in access.ALL_PERMS:
        remove_perm(f"compliance.{perm}", user, agency)
