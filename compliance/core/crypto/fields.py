"""Model fields stored encrypted (``EncryptedCharField``, ``EncryptedDateField``) and their blind index.

In Python the values are the usual ``str`` and ``date``; in the database they are AES-256-GCM ciphertext
(``compliance.core.crypto.cipher``) in a ``text`` column, in the main table and, because simple-history copies the
field, in its history table too. The database cannot compare them: every lookup but ``isnull`` and equality with
the empty value raises ``FieldError``, so no query silently matches nothing. Exact look-ups go through a
``BlindIndexField`` beside the value.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

from compliance.core.crypto.cipher import INDEX_CHARS, blind_index, decrypt, encrypt
from compliance.core.derived_fields import DerivedField


class EmptyOnlyExact(Exact):
    """``field=""`` (or ``None``) on an encrypted field: the empty value is stored as itself; anything else raises."""

    def get_db_prep_lookup(self, value, connection):
        if value not in ("", None):
            raise FieldError(f"{self.lhs.target.name} is encrypted: look it up through its blind index")
        return super().get_db_prep_lookup(value, connection)


class PurposeMixin:
    """A field's fixed ``purpose``: bound to its ciphertext or its blind index, and kept in migrations."""

    def __init__(self, *args, purpose: str, **kwargs):
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs


class EncryptedMixin(PurposeMixin):
    """What the encrypted fields share: the purpose (associated data), a text column, no comparisons."""

    def db_type(self, connection):
        return connection.data_types["TextField"]

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return EmptyOnlyExact
        return None  # Django then raises FieldError "Unsupported lookup"

    def get_transform(self, lookup_name):
        return None

    def _encrypted(self, text: str | None) -> str | None:
        return None if text is None else encrypt(text, purpose=self.purpose)

    def _decrypted(self, stored: str | None) -> str | None:
        return None if stored is None else decrypt(stored, purpose=self.purpose)


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A ``CharField`` stored encrypted; ``purpose``: e.g. ``"detainer.a_number"``.

    ``max_length`` checks the plaintext; the column is ``text``, as ciphertext is longer.
    """

    def from_db_value(self, value, expression, connection):
        return self._decrypted(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        return self._encrypted(value)


class EncryptedDateField(EncryptedMixin, models.DateField):
    """A ``DateField`` (a date, no time or zone) stored encrypted as its ISO text; ``purpose`` as above."""

    def get_internal_type(self):
        # The database backends convert a "DateField" column's values to dates before ``from_db_value``
        # (SQLite parses them): the column holds text.
        return "TextField"

    def from_db_value(self, value, expression, connection):
        text = self._decrypted(value)
        return datetime.date.fromisoformat(text) if text else None

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        return None if value is None else self._encrypted(value.isoformat())


class BlindIndexField(PurposeMixin, DerivedField):
    """The keyed blind index of another field of the same model, derived at every save; never typed.

    Set in ``pre_save`` like every ``DerivedField``, so every save path keeps it in step (services, the admin,
    ``bulk_create``, ``compliance.core.bulk_history``). Look-ups compare it with ``index_of(value)``. Excluded
    from history (derived).

    Args:
        source: the field holding the value, e.g. ``"a_number"``.
        purpose: the index's purpose (``compliance.core.crypto.cipher.blind_index``).
    """

    DEFAULT_MAX_LENGTH = INDEX_CHARS

    def normalise(self, value) -> str:
        """The value as indexed: text, outer spaces trimmed (subclasses normalise further, e.g. names)."""
        return "" if value is None else str(value).strip()

    def index_of(self, value) -> str:
        """The index a stored row with ``value`` in ``source`` has: what a look-up compares with."""
        return blind_index(self.purpose, self.normalise(value))

    def derive(self, value) -> str:
        return self.index_of(value)
