"""Re-encrypting every stored value under the newest key, and recomputing blind indexes (SECURITY.md E5).

``fields_rotate`` walks every model with an encrypted field — the main tables and their simple-history tables —
in primary-key batches, rewriting each value not yet under the first configured key (legacy plaintext included).
After it reports nothing left under an old key, that key can be removed from ``FIELD_ENCRYPTION_KEYS``.
History rows are append-only (``compliance.core.append_only``): the rewrite goes through ``rewriting(...,
purpose="key rotation")``, and writes no history row of its own (the values did not change).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction

from compliance.core import append_only
from compliance.core.crypto.cipher import decrypt, encrypt, key_id_of
from compliance.core.crypto.fields import BlindIndexField, EncryptedMixin
from compliance.core.crypto.keys import field_keys

BATCH = 1000


@dataclass
class RotationResult:
    """What ``fields_rotate`` did: values rewritten and indexes recomputed per table, and what it read."""

    rewritten: Counter = field(default_factory=Counter)
    reindexed: Counter = field(default_factory=Counter)
    #: Values read per key id ("plaintext" for values never encrypted), before the rewrite.
    found: Counter = field(default_factory=Counter)


def encrypted_models() -> list[tuple[type, list, list]]:
    """``(model, encrypted fields, blind-index fields)`` for every installed model with an encrypted field."""
    found = []
    for model in apps.get_models():
        encrypted = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
        if encrypted:
            indexes = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
            found.append((model, encrypted, indexes))
    return found


def fields_rotate(*, reindex: bool = False, batch: int = BATCH) -> RotationResult:
    """Rewrite every encrypted value not under the first key; with ``reindex``, recompute every blind index.

    Args:
        reindex: also recompute the blind indexes from the decrypted values (after ``BLIND_INDEX_KEY`` changed).
        batch: rows per transaction.

    Returns:
        A ``RotationResult``. Idempotent: a second run rewrites nothing.

    Raises:
        compliance.core.crypto.cipher.DecryptionError: a value under a key no longer configured (nothing of the
            batch it is in is written).
    """
    primary = field_keys()[0].id
    result = RotationResult()
    quote = connection.ops.quote_name
    for model, encrypted, indexes in encrypted_models():
        table = model._meta.db_table
        pk = model._meta.pk.column
        columns = [f.column for f in encrypted] + ([f.column for f in indexes] if reindex else [])
        # Identifiers from the models' own metadata, quoted; values are parameters.
        select = f"SELECT {quote(pk)}, {', '.join(quote(c) for c in columns)} FROM {quote(table)} "  # noqa: S608
        last = None
        while True:
            with (
                transaction.atomic(),
                append_only.rewriting(model, purpose="key rotation"),
                connection.cursor() as cursor,
            ):
                if last is None:
                    cursor.execute(f"{select} ORDER BY {quote(pk)} LIMIT %s", [batch])
                else:
                    cursor.execute(f"{select} WHERE {quote(pk)} > %s ORDER BY {quote(pk)} LIMIT %s", [last, batch])
                rows = cursor.fetchall()
                for row in rows:
                    changes = _row_changes(row, encrypted, indexes if reindex else [], primary, result, table)
                    if changes:
                        assignments = ", ".join(f"{quote(column)} = %s" for column in changes)
                        cursor.execute(
                            f"UPDATE {quote(table)} SET {assignments} WHERE {quote(pk)} = %s",  # noqa: S608 (as above)
                            [*changes.values(), row[0]],
                        )
            if len(rows) < batch:
                break
            last = rows[-1][0]
    return result


def _row_changes(row, encrypted, indexes, primary: str, result: RotationResult, table: str) -> dict[str, str]:
    changes = {}
    plain = {}
    for position, model_field in enumerate(encrypted, start=1):
        stored = row[position]
        if stored in (None, ""):
            plain[model_field.name] = stored
            continue
        key_id = key_id_of(stored)
        result.found[key_id or "plaintext"] += 1
        text = decrypt(stored, purpose=model_field.purpose)
        plain[model_field.name] = text
        if key_id != primary:
            changes[model_field.column] = encrypt(text, purpose=model_field.purpose)
            result.rewritten[table] += 1
    for position, index_field in enumerate(indexes, start=1 + len(encrypted)):
        source = plain.get(index_field.source)
        value = index_field.index_of(source if source is not None else "")
        if value != row[position]:
            changes[index_field.column] = value
            result.reindexed[table] += 1
    return changes
