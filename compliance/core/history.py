"""Audit history of a record: which models have a history page, and their entries ready to show.

Read by the history page (``compliance.views.history``).

Only models on ``AUDITED_MODELS`` can be asked for by URL; each maps to the
field that names the record's agency, so the record is found through
``compliance.core.access.get_scoped_or_404`` (another agency's record → 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.http import Http404

from compliance.core import access
from compliance.core.audit import history_diffs

#: "app_label.model_name" → the lookup that names the record's agency.
AUDITED_MODELS: dict[str, str] = {
    "compliance.agency": "pk",
    "compliance.agreement": "agency",
    "compliance.finding": "agency",
    "compliance.agreementrequirement": "agency",
    "training.course": "agency",
    "training.officer": "agency",
    "training.certification": "agency",
    "training.trainingsession": "agency",
    "training.trainingrequirement": "agency",
    "incidents.detainer": "agency",
    "incidents.incident": "agency",
    "community.outreachevent": "agency",
    "community.commitment": "agency",
    "community.organisation": "agency",
    "community.contact": "agency",
    "community.committeemember": "agency",
    "community.committeemeeting": "agency",
}

#: "app_label.model_name" → a function of the record giving more ``HistoryEntry`` rows kept outside its own
#: history table (an outreach event's participants added and removed, in ``EventParticipant`` rows). An upper
#: floor registers its function here at start-up (``community.apps``); the history page merges them, newest first.
RELATED_HISTORY: dict = {}

#: Models whose history shows personal data: each view of it is access-logged.
PERSONAL_DATA_MODELS = {"incidents.detainer", "community.contact"}

# Bookkeeping columns that change with every real change; showing them adds nothing.
_HIDDEN_FIELDS = {"updated_at", "created_at"}


@dataclass
class FieldChange:
    label: str
    old: object
    new: object


@dataclass
class HistoryEntry:
    user: object
    date: datetime
    type: str
    reason: str
    changes: list[FieldChange]


def audited_model(model_label: str):
    """The model class for an allow-listed label such as ``training.officer``.

    Raises:
        Http404: the label is not on ``AUDITED_MODELS`` or the app is not installed.
    """
    label = model_label.lower()
    if label not in AUDITED_MODELS:
        raise Http404("No history for this kind of record.")
    try:
        return apps.get_model(label)
    except LookupError as exc:
        raise Http404("No history for this kind of record.") from exc


def history_record_get(*, user, model_label: str, public_id):
    """The record ``public_id`` of ``model_label`` if ``user`` may view its agency.

    Raises:
        Http404: unknown label, no such record, or a record of another agency.
    """
    model = audited_model(model_label)
    agency_field = AUDITED_MODELS[model_label.lower()]
    return access.get_scoped_or_404(
        model.objects.all(), user, access.VIEW, agency_field=agency_field, public_id=public_id
    )


def record_agency(record):
    """The agency a record belongs to (the record itself for an Agency)."""
    return record if record._meta.label_lower == "compliance.agency" else record.agency


def history_entries(record) -> list[HistoryEntry]:
    """The record's history, newest first, with values made readable.

    Uses ``compliance.core.audit.history_diffs`` (field-by-field changes); choice
    fields show their label, datetimes are left aware for the template to show
    in the agency's zone, and timestamp bookkeeping fields are left out.
    Two queries (history rows with their users), plus one per kind of related
    record named in the changes (e.g. the user who resolved a finding), never
    one per change; plus the entries a ``RELATED_HISTORY`` function adds for the record's model.
    """
    by_label = {field.verbose_name: field for field in record._meta.concrete_fields}
    diffs = history_diffs(record)
    names = _related_names(diffs, by_label)
    entries = []
    for item in diffs:
        changes = []
        for label, old, new in item["changes"]:
            field = by_label.get(label)
            if field is not None and field.name in _HIDDEN_FIELDS:
                continue
            changes.append(FieldChange(str(label), _readable(field, old, names), _readable(field, new, names)))
        entries.append(
            HistoryEntry(
                user=item["user"],
                date=item["date"],
                type=item["type"],
                reason=item["reason"] or "",
                changes=changes,
            )
        )
    related = RELATED_HISTORY.get(record._meta.label_lower)
    if related is not None:
        entries = sorted([*related(record), *entries], key=lambda entry: entry.date, reverse=True)
    return entries


def _related_names(diffs, by_label) -> dict[tuple[type, object], str]:
    """(related model, key) → a readable name, for every foreign key value in ``diffs``: one query per model.

    A user shows as their full name (or user name); other records as ``str()``.
    A row deleted since shows as "record #<key>".
    """
    wanted: dict[type, set] = {}
    for item in diffs:
        for label, old, new in item["changes"]:
            field = by_label.get(label)
            if field is None or not field.is_relation:
                continue
            wanted.setdefault(field.related_model, set()).update(v for v in (old, new) if v not in (None, ""))
    names = {}
    for model, keys in wanted.items():
        for obj in model._default_manager.filter(pk__in=keys):
            full_name = getattr(obj, "get_full_name", None)
            names[(model, obj.pk)] = (full_name() if full_name else "") or getattr(obj, "username", "") or str(obj)
    return names


def _readable(field, value, names=None):
    if value is None or value == "":
        return None
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, datetime | date | bool):
        return value
    if field is not None and field.is_relation:
        return (names or {}).get((field.related_model, value), f"record #{value}")
    return value
