"""Report "Audit trail of one record": every recorded change of a record and its related records (issue #13).

The record is chosen on the request form by its type (``RECORD_TYPES``) and a reference an auditor has in hand
— a detainer's booking number, an officer's badge number, a public complaint's tracking number, or any
record's id as in its page's address — resolved server-side within the agency (``record_resolve``); the
``Report`` keeps only ``{"record_type": "<app_label.model>", "record_id": "<public id>"}`` in its
``parameters`` (never a name, never the typed reference).

The entries are the history page's (``compliance.core.history.history_entries``: the record's history rows
with readable values, plus the rows its model's ``RELATED_HISTORY`` function adds, e.g. an outreach event's
participants), for the record and for each related record (``related_records``: an officer's certifications,
the findings opened on the record), limited to the period: written from the start of its first agency-local
day up to the report's instant ``checked_at`` (the history as it stood then). Who changed what, when, the
reason, old → new values. Personal fields show as the history page shows them to the same readers (the
report is only for users who may export the agency's records, and every download is access-logged).
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from compliance.core.history import HistoryEntry, history_entries
from compliance.core.models import Finding, Report
from compliance.reports.kinds import Part, ReportKind, ReportRun

TEMPLATE = "reports/audit_trail.html"
TITLE = "Audit trail of one record"

#: Record types an audit-trail extract can be asked for: "app_label.model" → (label, reference field, its label).
RECORD_TYPES: dict[str, tuple[str, str, str]] = {
    "incidents.detainer": ("Detainer", "booking_number", "booking number"),
    "training.officer": ("Officer", "badge_number", "badge number"),
    "incidents.incident": ("Incident or complaint", "tracking_number", "complaint tracking number"),
}

ERR_NO_RECORD = "No {label} of this agency has this {reference} or id."
ERR_SEVERAL = "Several {label}s of this agency have this {reference}: give the record's id (from its page address)."
ERR_TYPE = "Choose a record type."


def record_resolve(*, agency, record_type: str, reference: str):
    """The record of ``agency`` of type ``record_type`` named by ``reference`` (its reference field, or its public id).

    Args:
        agency: the ``compliance.Agency`` the report is about (the caller checked the user may export it).
        record_type: a key of ``RECORD_TYPES``.
        reference: what the user typed (stripped here); a UUID is tried as the record's public id first.

    Returns:
        The model instance.

    Raises:
        ValidationError: unknown type; no record of the agency matches (another agency's record answers the
            same); several match the reference (then the record id is asked for).
    """
    if record_type not in RECORD_TYPES:
        raise ValidationError(ERR_TYPE)
    label, field_name, reference_label = RECORD_TYPES[record_type]
    model = apps.get_model(record_type)
    reference = (reference or "").strip()
    records = model._default_manager.filter(agency=agency)
    matches = []
    with contextlib.suppress(ValueError):  # not a UUID: a booking, badge or tracking number
        matches = list(records.filter(public_id=uuid.UUID(reference))[:2])
    if not matches and reference:
        matches = list(records.filter(**{field_name: reference}).order_by("pk")[:2])
    if not matches:
        raise ValidationError(ERR_NO_RECORD.format(label=label.lower(), reference=reference_label))
    if len(matches) > 1:
        raise ValidationError(ERR_SEVERAL.format(label=label.lower(), reference=reference_label))
    return matches[0]


def audit_parameters(record) -> dict:
    """What a ``Report`` keeps of the record: its type ("app_label.model") and public id (text)."""
    return {"record_type": record._meta.label_lower, "record_id": str(record.public_id)}


def audit_record(report: Report):
    """The record named by ``report.parameters`` within ``report.agency``, or None (deleted since)."""
    record_type = report.parameters.get("record_type", "")
    if record_type not in RECORD_TYPES:
        return None
    model = apps.get_model(record_type)
    try:
        return model._default_manager.filter(agency=report.agency, public_id=report.parameters.get("record_id")).first()
    except (ValueError, ValidationError):
        return None


def related_records(record) -> list:
    """The records whose history belongs with ``record``'s: an officer's certifications, then the findings opened
    on the record (oldest first). Two queries."""
    related = []
    if record._meta.label_lower == "training.officer":
        related.extend(record.certifications.select_related("course").order_by("pk"))
    related.extend(
        Finding.objects.filter(
            agency=record.agency, content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        ).order_by("opened_at", "pk")
    )
    return related


@dataclass
class TrailSection:
    """One record's entries: its type and name, and its history entries in the period, oldest first."""

    model_name: str
    name: str
    entries: list[HistoryEntry]


def _name_then(item, at) -> str | None:
    """``str()`` of ``item`` as its last history row before ``at`` held it; None if it had none then."""
    row = item.history.filter(history_date__lt=at).order_by("-history_date", "-history_id").first()
    return str(row.instance) if row is not None else None


def audit_trail_sections(run: ReportRun) -> tuple[str | None, list[TrailSection]]:
    """The record's name at ``checked_at`` and one ``TrailSection`` for it and each related record that existed
    then (entries in the period up to ``checked_at``, oldest first; names as their history held them then, so a
    later rename is not in the report). Queries: a few per record (``history_entries``), none per change."""
    record = audit_record(run.report)
    if record is None:
        return None, []
    period = run.period
    sections = []
    for item in [record, *related_records(record)]:
        name = _name_then(item, period.checked_at)
        if name is None and item is not record:
            continue  # recorded after the report's instant
        entries = [
            entry for entry in reversed(history_entries(item)) if period.starts_at <= entry.date < period.checked_at
        ]
        sections.append(
            TrailSection(
                model_name=str(item._meta.verbose_name).capitalize(), name=name or "(recorded later)", entries=entries
            )
        )
    return sections[0].name, sections


def _plan(run: ReportRun) -> list[Part]:
    return [Part(template=TEMPLATE, landscape=True)]


def _part_context(run: ReportRun, part: Part) -> dict:
    record_name, sections = audit_trail_sections(run)
    record_type = run.report.parameters.get("record_type", "")
    return {
        "record_name": record_name,
        "record_label": RECORD_TYPES.get(record_type, ("Record",))[0],
        "record_id": run.report.parameters.get("record_id", ""),
        "sections": sections,
        "changes": sum(len(section.entries) for section in sections),
    }


KIND = ReportKind(
    title=TITLE, plan=_plan, part_context=_part_context, templates=(TEMPLATE,), bases=(Report.Basis.RECORDED.value,)
)
