"""A requirement's history page also lists its documents attached and withdrawn (issue #15 item 1).

The documents keep their own history table; ``requirement_document_entries`` turns it into entries of the
requirement's page (``compliance.core.history.RELATED_HISTORY``), so an inspector reads on one page when
evidence was added, by whom, and when and why it was withdrawn.
"""

from __future__ import annotations

from compliance.core.history import RELATED_HISTORY, FieldChange, HistoryEntry
from compliance.core.models import RequirementDocument


def requirement_document_entries(requirement) -> list[HistoryEntry]:
    """One entry per document attached to ``requirement`` and per document withdrawn from it.

    Args:
        requirement: an ``AgreementRequirement`` the history page found through ``compliance.core.access``.

    Returns:
        "Document attached" entries whose one change is "Document": (empty) → the title (with its validity
        dates when given); "Document withdrawn" entries: the title as evidence → withdrawn (the file is kept),
        with the withdrawal's reason (the history row's change reason). Author and UTC time of each. One
        query (the documents' history rows with their users); the history page sorts all entries by time.
    """
    rows = (
        RequirementDocument.history.filter(requirement_id=requirement.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries = []
    withdrawn: set[int] = set()
    for row in rows:
        shown = _document_shown(row)
        if row.history_type == "+":
            entries.append(_entry(row, "Document attached", FieldChange("Document", None, shown)))
        elif row.withdrawn_at is not None and row.id not in withdrawn:
            withdrawn.add(row.id)
            withdrawn_change = FieldChange("Document", f"{shown}: evidence", f"{shown}: withdrawn (kept, not evidence)")
            entries.append(_entry(row, "Document withdrawn", withdrawn_change))
    return entries


def _entry(row, kind: str, change: FieldChange) -> HistoryEntry:
    return HistoryEntry(
        user=row.history_user,
        date=row.history_date,
        type=kind,
        reason=row.history_change_reason or "",
        changes=[change],
    )


def _document_shown(row) -> str:
    valid = ""
    if row.valid_from or row.valid_until:
        start = row.valid_from.isoformat() if row.valid_from else "…"
        end = row.valid_until.isoformat() if row.valid_until else "…"
        valid = f" (valid {start} to {end})"
    return f"{row.title}{valid}"


def register() -> None:
    """Add the documents' entries to the requirement's history page (called once from ``compliance.apps``)."""
    RELATED_HISTORY["compliance.agreementrequirement"] = requirement_document_entries
