"""An outreach event's participant changes as entries of its history page (``compliance.core.history``).

Participants live in their own rows (``EventParticipant``), not in the event's history table; this
turns each addition and removal into a history entry (who, when, what), registered for
``community.outreachevent`` in ``community.apps``.
"""

from __future__ import annotations

from community.outreach.selectors import participant_changes
from compliance.core.history import FieldChange, HistoryEntry


def _party(participant) -> str:
    if participant.organisation_id:
        return f"{participant.organisation.name} (organisation)"
    if participant.contact_id:
        return f"{participant.contact.name} (contact)"
    staff = participant.staff
    return f"{staff.get_full_name() or staff.username} (staff)"


def participant_history_entries(event) -> list[HistoryEntry]:
    """One history entry per participant added to or removed from ``event``: author, UTC time, the party.

    Args:
        event: an ``OutreachEvent`` the history page found through ``compliance.core.access``.

    Returns:
        Entries of type "Participant added" / "Participant removed" whose one change is "Participant":
        (empty) → the party, or the party → (empty). One query.
    """
    entries = []
    for change in participant_changes(event):
        party = _party(change.participant)
        added = change.kind == "added"
        entries.append(
            HistoryEntry(
                user=change.by,
                date=change.at,
                type="Participant added" if added else "Participant removed",
                reason="",
                changes=[FieldChange("participant", None if added else party, party if added else None)],
            )
        )
    return entries
