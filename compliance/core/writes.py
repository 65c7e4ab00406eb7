"""Pieces every app's write services share: refusing unknown fields, a locked update with its history author."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Model

from compliance.core.audit import acting_as


def refuse_unknown_fields(given: Iterable[str], allowed: frozenset[str] | set[str], what: str) -> None:
    """Refuse field names a service does not write.

    Args:
        given: the field names passed to the service (keyword arguments).
        allowed: the names the service accepts.
        what: the service's name, for the message.

    Raises:
        TypeError: a name outside ``allowed`` (a programming error, never user input), listing them sorted.
    """
    unknown = set(given) - set(allowed)
    if unknown:
        raise TypeError(f"{what} got unknown fields: {', '.join(sorted(unknown))}")


def locked_update(*, instance: Model, actor, reason: str | None, fields: dict) -> Model:
    """Set ``fields`` on a freshly locked copy of ``instance``, save it, and return that copy.

    One transaction; the row is locked (``select_for_update``) so two people saving the same record
    at once cannot silently overwrite each other. The history row names ``actor`` and ``reason``;
    a save that changes nothing writes none (case H2, ``compliance.core.audit.AuditedHistory``).

    Args:
        instance: the record, already permission-checked by the caller.
        actor: the user making the change.
        reason: optional history change reason (no personal data).
        fields: field name → new value; the caller has refused unknown names.

    Raises:
        DoesNotExist: the record was deleted meanwhile.
    """
    with transaction.atomic(), acting_as(actor, reason=reason):
        locked = type(instance).objects.select_for_update().get(pk=instance.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
    return locked
