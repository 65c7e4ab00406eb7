"""Who changed what: the audit trail behind every domain model.

django-simple-history records each change. This module and ``system_account`` add what it
lacks out of the box:

* ``acting_as(user, reason=...)`` — attributes every history row written inside
  the block to ``user`` (Celery tasks, management commands, scheduled jobs),
  ahead of the request user; it always resets on exit, so a failed request or
  task never leaks its user into later work on the same thread (case H3).
* ``AuditedHistory`` — a ``HistoricalRecords`` that writes no row when a save
  changed nothing (case H2).
* ``system_user()`` (in ``compliance.core.system_account``) — the named account scheduled jobs are attributed to.
* ``AuditedHistory`` also makes the history append-only (SECURITY.md D5: each history model is an
  ``append_only.AppendOnlyRow`` with the PostgreSQL ``append_only`` trigger and a queryset refusing
  update/delete) and fail closed (D8: a model's save and its history insert are one transaction; a failed
  insert raises ``audit_failure.AuditWriteFailed`` and alerts). Bulk writes: ``compliance.core.bulk_history``.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator

from django.db import router, transaction
from simple_history.manager import HistoricalQuerySet
from simple_history.models import HistoricalRecords

from compliance.core.append_only import AppendOnlyQuerySet, AppendOnlyRow, append_only_trigger
from compliance.core.audit_failure import history_write

_actor: contextvars.ContextVar = contextvars.ContextVar("audit_actor", default=None)

_reason: contextvars.ContextVar = contextvars.ContextVar("audit_reason", default=None)


@contextlib.contextmanager
def acting_as(user, *, reason: str | None = None) -> Iterator[None]:
    """Attribute history rows written inside the block to ``user``.

    Args:
        user: a ``compliance.User`` (or None to fall back to the request user).
        reason: optional ``history_change_reason`` for every row, e.g. the name of
            an imported file. Never put personal data in it.
    """
    actor_token = _actor.set(user)
    reason_token = _reason.set(reason)
    try:
        yield
    finally:
        _actor.reset(actor_token)
        _reason.reset(reason_token)


def current_actor():
    """The user set by the innermost ``acting_as`` block, or None."""
    return _actor.get()


def current_reason() -> str | None:
    """The ``history_change_reason`` set by the innermost ``acting_as`` block (cut to the column), or None."""
    return change_reason_fit(_reason.get())


#: simple-history's ``history_change_reason`` column is ``varchar(100)``.
CHANGE_REASON_MAX = 100


def change_reason_fit(reason: str | None) -> str | None:
    """``reason`` cut to the history column's 100 characters (ending "…" when cut), or None.

    Reasons often quote what a user typed (a reopen reason, a resolution note);
    PostgreSQL refuses a longer value. The full text stays on the record itself.
    """
    if reason is None or len(reason) <= CHANGE_REASON_MAX:
        return reason
    return reason[: CHANGE_REASON_MAX - 1] + "…"


class AppendOnlyHistoricalQuerySet(AppendOnlyQuerySet, HistoricalQuerySet):
    """``record.history`` / ``Model.history``: simple-history's queryset, refusing update and delete (D5)."""


class AuditedHistory(HistoricalRecords):
    """HistoricalRecords with context attribution, no phantom rows, append-only history, failing closed.

    Every history model it builds is an ``AppendOnlyRow`` (its rows are never changed or deleted outside
    ``append_only.rewriting``), its ``Model.history`` queryset refuses update/delete, and its ``Meta.triggers``
    carries the ``append_only`` trigger, so a new audited model gets the trigger in its migration without
    anyone remembering it (``tests/compliance/test_append_only.py`` fails otherwise). The tracked model's
    ``save_base`` runs in a transaction (``savepoint=False``, as Django does for multi-table models) so the
    row and its history row are written together or not at all (D8).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("bases", (AppendOnlyRow,))
        kwargs.setdefault("historical_queryset", AppendOnlyHistoricalQuerySet)
        super().__init__(*args, **kwargs)

    def get_meta_options(self, model):
        return {**super().get_meta_options(model), "triggers": [append_only_trigger()]}

    def add_extra_methods(self, cls):
        super().add_extra_methods(cls)
        save_base = cls.save_base
        if getattr(save_base, "audited_atomic", False):
            return

        @functools.wraps(save_base)
        def audited_save_base(instance, *args, using=None, **kwargs):
            using = using or router.db_for_write(type(instance), instance=instance)
            # The post_save signal that writes the history row is sent after Django's own block in save_base:
            # without this one, in autocommit the row would be committed before its history was written.
            with transaction.atomic(using=using, savepoint=False):
                return save_base(instance, *args, using=using, **kwargs)

        audited_save_base.audited_atomic = True
        cls.save_base = audited_save_base

    def get_history_user(self, instance):
        actor = _actor.get()
        if actor is not None:
            return actor
        return super().get_history_user(instance)

    def get_change_reason_for_object(self, instance, history_type, using):
        return change_reason_fit(super().get_change_reason_for_object(instance, history_type, using) or _reason.get())

    def create_historical_record(self, instance, history_type, using=None):
        if history_type == "~" and not self._changed_since_last_record(instance):
            return
        with history_write(type(instance)):
            super().create_historical_record(instance, history_type, using=using)

    def _changed_since_last_record(self, instance) -> bool:
        manager = getattr(instance, self.manager_name)
        last = manager.model.objects.filter(id=instance.pk).order_by("-history_date", "-history_id").first()
        if last is None:
            return True
        # updated_at moves on every save; it is not a change anyone made.
        return any(
            getattr(last, field.attname) != getattr(instance, field.attname)
            for field in self.fields_included(instance)
            if field.attname != "updated_at"
        )


def history_diffs(record) -> list[dict]:
    """Field-by-field changes of an object's history, newest first.

    Args:
        record: a model instance that has an ``AuditedHistory`` named ``history``.

    Returns:
        A list of dicts ``{"entry", "user", "date", "type", "reason", "changes"}``
        where ``changes`` is a list of ``(field verbose name, old, new)``.
    """
    entries = list(record.history.select_related("history_user").order_by("-history_date", "-history_id"))
    out = []
    for index, entry in enumerate(entries):
        previous = entries[index + 1] if index + 1 < len(entries) else None
        changes = []
        if previous is not None:
            delta = entry.diff_against(previous)
            for change in delta.changes:
                field = record._meta.get_field(change.field)
                changes.append((field.verbose_name, change.old, change.new))
        out.append(
            {
                "entry": entry,
                "user": entry.history_user,
                "date": entry.history_date,
                "type": entry.get_history_type_display(),
                "reason": entry.history_change_reason,
                "changes": changes,
            }
        )
    return out
