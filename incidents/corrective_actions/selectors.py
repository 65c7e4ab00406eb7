"""Reads of corrective actions, scoped through ``compliance.core.access``; joins done here (no query per row)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from compliance.core import access
from compliance.core.models import Agency, User
from incidents.corrective_actions.models import CorrectiveAction
from incidents.corrective_actions.services import agency_today, is_supervisor
from incidents.incident_log.models import Incident


def action_or_404(user, public_id, perm: str = access.VIEW) -> CorrectiveAction:
    """The action ``public_id`` if ``user`` holds ``perm`` in its agency, else 404 (existence not leaked, C1)."""
    return access.get_scoped_or_404(
        CorrectiveAction.objects.select_related("agency", "incident", "owner", "closed_by"),
        user,
        perm,
        public_id=public_id,
    )


@dataclass(frozen=True)
class ActionRow:
    """One action as a page shows it, with what the viewer may do with it."""

    action: CorrectiveAction
    overdue: bool
    can_complete: bool
    can_cancel: bool


@dataclass(frozen=True)
class CaseActions:
    """The corrective actions panel of a case page."""

    rows: list[ActionRow]
    today: date
    can_add: bool
    open_count: int


def case_actions(*, incident: Incident, user) -> CaseActions:
    """Every corrective action of ``incident`` (the caller reached it through access), for ``user``.

    Three queries whatever the number of actions (the actions with their owners, and the
    user's REVIEW and CHANGE checks). ``overdue``: open and due before the agency's today.
    """
    today = agency_today(incident.agency)
    actions = list(
        CorrectiveAction.objects.filter(incident=incident, agency=incident.agency)
        .select_related("owner", "closed_by", "agency", "incident")
        .order_by("due_on", "pk")
    )
    supervisor = is_supervisor(user, incident.agency)
    changer = supervisor or access.can(user, access.CHANGE, incident.agency)
    rows = []
    for action in actions:
        is_open = action.status == CorrectiveAction.Status.OPEN
        rows.append(
            ActionRow(
                action=action,
                overdue=is_open and action.due_on < today,
                can_complete=is_open and (supervisor or (changer and action.owner_id == user.pk)),
                can_cancel=is_open and supervisor,
            )
        )
    can_add = incident.status != Incident.Status.CLOSED and (
        supervisor or (changer and incident.investigator_id == user.pk)
    )
    return CaseActions(
        rows=rows, today=today, can_add=can_add, open_count=sum(1 for row in rows if row.action.status == "open")
    )


def actions_page(*, user, agency: Agency, everyone: bool) -> tuple[list[ActionRow], bool]:
    """Open actions of ``agency`` for the "corrective actions" page, overdue first (then by due date).

    Args:
        user: the viewer (already known to hold VIEW in ``agency``).
        agency: the agency shown.
        everyone: all open actions of the agency (supervisors only); otherwise the user's own.

    Returns:
        ``(rows, supervisor)``: ``supervisor`` says whether ``user`` may see everyone's (``everyone`` is
        ignored when not). A fixed number of queries.
    """
    supervisor = is_supervisor(user, agency)
    queryset = access.scope(CorrectiveAction.objects.open(), user).filter(agency=agency)
    if not (everyone and supervisor):
        queryset = queryset.filter(owner=user)
    today = agency_today(agency)
    changer = supervisor or access.can(user, access.CHANGE, agency)
    rows = [
        ActionRow(
            action=action,
            overdue=action.due_on < today,
            can_complete=supervisor or (changer and action.owner_id == user.pk),
            can_cancel=supervisor,
        )
        for action in queryset.select_related("incident", "owner", "agency").order_by("due_on", "pk")
    ]
    return rows, supervisor


def overdue_action_count(*, agency: Agency, today: date) -> int:
    """Open actions of ``agency`` due before ``today`` (its local date). One query."""
    return CorrectiveAction.objects.overdue(today).filter(agency=agency).count()


def users_holding(agency_ids, perm: str) -> dict[int, set[int]]:
    """``{agency id: ids of active users holding perm there}``, directly or through a group. Two queries."""
    keys = [str(pk) for pk in set(agency_ids)]
    if not keys:
        return {}
    agency_type = ContentType.objects.get_for_model(Agency)
    common = {"content_type": agency_type, "permission__codename": perm, "object_pk__in": keys}
    found: dict[int, set[int]] = {}
    direct = (
        get_user_obj_perms_model().objects.filter(user__is_active=True, **common).values_list("object_pk", "user_id")
    )
    via_group = (
        get_group_obj_perms_model()
        .objects.filter(group__user__is_active=True, **common)
        .values_list("object_pk", "group__user__id")
    )
    for object_pk, user_id in [*direct, *via_group]:
        found.setdefault(int(object_pk), set()).add(user_id)
    return found


def owner_choices(agency: Agency) -> QuerySet[User]:
    """Active users who may own an action in ``agency`` (holding ``change_records`` there), by name."""
    ids = users_holding([agency.pk], access.CHANGE).get(agency.pk, set())
    return User.objects.filter(pk__in=ids, is_active=True).order_by("last_name", "first_name", "username")
