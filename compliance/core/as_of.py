"""Records as they stood at an instant, read in bulk from their history tables (issue #13 item 1).

Every audited model (``compliance.core.audit.AuditedHistory``) keeps a history row per change, stamped
``history_date`` (UTC). A record as it stood at instant ``T`` is its latest history row strictly before ``T``
(ties: the later ``history_id``); a record whose row then says "deleted" did not exist at ``T``, nor did one
whose first row is at or after ``T``. Strictly: ``T`` is an exclusive end (the start of the next local day, as
``Report.checked_at`` is), so a change stamped exactly at midnight belongs to the new day, as the findings and
audit-trail reports count it too. ``records_as_of`` answers that for many records in one query, whatever their
number: ``DISTINCT ON`` on PostgreSQL, a correlated "latest row" subquery elsewhere (SQLite in development).
Reports "as of" a day call it with the end of that day in the agency's zone (``Report.checked_at``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q, Subquery


def records_as_of(model: type[Model], *, at: datetime, filters: Q | None = None, later_as_now: bool = False) -> dict:
    """Primary key → an instance of ``model`` with its values as they stood at ``at``.

    Args:
        model: a model with an ``AuditedHistory`` named ``history``.
        at: an aware datetime, the exclusive end (e.g. the start of the day after an agency-local day).
        filters: a ``Q`` over the model's own field names (they are history columns too), e.g.
            ``Q(agency_id=3)`` or ``Q(pk__in=ids)`` (``pk`` is spelt ``id`` on the history table: pass ``id``).
            It selects on the values as they stood at ``at``: a record moved out of the filter later is kept.
        later_as_now: records with no history row before ``at`` (entered later, or written without
            history) are given as they are now, if they still exist and match ``filters`` now. For reports
            "as effective on" a day, where facts entered later still count from the day they happened;
            False ("as recorded by"): such records are left out.

    Returns:
        ``{pk: instance}``; instances are unsaved model objects built from the history row (foreign keys as
        ``<name>_id``; reading a relation queries). Deleted by ``at``: absent.

    Raises:
        ValueError: ``at`` is naive.

    Queries: one, plus one when ``later_as_now``.
    """
    if at.tzinfo is None:
        raise ValueError("Pass an aware datetime: an instant, not a wall-clock time.")
    history = model.history.model
    rows = history.objects.filter(history_date__lt=at)
    if filters is not None:
        # Only records that ever matched (a cheap bound on the "latest row" search); their latest row is then
        # checked against the filter again below, so a record moved out of it by ``at`` is left out.
        rows = rows.filter(id__in=history.objects.filter(filters).values("id"))
    if connection.vendor == "postgresql":
        latest = rows.order_by("id", "-history_date", "-history_id").distinct("id").values("history_id")
        rows = history.objects.filter(history_id__in=Subquery(latest))
    else:
        newest = (
            history.objects.filter(id=OuterRef("id"), history_date__lt=at)
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        rows = rows.filter(history_id=Subquery(newest))
    if filters is not None:
        rows = rows.filter(filters)
    attnames = [field.attname for field in model._meta.concrete_fields if hasattr(history, field.attname)]
    found: dict = {}
    for row in rows:
        if row.history_type != "-":
            # Built here, not by ``row.instance``: that reads a model's excluded fields with a query per row.
            found[row.id] = model(**{name: getattr(row, name) for name in attnames})
    if later_as_now:
        known = history.objects.filter(id=OuterRef("pk"), history_date__lt=at)
        current = model._default_manager.filter(~Exists(known))
        if filters is not None:
            current = current.filter(filters)
        for record in current:
            found[record.pk] = record
    return found
