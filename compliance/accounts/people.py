"""Reads for the people pages: whom an administrator manages, each person's role per agency and status."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from guardian.ctypes import get_content_type
from guardian.models import UserObjectPermission
from guardian.shortcuts import get_perms

from compliance.core import access
from compliance.core.models import Agency, User
from compliance.core.roles import ROLE_PERMISSIONS, Role


class Status:
    INVITED = "invited"
    ACTIVE = "active"
    LOCKED = "locked"
    DEACTIVATED = "deactivated"


def administered_agencies(user):
    """Agencies in which ``user`` holds ``administer_agency`` (a QuerySet, by name)."""
    return access.agencies_for(user, access.ADMINISTER).order_by("name")


def people_in(agencies) -> list[User]:
    """Users holding any object permission on one of ``agencies``, by username (never the system account)."""
    pks = [str(agency.pk) for agency in agencies]
    user_ids = UserObjectPermission.objects.filter(
        content_type=get_content_type(Agency), object_pk__in=pks
    ).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=user_ids).order_by("username"))


def person_or_404(admin, pk: int) -> User:
    """The user ``pk`` if they hold a role in one of ``admin``'s administered agencies.

    Raises:
        Http404: no such user, or a user with no role in those agencies (the two look the same).
    """
    person = next((p for p in people_in(administered_agencies(admin)) if p.pk == pk), None)
    if person is None:
        raise Http404("No such person.")
    return person


def role_in(user, agency) -> str | None:
    """The role whose permissions ``user`` holds on ``agency`` (the widest one fully held), or None."""
    held = set(get_perms(user, agency))
    for role in sorted(Role.ALL, key=lambda name: -len(ROLE_PERMISSIONS[name])):  # the widest first
        if set(ROLE_PERMISSIONS[role]) <= held:
            return role
    return None


def roles_by_agency(user, agencies) -> list[tuple[Agency, str]]:
    """``[(agency, role)]`` for each of ``agencies`` in which ``user`` holds a role."""
    return [(agency, role) for agency in agencies if (role := role_in(user, agency))]


def status_of(user) -> str:
    """invited (never set a password), locked (SECURITY.md A4), deactivated, or active."""
    if not user.is_active:
        return Status.DEACTIVATED
    if user.locked_at is not None:
        return Status.LOCKED
    if not user.has_usable_password() and user.last_login is None:
        return Status.INVITED
    return Status.ACTIVE


@dataclass
class PersonRow:
    user: User
    roles: list[tuple[Agency, str]]
    status: str


def people_rows(admin) -> list[PersonRow]:
    """The People list of ``admin``: each person with their roles in ``admin``'s agencies and status."""
    agencies = list(administered_agencies(admin))
    return [PersonRow(p, roles_by_agency(p, agencies), status_of(p)) for p in people_in(agencies)]


def grantable_roles(admin, agency) -> list[str]:
    """Roles ``admin`` may grant in ``agency``: those whose permissions ``admin`` holds there (none elsewhere)."""
    held = set(get_perms(admin, agency)) if access.can(admin, access.ADMINISTER, agency) else set()
    return [role for role in Role.ALL if set(ROLE_PERMISSIONS[role]) <= held]
