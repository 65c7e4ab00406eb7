"""Append-only audit tables: the one path that may rewrite them (SECURITY.md D5, D7, G3).

History tables (``Historical*``), the access log and the account events refuse UPDATE and DELETE on
PostgreSQL: each carries a django-pgtrigger trigger named ``TRIGGER_NAME``. Two jobs must still
rewrite them, and only through ``rewriting``: the retention purge (removing expired personal data
from every copy) and the field-key rotation (re-encrypting every history row). Each caller writes
its own audit row (what, how many, why); the data itself never goes into it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pgtrigger

#: The name of the trigger every append-only model carries.
TRIGGER_NAME = "append_only"


def trigger_uri(model) -> str:
    """The django-pgtrigger URI of ``model``'s append-only trigger, e.g. ``"compliance.AccessLog:append_only"``."""
    return f"{model._meta.label}:{TRIGGER_NAME}"


@contextlib.contextmanager
def rewriting(*models, purpose: str) -> Iterator[None]:
    """Let this thread UPDATE and DELETE rows of the append-only ``models`` inside the block.

    Args:
        models: model classes (history models, ``AccessLog``, ``AccountEvent``); a model without the
            trigger (SQLite, or not append-only) is simply not protected.
        purpose: ``"retention purge"`` or ``"key rotation"``: the only two callers allowed.

    Raises:
        ValueError: for any other purpose.
    """
    if purpose not in ("retention purge", "key rotation"):
        raise ValueError(
            f"append-only tables are rewritten only by the retention purge or key rotation, not {purpose!r}"
        )
    registered = {f"{model._meta.label}:{trigger.name}" for model, trigger in pgtrigger.registered()}
    uris = [trigger_uri(model) for model in models if trigger_uri(model) in registered]
    if not uris:
        yield
        return
    with pgtrigger.ignore(*uris):
        yield
