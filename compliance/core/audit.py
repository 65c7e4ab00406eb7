"""Who changed what: the audit trail behind every domain model.

django-simple-history records each change. This module and ``system_account`` add three things it
lacks out of the box:

* ``acting_as(user, reason=...)`` — attributes every history row written inside
  the block to ``user`` (Celery tasks, management commands, scheduled jobs),
  ahead of the request user; it always resets on exit, so a failed request or
  task never leaks its user into later work on the same thread (case H3).
* ``AuditedHistory`` — a ``HistoricalRecords`` that writes no row when a save
  changed nothing (case H2).
* ``system_user()`` (in ``compliance.core.system_account``) — the named account scheduled jobs are attributed to.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from simple_history.models import HistoricalRecords

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


class AuditedHistory(HistoricalRecords):
    """HistoricalRecords with context attribution and no phantom rows."""

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
