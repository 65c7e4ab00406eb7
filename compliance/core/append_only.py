"""Append-only audit tables: what protects them, and the one path that may rewrite them (SECURITY.md D5, D7, G3).

History tables (``Historical*``), the access log and the account events refuse UPDATE and DELETE:

* on PostgreSQL, each carries a django-pgtrigger ``Protect`` trigger named ``TRIGGER_NAME``
  (``append_only_trigger``), installed by the apps' migrations: an UPDATE or DELETE from the
  application's connection raises, whatever the SQL came from (ORM, raw SQL, a cascade);
* on every database, the ORM refuses first with ``AppendOnlyError``: ``AppendOnlyRow`` (the
  abstract base of these models: ``save()`` of a stored row, ``delete()``) and ``AppendOnlyQuerySet``
  (their managers' ``update()``, ``delete()``, ``bulk_update()``). Inserts stay allowed.

Two jobs must still rewrite them, and only through ``rewriting``: the retention purge (removing
expired personal data from every copy) and the field-key rotation (re-encrypting every history
row). Each caller writes its own audit row (what, how many, why); the data itself never goes into it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

import pgtrigger
from django.db import models

#: The name of the trigger every append-only model carries.
TRIGGER_NAME = "append_only"

#: The two purposes ``rewriting`` accepts.
PURPOSES = ("retention purge", "key rotation")

# Labels of the models the current ``rewriting`` block may rewrite (the ORM-level half of the bypass).
_rewritable: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "append_only_rewritable", default=frozenset()
)


class AppendOnlyError(PermissionError):
    """An UPDATE or DELETE of an append-only row outside ``rewriting``: audit records are never changed."""


def trigger_uri(model) -> str:
    """The django-pgtrigger URI of ``model``'s append-only trigger, e.g. ``"compliance.AccessLog:append_only"``."""
    return f"{model._meta.label}:{TRIGGER_NAME}"


def append_only_trigger() -> pgtrigger.Protect:
    """A new PostgreSQL trigger refusing UPDATE and DELETE of a model's rows, for its ``Meta.triggers``.

    One instance per model (django-pgtrigger registers an instance on one model). TRUNCATE is not
    covered: it is not something the application does (the test runner's flush does).
    """
    return pgtrigger.Protect(name=TRIGGER_NAME, operation=pgtrigger.Update | pgtrigger.Delete)


def is_rewriting(model) -> bool:
    """Whether the current ``rewriting`` block lets this thread rewrite ``model``'s rows."""
    return model._meta.concrete_model._meta.label in _rewritable.get()


def refuse_unless_rewriting(model, what: str) -> None:
    """Raise ``AppendOnlyError`` naming ``what`` (e.g. "delete") unless inside ``rewriting(model, ...)``."""
    if not is_rewriting(model):
        raise AppendOnlyError(
            f"{model._meta.label} rows are append-only: {what} is refused "
            "(only the retention purge and key rotation rewrite them, through compliance.core.append_only.rewriting)."
        )


@contextlib.contextmanager
def rewriting(*models, purpose: str) -> Iterator[None]:
    """Let this thread UPDATE and DELETE rows of the append-only ``models`` inside the block.

    Lifts both guards for those models only: the ORM's (``AppendOnlyRow``, ``AppendOnlyQuerySet``)
    and, on PostgreSQL, the ``append_only`` trigger (``pgtrigger.ignore``).

    Args:
        models: model classes (history models, ``AccessLog``, ``AccountEvent``); a model without the
            trigger (SQLite, or not append-only) is simply not protected at the database.
        purpose: ``"retention purge"`` or ``"key rotation"``: the only two callers allowed.

    Raises:
        ValueError: for any other purpose.
    """
    if purpose not in PURPOSES:
        raise ValueError(
            f"append-only tables are rewritten only by the retention purge or key rotation, not {purpose!r}"
        )
    token = _rewritable.set(_rewritable.get() | {model._meta.concrete_model._meta.label for model in models})
    try:
        registered = {f"{model._meta.label}:{trigger.name}" for model, trigger in pgtrigger.registered()}
        uris = [trigger_uri(model) for model in models if trigger_uri(model) in registered]
        if not uris:
            yield
            return
        with pgtrigger.ignore(*uris):
            yield
    finally:
        _rewritable.reset(token)


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset that inserts and reads but refuses ``update()``, ``delete()`` and ``bulk_update()``.

    ``bulk_create`` stays: it only inserts. Inside ``rewriting(model, ...)`` all of them work.
    """

    def update(self, **kwargs):
        refuse_unless_rewriting(self.model, "update()")
        return super().update(**kwargs)

    def delete(self):
        refuse_unless_rewriting(self.model, "delete()")
        return super().delete()

    def bulk_update(self, objs, fields, batch_size=None):
        refuse_unless_rewriting(self.model, "bulk_update()")
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def update_or_create(self, *args, **kwargs):
        refuse_unless_rewriting(self.model, "update_or_create()")
        return super().update_or_create(*args, **kwargs)


class AppendOnlyRow(models.Model):
    """Abstract base of an append-only table: a row is written once, then only read.

    ``save()`` of a stored row and ``delete()`` raise ``AppendOnlyError`` outside ``rewriting``; the
    default manager is an ``AppendOnlyQuerySet``. The PostgreSQL trigger (``append_only_trigger``,
    in the concrete model's ``Meta.triggers``) refuses the same at the database.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            refuse_unless_rewriting(type(self), "changing a stored row")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        refuse_unless_rewriting(type(self), "delete()")
        return super().delete(*args, **kwargs)
