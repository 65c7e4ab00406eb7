"""Report "Records request": everything an agency holds about one subject, as a PDF and a JSON file (issue #14 item 6).

The answer to a records request (litigation, FOIA/state public-records, the subject's own request) or to an
auditor's "who saw person X" (SECURITY.md G5). An auditor (anyone holding ``export_reports``) types the subject's
A-number or a booking number on ``reports:records_request`` (POST: never in a URL, F6); the look-up
(``incidents.detainers.selectors.subject_detainers``) finds every detainer of the subject in each agency where the
requester may export, and one report per agency holding any is requested in the same step. The ``Report`` keeps the
matched detainers' public ids (``parameters["detainer_ids"]``), how they were asked for (``"lookup"``: "a_number"
or "booking_number") and the requester's optional reference of the request (``"reference"``, e.g. PRR-2026-0077;
shown on the reports list, the PDF cover and in the JSON), never the number typed.

What it holds, per detainer, as the records stood at the report's instant ``checked_at`` (the request time):

- first, a summary of the subject (name, date of birth, A-number) and of the detainers found in the agency;
- every field of the record (derived comparison keys left out) with its current value;
- its full history (``compliance.core.history.history_entries``): who changed what, when, why, old → new;
- the legal holds covering it (on the record or on its subject), active or released, with reason and reference;
- its legal checks as judged at ``checked_at`` (``incidents.detainers.checks.detainer_checks``);
- its 287(g) actions, the findings opened on it, its hold-deadline and release-notice alerts;
- the incidents and complaints linked to it, each with its fields, history and case timeline (the complainant's
  own contact details are a third person's data and are left out);
- the access log of the detainers and those incidents (``AccessLog`` rows naming them: who, when, what page in
  words via ``page_label``, outcome): who saw the subject's records. List pages and exports log a count per agency,
  not each record (SECURITY.md D3), so they are not in it.

The machine-readable copy (``JSON_NAME``, shape ``FORMAT`` below) is built from the same data and embedded in the PDF
(``ReportKind.attachments``): one stored file, purged as one, downloaded as the PDF or as the JSON
(``compliance.views.records_request``). Times in the JSON are UTC (ISO 8601); in the PDF, the agency's zone.

JSON shape (``FORMAT`` = "compliance-287g/records-request/1")::

    {"format": FORMAT, "agency": {"name", "state", "ori", "time_zone"}, "as_of_instant": "…Z", "lookup": "a_number",
     "reference": "PRR-2026-0077" or "",
     "detainers": [{"id": public id, "fields": {name: value}, "history": [HISTORY], "legal_holds": [HOLD],
        "checks": [{"name", "rule", "result": "passed"|"failed"|"due"|"does not apply", "message"}],
        "actions": [{"id", "fields"}], "findings": [{"id", "fields", "history": [HISTORY]}],
        "alerts": [{"type", "fields"}],
        "incidents": [{"id", "fields", "history": [HISTORY], "legal_holds": [HOLD],
        "case_events": [{"at", "by", "kind", "text"}]}],
        "access_log": [{"at", "user", "username", "action", "outcome", "page", "view_name", "record_type",
        "record_id"}]}]}
    HISTORY = {"at", "by", "type", "reason", "changes": [{"field", "old", "new"}]}
    HOLD = {"id", "covers": "This record"|"Every record of this subject", "reason", "reference", "placed_at",
        "placed_by", "active": bool (at the report's instant), "released_at", "released_by", "release_reason"}

Field values: choices (and lists of choices, e.g. the probable-cause basis) by their labels, as in the PDF.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from compliance.core.history import history_entries
from compliance.core.models import AccessLog, Finding, Report
from compliance.core.privacy.holds import holds_covering
from compliance.reports.kinds import Part, ReportKind, ReportRun
from incidents.detainers.checks import detainer_checks
from incidents.detainers.choices import PCBasis
from incidents.models import CaseEvent, Detainer, Incident

TEMPLATE = "reports/records_request.html"
#: The templates the part includes (rendered only by WeasyPrint).
INCLUDED = (
    "reports/records_request_history.html",
    "reports/records_request_items.html",
    "reports/records_request_holds.html",
)
TITLE = "Records request: everything held about one subject"
JSON_NAME = "records-request.json"
FORMAT = "compliance-287g/records-request/1"
#: How the subject was asked for (``Report.parameters["lookup"]``) → words on the cover.
LOOKUPS = {"a_number": "A-number", "booking_number": "booking number"}
#: JSON fields holding a list of choice values ("app_label.Model", field name) → their choices (labels printed).
LIST_CHOICES = {("incidents.Detainer", "pc_basis"): PCBasis}

#: Columns left out of every record's fields: internal keys, and what the section already says.
_SKIPPED = {
    "id",
    "public_id",
    "agency",
    "detainer",
    "subject_last_name_key",
    "subject_first_name_key",
    "a_number_index",
    "content_type",
    "object_id",
}


def request_parameters(*, detainers, number_was_a_number: bool, reference: str = "") -> dict:
    """What the ``Report`` keeps: the matched detainers' public ids (text), how they were asked for, and the
    request's reference as the requester typed it ("" when none: then not kept)."""
    parameters = {
        "detainer_ids": [str(detainer.public_id) for detainer in detainers],
        "lookup": "a_number" if number_was_a_number else "booking_number",
    }
    if reference:
        parameters["reference"] = reference
    return parameters


#: Words a verbose name made from a field's name ("ice notified at") writes in lower case → as printed.
_ACRONYMS = {"ice": "ICE", "dhs": "DHS", "opla": "OPLA", "moa": "MOA", "wso": "WSO", "ori": "ORI", "us": "U.S."}


def label_of(verbose_name) -> str:
    """A field's verbose name as a label: its first letter capitalised, the rest as written ("U.S. citizen"); the
    acronyms of a name Django made from the field's name spelled as printed ("ICE notified at")."""
    text = " ".join(_ACRONYMS.get(word, word) for word in str(verbose_name).split(" "))
    return text[:1].upper() + text[1:]


@dataclass
class Value:
    """One field of a record: its name and label, a JSON value, and the text the PDF prints."""

    name: str
    label: str
    value: object
    text: str


@dataclass
class Entry:
    """One history entry or case event, ready for both outputs."""

    at: datetime
    by: str
    type: str
    reason: str
    changes: list[tuple[str, object, object]] = field(default_factory=list)


@dataclass
class Item:
    """A record of the subject's file: its kind, public id, fields, history and what hangs under it."""

    kind: str
    id: str
    title: str
    fields: list[Value]
    history: list[Entry] = field(default_factory=list)
    events: list[Entry] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)


@dataclass
class Hold:
    """A legal hold covering a record, as it stood at the report's instant."""

    id: str
    covers: str
    reason: str
    reference: str
    placed_at: datetime
    placed_by: str
    active: bool
    released_at: datetime | None
    released_by: str
    release_reason: str


@dataclass
class SubjectFile:
    """One detainer and everything that belongs with it."""

    detainer: Item
    holds: list[Hold]
    checks: list[dict]
    actions: list[Item]
    findings: list[Item]
    alerts: list[Item]
    incidents: list[Item]
    access_log: list[dict]


def _jsonable(value):
    """``value`` as JSON can hold it: aware datetimes in UTC ISO 8601, dates ISO, models by ``str``."""
    if isinstance(value, date):  # datetimes too (aware ones reach here through ``_utc``)
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return value


def _utc(value):
    """An aware datetime as UTC ISO 8601 ("…+00:00"); other values through ``_jsonable``."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()
    return _jsonable(value)


def _text(value, zone) -> str:
    """How the PDF prints a value: datetimes in ``zone`` ("2026-03-01 14:05 CST"), yes/no, "—" for empty."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "—"
    return str(value)


def _choice_labels(model, name: str, values):
    """A list of choice values of ``model``'s JSON field ``name`` by their labels (``LIST_CHOICES``), else as is."""
    choices = LIST_CHOICES.get((model._meta.label, name))
    if choices is None or not isinstance(values, list | tuple):
        return values
    labels = dict(choices.choices)
    return [labels.get(value, value) for value in values]


def record_values(instance, zone) -> list[Value]:
    """Every concrete field of ``instance`` but ``_SKIPPED``: choices (and ``LIST_CHOICES`` lists) by their label,
    foreign keys by their name, labels from the verbose names as written (``label_of``)."""
    values = []
    for model_field in instance._meta.concrete_fields:
        if model_field.name in _SKIPPED:
            continue
        if model_field.is_relation:
            raw = getattr(instance, model_field.name)
        elif model_field.choices:
            stored = getattr(instance, model_field.attname)
            raw = dict(model_field.flatchoices).get(stored, stored) if stored not in (None, "") else stored
        else:
            raw = _choice_labels(type(instance), model_field.name, getattr(instance, model_field.attname))
        values.append(
            Value(
                name=model_field.name,
                label=label_of(model_field.verbose_name),
                value=_utc(raw),
                text=_text(raw, zone),
            )
        )
    return values


def _person(user) -> str:
    if user is None:
        return "unknown"
    return user.get_full_name() or user.username


def _history(record, checked_at) -> list[Entry]:
    """``record``'s history up to ``checked_at``, oldest first (``history_entries``, the history page's); lists of
    choices (``LIST_CHOICES``) by their labels."""
    names = {str(model_field.verbose_name): model_field.name for model_field in record._meta.concrete_fields}

    def readable(label, value):
        value = _choice_labels(type(record), names.get(label, ""), value)
        if isinstance(value, list | tuple):  # a list field: its items in words, an empty one as "(empty)"
            return ", ".join(str(item) for item in value) or None
        return value

    return [
        Entry(
            at=entry.date,
            by=_person(entry.user),
            type=entry.type,
            reason=entry.reason,
            changes=[
                (label_of(change.label), readable(change.label, change.old), readable(change.label, change.new))
                for change in entry.changes
            ],
        )
        for entry in reversed(history_entries(record))
        if entry.date < checked_at
    ]


def _holds(record, checked_at) -> list[Hold]:
    """The legal holds covering ``record`` placed before ``checked_at``; a release after it is not yet one."""
    holds = []
    for hold in holds_covering(record, placed_before=checked_at):
        released = hold.released_at is not None and hold.released_at < checked_at
        holds.append(
            Hold(
                id=str(hold.public_id),
                covers=hold.get_scope_display(),
                reason=hold.get_reason_display(),
                reference=hold.reference,
                placed_at=hold.placed_at,
                placed_by=_person(hold.placed_by),
                active=not released,
                released_at=hold.released_at if released else None,
                released_by=_person(hold.released_by) if released else "",
                release_reason=hold.release_reason if released else "",
            )
        )
    return holds


def _hold_json(hold: Hold) -> dict:
    return {
        "id": hold.id,
        "covers": hold.covers,
        "reason": hold.reason,
        "reference": hold.reference,
        "placed_at": _utc(hold.placed_at),
        "placed_by": hold.placed_by,
        "active": hold.active,
        "released_at": _utc(hold.released_at),
        "released_by": hold.released_by,
        "release_reason": hold.release_reason,
    }


def _item(kind: str, instance, zone, checked_at, *, with_history: bool) -> Item:
    return Item(
        kind=kind,
        id=str(getattr(instance, "public_id", instance.pk)),
        title=str(instance),
        fields=record_values(instance, zone),
        history=_history(instance, checked_at) if with_history else [],
    )


def subject_summary(detainers: list[Detainer]) -> dict:
    """Who the report is about, from ``detainers`` (one agency's): the distinct names, dates of birth and A-numbers
    as recorded (sorted; a subject recorded differently on two bookings shows both), and one row per detainer."""
    names = {
        ", ".join(part for part in (detainer.subject_last_name, detainer.subject_first_name) if part)
        for detainer in detainers
    }
    births = {detainer.subject_date_of_birth for detainer in detainers if detainer.subject_date_of_birth}
    return {
        "names": sorted(name for name in names if name),
        "dates_of_birth": sorted(births),
        "a_numbers": sorted({detainer.a_number for detainer in detainers if detainer.a_number}),
        "detainers": detainers,
    }


def _check_result(passed, due) -> str:
    if passed is True:
        return "passed"
    if passed is False:
        return "failed"
    return "due" if due else "does not apply"


def report_detainers(report: Report, *, ids: list[str] | None = None) -> list[Detainer]:
    """The detainers named in ``report.parameters`` (or only ``ids`` of them) that still exist in ``report.agency``
    (received order)."""
    named = report.parameters.get("detainer_ids") or []
    ids = named if ids is None else [value for value in ids if value in named]
    return list(
        Detainer.objects.filter(agency=report.agency, public_id__in=ids)
        .select_related("agency", "agreement", "handling_officer")
        .order_by("received_at", "pk")
    )


def subject_files(run: ReportRun, *, detainer_ids: list[str] | None = None) -> list[SubjectFile]:
    """Everything held about the report's subject in its agency, per detainer, as it stood at ``checked_at``
    (``detainer_ids``: only those of the report's detainers, e.g. one part's).

    Queries: a few per detainer and per linked incident (history, checks, related rows); a subject has a handful
    of detainers, and the report is one subject's.
    """
    report, checked_at = run.report, run.period.checked_at
    zone = report.agency.zone
    detainer_type = ContentType.objects.get_for_model(Detainer)
    incident_type = ContentType.objects.get_for_model(Incident)
    files = []
    for detainer in report_detainers(report, ids=detainer_ids):
        checks = [
            {
                "name": check.name,
                "rule": check.rule,
                "result": _check_result(check.passed, check.due),
                "message": check.message,
            }
            for check in detainer_checks(detainer, at=checked_at)
        ]
        actions = [
            _item("287(g) action", action, zone, checked_at, with_history=False)
            for action in detainer.actions.filter(created_at__lt=checked_at).select_related("officer", "agreement")
        ]
        findings = [
            _item("Finding", finding, zone, checked_at, with_history=True)
            for finding in Finding.objects.filter(
                agency=report.agency, content_type=detainer_type, object_id=detainer.pk, opened_at__lt=checked_at
            ).order_by("opened_at", "pk")
        ]
        alerts = [
            _item("Hold-deadline alert", alert, zone, checked_at, with_history=False)
            for alert in detainer.deadline_alerts.order_by("pk")
        ] + [
            _item("Release-notice alert", alert, zone, checked_at, with_history=False)
            for alert in detainer.release_notice_alerts.order_by("pk")
        ]
        incidents = []
        linked = list(detainer.incidents.filter(created_at__lt=checked_at).order_by("received_at", "pk"))
        for incident in linked:
            item = _item("Incident or complaint", incident, zone, checked_at, with_history=True)
            item.holds = _holds(incident, checked_at)
            item.events = [
                Entry(at=event.at, by=_person(event.actor), type=event.get_kind_display(), reason=event.text)
                for event in CaseEvent.objects.filter(incident=incident, at__lt=checked_at).select_related("actor")
            ]
            incidents.append(item)
        log_rows = (
            AccessLog.objects.filter(agency=report.agency, at__lt=checked_at)
            .filter(
                models.Q(content_type=detainer_type, object_id=detainer.pk)
                | models.Q(content_type=incident_type, object_id__in=[incident.pk for incident in linked])
            )
            .select_related("user")
            .order_by("at", "pk")
        )
        incident_ids = {incident.pk: str(incident.public_id) for incident in linked}
        access_log = [
            {
                "at": row.at,
                "user": _person(row.user) if row.user_id else "",
                "username": row.username or (row.user.username if row.user_id else ""),
                "action": row.get_action_display(),
                "outcome": row.get_outcome_display(),
                "page": row.page_label,
                "view_name": row.view_name,
                "record_type": "detainer" if row.content_type_id == detainer_type.pk else "incident",
                "record_id": str(detainer.public_id)
                if row.content_type_id == detainer_type.pk
                else incident_ids.get(row.object_id, ""),
            }
            for row in log_rows
        ]
        files.append(
            SubjectFile(
                detainer=_item("Detainer", detainer, zone, checked_at, with_history=True),
                holds=_holds(detainer, checked_at),
                checks=checks,
                actions=actions,
                findings=findings,
                alerts=alerts,
                incidents=incidents,
                access_log=access_log,
            )
        )
    return files


def _entry_json(entry: Entry) -> dict:
    return {
        "at": _utc(entry.at),
        "by": entry.by,
        "type": entry.type,
        "reason": entry.reason,
        "changes": [{"field": label, "old": _utc(old), "new": _utc(new)} for label, old, new in entry.changes],
    }


def _item_json(item: Item, **extra) -> dict:
    data = {"id": item.id, "fields": {value.name: value.value for value in item.fields}}
    if item.history:
        data["history"] = [_entry_json(entry) for entry in item.history]
    if item.kind == "Incident or complaint":
        data["legal_holds"] = [_hold_json(hold) for hold in item.holds]
    data.update(extra)
    return data


def records_json(run: ReportRun) -> dict:
    """The machine-readable copy of the report (``FORMAT``): the same files as the PDF, UTC times."""
    report = run.report
    agency = report.agency
    return {
        "format": FORMAT,
        "agency": {"name": agency.name, "state": agency.state, "ori": agency.ori, "time_zone": agency.time_zone},
        "as_of_instant": _utc(run.period.checked_at),
        "lookup": report.parameters.get("lookup", ""),
        "reference": report.parameters.get("reference", ""),
        "detainers": [
            _item_json(
                file.detainer,
                history=[_entry_json(entry) for entry in file.detainer.history],
                legal_holds=[_hold_json(hold) for hold in file.holds],
                checks=file.checks,
                actions=[_item_json(item) for item in file.actions],
                findings=[_item_json(item) for item in file.findings],
                alerts=[{"type": item.kind, "fields": _item_json(item)["fields"]} for item in file.alerts],
                incidents=[
                    _item_json(
                        item,
                        case_events=[
                            {"at": _utc(event.at), "by": event.by, "kind": event.type, "text": event.reason}
                            for event in item.events
                        ],
                    )
                    for item in file.incidents
                ],
                access_log=[{**row, "at": _utc(row["at"])} for row in file.access_log],
            )
            for file in subject_files(run)
        ],
    }


def records_json_bytes(run: ReportRun) -> bytes:
    """``records_json`` as UTF-8 bytes, keys sorted and indented: the same data gives the same bytes."""
    return json.dumps(records_json(run), ensure_ascii=False, sort_keys=True, indent=2).encode()


def _plan(run: ReportRun) -> list[Part]:
    """One part per detainer still held (rendered in parallel by a worker), the first with the introduction."""
    ids = [str(detainer.public_id) for detainer in report_detainers(run.report)]
    if not ids:
        return [Part(template=TEMPLATE, params={"detainer": None, "number": 0}, landscape=True)]
    return [
        Part(
            template=TEMPLATE,
            params={"detainer": value, "number": number},
            toc_entry=f"Detainer {number + 1}",  # a bookmark per detainer (no personal data in it)
            landscape=True,
        )
        for number, value in enumerate(ids)
    ]


def _part_context(run: ReportRun, part: Part) -> dict:
    detainer = part.params.get("detainer")
    number = part.params.get("number", 0)
    held = report_detainers(run.report) if number == 0 else []
    return {
        "reference": run.report.parameters.get("reference", ""),
        "summary": subject_summary(held) if held else None,
        "files": subject_files(run, detainer_ids=[detainer]) if detainer else [],
        "first_part": number == 0,
        "file_number": number + 1,
        "held": len(held) if number == 0 else None,
        "lookup": LOOKUPS.get(run.report.parameters.get("lookup", ""), "number"),
        "asked": len(run.report.parameters.get("detainer_ids") or []),
        "json_name": JSON_NAME,
        "json_format": FORMAT,
    }


KIND = ReportKind(
    title=TITLE,
    plan=_plan,
    part_context=_part_context,
    templates=(TEMPLATE, *INCLUDED),
    bases=(Report.Basis.RECORDED.value,),
    snapshot=True,
    attachments=lambda run: {JSON_NAME: records_json_bytes(run)},
)
