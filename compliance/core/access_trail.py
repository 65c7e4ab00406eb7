"""Reading the access log: who viewed, listed or exported personal data, for auditors (SECURITY.md D3, D9, G5).

The log itself is written by ``compliance.core.models.access_log_record`` on every
page that shows a detainer's (or other person's) data. This module only reads:
it never changes a row (SECURITY.md D9: "search and reports that leave
originals untouched").

Scope: rows of the agencies where the reader holds ``export_reports``
(auditors, supervisors, administrators; staff do not audit each other). A list
row written for a page that showed several agencies at once has no agency and
is visible only to superusers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from compliance.core import access
from compliance.core.models import AccessLog
from compliance.core.record_pages import RECORD_PAGES

#: "app_label.model" of a logged record → URL name of its page, for records addressed by their own public id.
RECORD_URL_NAMES = {label: name for label, (name, attribute) in RECORD_PAGES.items() if attribute == "public_id"}


def access_log_for(user, *, readable: list | None = None) -> QuerySet[AccessLog]:
    """Access-log rows ``user`` may read (agencies where they hold ``export_reports``), newest first.

    Args:
        user: the reader.
        readable: ``access.agencies_for(user, access.EXPORT)`` already read by the caller (a list), or None to
            read it here. Given, the rows are narrowed by a list of agency ids rather than a subquery, so
            PostgreSQL reads one agency's range of ``accesslog_agency_at_idx`` for a page.

    Returns:
        A lazy queryset with ``user``, ``agency`` and ``content_type`` joined.
    """
    if readable is None:
        queryset = access.scope(AccessLog.objects.all(), user, access.EXPORT)
    else:
        queryset = AccessLog.objects.filter(agency_id__in=[agency.pk for agency in readable])
    return queryset.select_related("user", "agency", "content_type")


@dataclass(frozen=True)
class RecordLink:
    label: str
    url: str | None


def record_links(rows: list[AccessLog]) -> dict[int, RecordLink]:
    """Access-log row id → the record it names (type and a link to its page), for one page of rows.

    One query per record type on the page (at most a handful), never one per
    row. A record that no longer exists is labelled "(deleted)" without link.
    """
    wanted: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        if row.content_type_id and row.object_id:
            wanted[row.content_type_id].add(row.object_id)
    public_ids: dict[tuple[int, int], object] = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None or not hasattr(model, "public_id"):
            continue
        for pk, public_id in model.objects.filter(pk__in=ids).order_by().values_list("pk", "public_id"):
            public_ids[(type_id, pk)] = public_id
    links = {}
    for row in rows:
        if not row.content_type_id:
            continue
        label = row.content_type.name.capitalize()
        public_id = public_ids.get((row.content_type_id, row.object_id))
        name = RECORD_URL_NAMES.get(f"{row.content_type.app_label}.{row.content_type.model}")
        url = None
        if public_id is not None and name:
            try:
                url = reverse(name, args=[public_id])
            except NoReverseMatch:
                url = None
        links[row.pk] = RecordLink(label if public_id is not None else f"{label} (deleted)", url)
    return links


#: Record types the access log's "record type" filter offers: "app_label.model" → label.
RECORD_TYPES = {
    "incidents.detainer": "Detainer",
    "incidents.incident": "Incident",
    "training.officer": "Officer",
    "training.certification": "Certification",
    "training.certificatefile": "Certificate file",
    "compliance.report": "Report",
    "community.outreachevent": "Outreach event",
}


def record_type(label: str) -> ContentType | None:
    """The content type of ``label`` ("app_label.model") if it is one of ``RECORD_TYPES``, else None."""
    if label not in RECORD_TYPES:
        return None
    app_label, _, model_name = label.partition(".")
    try:
        return ContentType.objects.get_by_natural_key(app_label, model_name)
    except ContentType.DoesNotExist:
        return None


@dataclass(frozen=True)
class RecordReference:
    """A parsed ``?record=app_label.model:<public id>``: its type, and the row's pk when such a row exists."""

    content_type: ContentType
    pk: int | None


def record_filter(reference: str) -> RecordReference | None:
    """Parse ``?record=app_label.model:<public id>`` (SECURITY.md G5 "who viewed this record").

    Returns None when the type is unknown (the page then shows no rows). A known type with
    a malformed, unknown or other agency's public id gives a reference with ``pk`` None or a
    pk whose rows are all outside the reader's scope: either way the page answers with the
    same empty result, so it never confirms that another agency's record exists.
    """
    label, _, public_id = reference.partition(":")
    app_label, _, model_name = label.partition(".")
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
    except ContentType.DoesNotExist:
        return None
    model = content_type.model_class()
    if model is None or not hasattr(model, "public_id"):
        return None
    try:
        pk = model.objects.filter(public_id=public_id).values_list("pk", flat=True).first()
    except (ValueError, ValidationError):  # a malformed UUID
        pk = None
    return RecordReference(content_type, pk)
