"""Writes on people's accounts by their agency administrator; each writes exactly one ``AccountEvent`` (A10).

Every function takes keyword arguments, the acting administrator (``actor=``) and the request
(for the address on the event), runs in one transaction and raises ``AccountRefused`` (with a
message for the page) when the rules forbid the change: an administrator grants only in agencies
they administer, only roles whose permissions they hold there, and never changes their own role
or deactivates themselves (SECURITY.md C5, issue "People, managed by the agency").
"""

from __future__ import annotations

import axes.utils
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from compliance.accounts.invitations import invitation_send
from compliance.accounts.people import grantable_roles, role_in
from compliance.core import roles
from compliance.core.models import AccountEvent, User, account_event_record
from compliance.core.roles import Role


class AccountRefused(Exception):
    """A change the rules forbid; ``str(error)`` is the message for the page."""


def _check_grant(*, actor, user, agency, role: str) -> None:
    if user.pk == actor.pk:
        raise AccountRefused("You cannot change your own role; ask another administrator.")
    if role not in grantable_roles(actor, agency):
        raise AccountRefused(f"You cannot give the role {role} in {agency.name}.")


def _sync_groups(user) -> None:
    """Make ``user``'s role groups the roles they hold in some agency (no group left from a revoked grant)."""
    from guardian.shortcuts import get_objects_for_user

    from compliance.core.models import Agency

    groups = roles.ensure_role_groups()
    agencies = get_objects_for_user(user, [], klass=Agency, any_perm=True, accept_global_perms=False)
    held = {role_in(user, agency) for agency in agencies} - {None}
    for name, group in groups.items():
        (user.groups.add if name in held else user.groups.remove)(group)


@transaction.atomic
def person_invite(*, actor, request, username: str, first_name: str, last_name: str, email: str, agency, role: str):
    """Create an account with no password, give it ``role`` in ``agency`` and e-mail the invitation (after commit).

    Returns:
        The new user (status "invited" until they set a password through the link).

    Raises:
        AccountRefused: ``role`` is more than ``actor`` holds in ``agency``, or ``agency`` is not theirs.
    """
    if role not in grantable_roles(actor, agency):
        raise AccountRefused(f"You cannot give the role {role} in {agency.name}.")
    user = User(username=username, first_name=first_name, last_name=last_name, email=email, home_agency=agency)
    user.set_unusable_password()
    user.save()
    roles.role_grant(user=user, agency=agency, role=role)
    account_event_record(
        action=AccountEvent.Action.INVITED,
        actor=actor,
        target=user,
        agency=agency,
        detail=f"Invited as {role} in {agency.name}",
        request=request,
    )
    transaction.on_commit(lambda: invitation_send(user))
    return user


@transaction.atomic
def role_give(*, actor, request, user, agency, role: str) -> None:
    """Give ``user`` ``role`` in ``agency`` (replacing any role they held there): one event, granted or changed."""
    _check_grant(actor=actor, user=user, agency=agency, role=role)
    before = role_in(user, agency)
    if before == role:
        raise AccountRefused(f"{user.username} already holds {role} in {agency.name}.")
    roles.role_revoke(user=user, agency=agency)
    roles.role_grant(user=user, agency=agency, role=role)
    _sync_groups(user)
    if before is None:
        action, detail = AccountEvent.Action.ROLE_GRANTED, f"{role} in {agency.name}"
    else:
        action, detail = AccountEvent.Action.ROLE_CHANGED, f"{before} → {role} in {agency.name}"
    account_event_record(action=action, actor=actor, target=user, agency=agency, detail=detail, request=request)


@transaction.atomic
def person_move(*, actor, request, user, from_agency, to_agency, role: str) -> None:
    """Move ``user`` from ``from_agency`` to ``to_agency`` with ``role``: the old grants end now (one event)."""
    if from_agency == to_agency:
        raise AccountRefused("Choose another agency to move to.")
    _check_grant(actor=actor, user=user, agency=to_agency, role=role)
    if role_in(user, from_agency) is None or not grantable_roles(actor, from_agency):
        raise AccountRefused(f"{user.username} holds no role in {from_agency.name} that you manage.")
    roles.role_revoke(user=user, agency=from_agency)
    roles.role_grant(user=user, agency=to_agency, role=role)
    if user.home_agency_id == from_agency.pk or user.home_agency_id is None:
        user.home_agency = to_agency
        user.save(update_fields=["home_agency"])
    _sync_groups(user)
    account_event_record(
        action=AccountEvent.Action.MOVED,
        actor=actor,
        target=user,
        agency=to_agency,
        detail=f"From {from_agency.name} to {to_agency.name} as {role}",
        request=request,
    )


@transaction.atomic
def invitation_accept(*, user, password: str, request) -> None:
    """Set the invited ``user``'s first password (the link dies with it) and write one "created" event (A10)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    account_event_record(
        action=AccountEvent.Action.CREATED,
        actor=user,
        target=user,
        agency=user.home_agency,
        detail="Password set through the invitation link",
        request=request,
    )


def sessions_end(user) -> int:
    """End every session of ``user`` at once (SECURITY.md A9): allauth's session rows and Django's sessions.

    Returns:
        How many sessions ended.
    """
    ended = 0
    for user_session in UserSession.objects.filter(user=user):
        user_session.end()
        ended += 1
    # Sessions allauth did not record (e.g. made by a test client) are found by the user key they hold.
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def person_deactivate(*, actor, request, user, reason: str = "") -> None:
    """Deactivate ``user`` and end all their sessions now (SECURITY.md A9).

    Their agency grants stay as rows (not orphans: the user exists, C8) but count for nothing while
    inactive (``access.agencies_for`` gives an inactive user no agency); a reactivation restores them,
    and the person stays on their administrator's People list.
    """
    if actor is not None and user.pk == actor.pk:
        raise AccountRefused("You cannot deactivate your own account.")
    if not user.is_active:
        raise AccountRefused(f"{user.username} is already deactivated.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions_end(user)
    account_event_record(
        action=AccountEvent.Action.DEACTIVATED,
        actor=actor,
        target=user,
        agency=user.home_agency,
        detail=reason or "Deactivated",
        request=request,
    )


@transaction.atomic
def person_reactivate(*, actor, request, user) -> None:
    """Let ``user`` sign in again (their roles are as they were)."""
    if user.is_active:
        raise AccountRefused(f"{user.username} is already active.")
    user.is_active = True
    user.save(update_fields=["is_active"])
    account_event_record(
        action=AccountEvent.Action.REACTIVATED, actor=actor, target=user, agency=user.home_agency, request=request
    )


@transaction.atomic
def person_unlock(*, actor, request, user) -> None:
    """Unlock ``user`` after a lockout (SECURITY.md A4 (3)): clear the lock and django-axes' failure count."""
    if user.locked_at is None:
        raise AccountRefused(f"{user.username} is not locked.")
    User.objects.filter(pk=user.pk).update(locked_at=None)
    user.locked_at = None
    axes.utils.reset(username=user.username)
    account_event_record(
        action=AccountEvent.Action.UNLOCKED, actor=actor, target=user, agency=user.home_agency, request=request
    )


def role_names() -> list[str]:
    """The four roles, narrowest first, for choices."""
    return list(Role.ALL)
