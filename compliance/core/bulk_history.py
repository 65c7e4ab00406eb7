"""Bulk writes on audited models write history too (SECURITY.md D11).

django-simple-history records a change from ``save()`` and ``delete()`` signals; ``QuerySet.update()``,
``bulk_create()`` and ``bulk_update()`` send none, so they would change records without a trace.
``AuditedQuerySet`` is the queryset of every model with an ``AuditedHistory`` (its ``objects`` and default
manager; ``tests/compliance/test_bulk_history.py`` fails for a new audited model without it): those three
calls write one history row per changed record, in the same transaction, attributed like any other row
(``compliance.core.audit.acting_as`` first, then the request's user) with the block's reason.

* ``update(**values)``: the matching rows are read (and locked) before and after the update, in batches
  of ``BATCH_SIZE``; a row whose tracked fields did not change gets no row (case H2, as ``save()``).
* ``bulk_update(objs, fields)``: the same (in batches of ``BATCH_SIZE`` whatever ``batch_size`` says);
  ``bulk_create(objs)``: one "created" row per object.
* Derived fields (``compliance.core.derived_fields.DerivedField``: name keys, blind indexes) stay in step: an
  update of their source recomputes them, or is refused when the new value is an expression.
* ``ignore_conflicts`` / ``update_conflicts`` are refused: the rows written would be unknown.

The one escape is ``history_skipped(reason=...)``, for invented data only: the benchmarks' data building
(``bench/harness.py``). Application code never uses it (a test checks).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.db import models, transaction
from simple_history.utils import get_history_manager_for_model, get_history_model_for_model

from compliance.core.audit import current_reason
from compliance.core.audit_failure import history_write
from compliance.core.derived_fields import DerivedField

#: Rows read, updated and recorded per round trip by ``update()`` and ``bulk_update()``.
BATCH_SIZE = 1000

#: Why bulk writes may skip history: invented data, never the application's own writes.
SKIP_REASONS = ("benchmark data",)

_skipped: contextvars.ContextVar[str | None] = contextvars.ContextVar("history_skipped", default=None)


@contextlib.contextmanager
def history_skipped(*, reason: str) -> Iterator[None]:
    """Let ``update()``, ``bulk_create()`` and ``bulk_update()`` of audited models skip history inside the block.

    For building invented data fast (the benchmarks); ``save()`` still writes history.

    Args:
        reason: one of ``SKIP_REASONS``.

    Raises:
        ValueError: for any other reason.
    """
    if reason not in SKIP_REASONS:
        raise ValueError(f"history is skipped only for {', '.join(SKIP_REASONS)}, not {reason!r}")
    token = _skipped.set(reason)
    try:
        yield
    finally:
        _skipped.reset(token)


class AuditedQuerySet(models.QuerySet):
    """The queryset of every audited model: bulk writes record history (see the module)."""

    def update(self, **kwargs):
        if _skipped.get():
            return super().update(**kwargs)
        if self.query.is_sliced:
            raise TypeError("Cannot update a query once a slice has been taken.")
        values = self._with_derived_values(kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            pks = list(self.order_by().values_list("pk", flat=True))
            return self._record_changes(pks, lambda rows: self._plain(rows).update(**values))

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        if _skipped.get():
            return super().bulk_update(objs, fields, batch_size=batch_size)
        fields = self._with_derived_fields(objs, fields)
        by_pk = {obj.pk: obj for obj in objs}
        return self._record_changes(
            list(by_pk),
            lambda rows: self._plain(rows).bulk_update([by_pk[pk] for pk in rows], fields),
        )

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if _skipped.get():
            return super().bulk_create(objs, *args, **kwargs)
        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise TypeError(
                f"{self.model._meta.label} is audited: bulk_create with ignore_conflicts/update_conflicts would "
                "write rows no history could name; create them one by one"
            )
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            if any(obj.pk is None for obj in created):  # pragma: no cover - PostgreSQL and SQLite ≥ 3.35 return pks
                raise TypeError(f"{self.model._meta.label}: bulk_create did not return the new keys")
            _history_create(self.model, created, update=False)
        return created

    def _plain(self, pks: list) -> models.QuerySet:
        """The rows with ``pks`` in a plain ``QuerySet``: its own writes record nothing (this class does)."""
        return models.QuerySet(model=self.model, using=self.db).filter(pk__in=pks)

    def _record_changes(self, pks: list, write) -> int:
        """Run ``write(batch of pks)`` on each batch and record every row it changed; the number of rows written."""
        written = 0
        with transaction.atomic(using=self.db, savepoint=False):
            for start in range(0, len(pks), BATCH_SIZE):
                batch = pks[start : start + BATCH_SIZE]
                # Locked, so no other transaction changes them between this read and the update (PostgreSQL);
                # in key order, so two bulk writes over the same rows queue instead of deadlocking.
                before = {row.pk: row for row in self._plain(batch).order_by("pk").select_for_update()}
                written += write(batch)
                after = list(self._plain(batch))
                changed = [row for row in after if row.pk not in before or _differs(before[row.pk], row)]
                _history_create(self.model, changed, update=True)
        return written

    def _with_derived_values(self, values: dict) -> dict:
        """``values`` plus the derived fields whose source they set (``update(last_name=...)`` sets its key)."""
        values = dict(values)
        for field in _derived_fields(self.model):
            if field.source not in values or field.name in values:
                continue
            new = values[field.source]
            if hasattr(new, "resolve_expression"):
                raise ValueError(
                    f"{self.model._meta.label}.{field.name} is derived from {field.source}: update "
                    f"{field.source} to a value, not an expression (or save each row)"
                )
            values[field.name] = field.derive(new)
        return values

    def _with_derived_fields(self, objs: list, fields) -> list[str]:
        """``fields`` plus the derived fields of those named, recomputed on each object first."""
        fields = list(fields)
        for field in _derived_fields(self.model):
            if field.source in fields and field.name not in fields:
                for obj in objs:
                    field.pre_save(obj, add=False)
                fields.append(field.name)
        return fields


class AuditedManager(models.Manager.from_queryset(AuditedQuerySet)):
    """``objects`` of an audited model without its own queryset (``objects = AuditedManager()``)."""


def _derived_fields(model) -> list:
    """The model's ``DerivedField`` columns (name keys, blind indexes): derived from another of its fields."""
    return [field for field in model._meta.concrete_fields if isinstance(field, DerivedField)]


def _differs(before, after) -> bool:
    """Whether a tracked field (``updated_at`` aside, as for ``save()``) differs between two reads of a row."""
    tracked = get_history_model_for_model(type(after)).tracked_fields
    return any(
        getattr(before, field.attname) != getattr(after, field.attname)
        for field in tracked
        if field.attname != "updated_at"
    )


def _history_create(model, objs: list, *, update: bool) -> None:
    """One history row per object of ``objs`` (attributed as any other row), or ``AuditWriteFailed``."""
    if not objs:
        return
    with history_write(model):
        # default_user=None: simple-history asks AuditedHistory.get_history_user (acting_as, then the request).
        get_history_manager_for_model(model).bulk_history_create(
            objs, update=update, default_change_reason=current_reason(), batch_size=BATCH_SIZE
        )
