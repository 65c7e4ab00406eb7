"""Report "Records request": everything an agency holds about one subject, as a PDF and a JSON file (issue #14 item 6).

The answer to a records request (litigation, FOIA/state public-records, the subject's own request) or to an
auditor's "who saw person X" (SECURITY.md G5). An auditor (anyone holding ``export_reports``) types the subject's
A-number or a booking number on ``reports:records_request`` (POST: never in a URL, F6); the look-up
(``incidents.detainers.selectors.subject_detainers``) finds every detainer of the subject in each agency where the
requester may export, and one report per agency holding any is requested in the same step. The ``Report`` keeps the
matched detainers' public ids (``parameters["detainer_ids"]``) and how they were asked for (``"lookup"``: "a_number"
or "booking_number"), never the number typed.

What it holds, per detainer, as the records stood at the report's instant ``checked_at`` (the request time):

- every field of the record (derived comparison keys left out) with its current value;
- its full history (``compliance.core.history.history_entries``): who changed what, when, why, old → new;
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
     "detainers": [{"id": public id, "fields": {name: value}, "history": [HISTORY], "checks": [{"name", "rule",
        "result": "passed"|"failed"|"due"|"does not apply", "message"}], "actions": [{"id", "fields"}],
        "findings": [{"id", "fields", "history": [HISTORY]}], "alerts": [{"type", "fields"}],
        "incidents": [{"id", "fields", "history": [HISTORY], "case_events": [{"at", "by", "kind", "text"}]}],
        "access_log": [{"at", "user", "username", "action", "outcome", "page", "view_name", "record_type",
        "record_id"}]}]}
    HISTORY = {"at", "by", "type", "reason", "changes": [{"field", "old", "new"}]}
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
from compliance.reports.kinds import Part, ReportKind, ReportRun
from incidents.detainers.checks import detainer_checks
from incidents.models import CaseEvent, Detainer, Incident

TEMPLATE = "reports/records_request.html"
#: The templates the part includes (rendered only by WeasyPrint).
INCLUDED = ("reports/records_request_history.html", "reports/records_request_items.html")
TITLE = "Records request: everything held about one subject"
JSON_NAME = "records-request.json"
FORMAT = "compliance-287g/records-request/1"
#: How the subject was asked for (``Report.parameters["lookup"]``) → words on the cover.
LOOKUPS = {"a_number": "A-number", "booking_number": "booking number"}

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


def request_parameters(*, detainers, number_was_a_number: bool) -> dict:
    """What the ``Report`` keeps: the matched detainers' public ids (text) and how they were asked for."""
    return {
        "detainer_ids": [str(detainer.public_id) for detainer in detainers],
        "lookup": "a_number" if number_was_a_number else "booking_number",
    }


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


@dataclass
class SubjectFile:
    """One detainer and everything that belongs with it."""

    detainer: Item
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


def record_values(instance, zone) -> list[Value]:
    """Every concrete field of ``instance`` but ``_SKIPPED``: choices by their label, foreign keys by their name."""
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
            raw = getattr(instance, model_field.attname)
        values.append(
            Value(
                name=model_field.name,
                label=str(model_field.verbose_name).capitalize(),
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
    """``record``'s history up to ``checked_at``, oldest first (``history_entries``, the history page's)."""
    return [
        Entry(
            at=entry.date,
            by=_person(entry.user),
            type=entry.type,
            reason=entry.reason,
            changes=[(change.label, change.old, change.new) for change in entry.changes],
        )
        for entry in reversed(history_entries(record))
        if entry.date < checked_at
    ]


def _item(kind: str, instance, zone, checked_at, *, with_history: bool) -> Item:
    return Item(
        kind=kind,
        id=str(getattr(instance, "public_id", instance.pk)),
        title=str(instance),
        fields=record_values(instance, zone),
        history=_history(instance, checked_at) if with_history else [],
    )


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
        "detainers": [
            _item_json(
                file.detainer,
                history=[_entry_json(entry) for entry in file.detainer.history],
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
    held = len(report_detainers(run.report)) if number == 0 else None
    return {
        "files": subject_files(run, detainer_ids=[detainer]) if detainer else [],
        "first_part": number == 0,
        "file_number": number + 1,
        "held": held,
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
