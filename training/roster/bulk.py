"""Bulk actions of the roster page: one transaction, all officers or none, every refusal reported.

A supervisor ticks officers on the roster and assigns them a supervisor, or
suspends or reinstates them. Each officer goes through the same service as the
single-officer pages (``services.officer_update``, ``officer_set_status``), so
the same rules apply; when any officer is refused, nothing is changed and
``BulkActionRefused`` lists every refused officer with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from training.roster import services
from training.roster.models import Officer
from training.roster.selectors import INACTIVE_OFFICER_STATUSES

NOT_ON_ROSTER = "is {status}: no longer on the roster."
NOT_SUSPENDED = "is not suspended (status: {status}), so there is nothing to reinstate."
ALREADY_SUSPENDED = "is already suspended."
BULK_REASON = "Roster bulk action: {action}"


@dataclass(frozen=True)
class Refusal:
    officer: Officer
    message: str

    def __str__(self) -> str:
        return f"{self.officer.display_name} (#{self.officer.badge_number}) {self.message}"


class BulkActionRefused(Exception):
    """Some officers were refused; nothing was changed. ``refusals`` lists each one with its reason."""

    def __init__(self, refusals: list[Refusal]):
        super().__init__(f"{len(refusals)} officer(s) refused")
        self.refusals = refusals


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def officers_assign_supervisor(*, actor, officers: list[Officer], supervisor) -> int:
    """Make ``supervisor`` the supervisor of every officer in ``officers``.

    Args:
        actor: the user doing it; the caller checked they may change records in
            the officers' agency.
        officers: officers of one agency.
        supervisor: an active user holding ``review_records`` in that agency.

    Returns:
        How many officers changed (an officer who already had that supervisor
        writes no history row).

    Raises:
        BulkActionRefused: with every refused officer (separated or
            disqualified, or the supervisor is not a reviewer of the agency);
            nothing was changed.
    """
    refusals: list[Refusal] = []
    changed = 0
    with transaction.atomic():
        for officer in officers:
            if officer.status in INACTIVE_OFFICER_STATUSES:
                refusals.append(Refusal(officer, NOT_ON_ROSTER.format(status=officer.get_status_display().lower())))
                continue
            if officer.supervisor_id == supervisor.pk:
                continue
            try:
                with transaction.atomic():
                    services.officer_update(
                        actor=actor,
                        officer=officer,
                        data={"supervisor": supervisor},
                        reason=BULK_REASON.format(action="assign supervisor"),
                    )
            except ValidationError as exc:
                refusals.append(Refusal(officer, _messages(exc)))
                continue
            changed += 1
        if refusals:
            raise BulkActionRefused(refusals)  # rolls the whole block back
    return changed


def officers_set_status(*, actor, officers: list[Officer], status: str, effective_on: date, note: str = "") -> int:
    """Suspend (``status`` "suspended") or reinstate (``status`` "designated") every officer in ``officers``.

    Each officer goes through ``officer_set_status`` (``training.lifecycle.services``;
    its rules apply: the lifecycle, the nomination checklist R2.8 and the
    agreement's officer cap R1.8 for reinstatement). ``effective_on`` is the agency-local day the
    change took effect.

    Returns:
        How many officers changed.

    Raises:
        BulkActionRefused: every refused officer with the reason; nothing changed.
        ValueError: ``status`` is neither suspended nor designated.
    """
    if status not in (Officer.Status.SUSPENDED, Officer.Status.DESIGNATED):
        raise ValueError("Bulk status changes are suspend or reinstate only.")
    refusals: list[Refusal] = []
    with transaction.atomic():
        for officer in officers:
            current = officer.get_status_display().lower()
            if status == Officer.Status.DESIGNATED and officer.status != Officer.Status.SUSPENDED:
                refusals.append(Refusal(officer, NOT_SUSPENDED.format(status=current)))
                continue
            if status == Officer.Status.SUSPENDED and officer.status == Officer.Status.SUSPENDED:
                refusals.append(Refusal(officer, ALREADY_SUSPENDED))
                continue
            if officer.status in INACTIVE_OFFICER_STATUSES:
                refusals.append(Refusal(officer, NOT_ON_ROSTER.format(status=current)))
                continue
            try:
                with transaction.atomic():
                    services.officer_set_status(
                        actor=actor, officer=officer, status=status, effective_on=effective_on, note=note
                    )
            except ValidationError as exc:
                refusals.append(Refusal(officer, _messages(exc)))
        if refusals:
            raise BulkActionRefused(refusals)  # rolls the whole block back
    return len(officers)
