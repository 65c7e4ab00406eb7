"""An outreach event's participant changes and materials added as entries of its history page
(``compliance.core.history``).

Participants and materials live in their own rows (``EventParticipant``, ``EventMaterial``), not in the
event's history table; this turns each participant added or removed and each material added into a history
entry (who, when, what), registered for ``community.outreachevent`` in ``community.apps``.
"""

from __future__ import annotations

from community.outreach.selectors import event_materials, participant_changes
from compliance.core.history import FieldChange, HistoryEntry


def _party(participant) -> str:
    if participant.organisation_id:
        return f"{participant.organisation.name} (organisation)"
    if participant.contact_id:
        return f"{participant.contact.name} (contact)"
    staff = participant.staff
    return f"{staff.get_full_name() or staff.username} (staff)"


def participant_history_entries(event) -> list[HistoryEntry]:
    """One history entry per participant added to or removed from ``event`` and per material added to it.

    Args:
        event: an ``OutreachEvent`` the history page found through ``compliance.core.access``.

    Returns:
        Entries of type "Participant added" / "Participant removed" whose one change is "Participant":
        (empty) → the party, or the party → (empty); and "Material added" entries whose one change is
        "Material": (empty) → the uploaded file name (with its description when given). Author and UTC
        time of each. Two queries; the history page sorts all entries by time.
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
    for material in event_materials(event):
        shown = f"{material.file_name} ({material.description})" if material.description else material.file_name
        entries.append(
            HistoryEntry(
                user=material.uploaded_by,
                date=material.uploaded_at,
                type="Material added",
                reason="",
                changes=[FieldChange("material", None, shown)],
            )
        )
    return entries
