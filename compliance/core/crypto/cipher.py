"""AES-256-GCM encryption of one field value, and keyed blind indexes for exact look-ups (SECURITY.md E4, E5).

A stored value is ``"e1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>"``: a fresh 96-bit nonce per value, the
field's *purpose* (e.g. ``"detainer.a_number"``) as associated data, so a value copied into another column does
not decrypt. Encryption is randomised: equal names give different stored values, so the database cannot be
searched by them; exact look-ups use ``blind_index`` (HMAC-SHA256 under a separate key) stored beside them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from compliance.core.crypto.keys import field_keys, index_key

PREFIX = "e1."
NONCE_BYTES = 12
#: Hex characters kept of a blind index (128 bits): collisions are negligible, and the column stays short.
INDEX_CHARS = 32


class DecryptionError(Exception):
    """A stored value that does not decrypt: unknown key id (a key removed too early), or altered data."""


def is_encrypted(stored: str) -> bool:
    """Whether a stored column value is ciphertext written by ``encrypt`` (not legacy plaintext, not empty)."""
    return stored.startswith(PREFIX)


def key_id_of(stored: str) -> str | None:
    """The id of the key a stored value was encrypted with, or None when it is not ciphertext."""
    if not is_encrypted(stored):
        return None
    return stored[len(PREFIX) :].split(".", 1)[0]


def encrypt(plaintext: str, *, purpose: str) -> str:
    """``plaintext`` encrypted under the first configured key; ``""`` stays ``""`` (an empty field is not secret).

    Args:
        plaintext: the value as the application holds it (text; dates as ISO ``YYYY-MM-DD``).
        purpose: the field's fixed name, bound as associated data.
    """
    if plaintext == "":
        return ""
    key = field_keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key.secret).encrypt(nonce, plaintext.encode(), purpose.encode())
    return f"{PREFIX}{key.id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(stored: str, *, purpose: str) -> str:
    """The plaintext of a stored value. Legacy plaintext (never encrypted) and ``""`` come back unchanged.

    Raises:
        DecryptionError: the key id is not configured (any more), or the value or its purpose does not match.
    """
    if not is_encrypted(stored):
        return stored
    key_id, _, body = stored[len(PREFIX) :].partition(".")
    key = next((key for key in field_keys() if key.id == key_id), None)
    if key is None:
        raise DecryptionError(f"no configured field key has id {key_id!r}")
    try:
        raw = base64.urlsafe_b64decode(body)
        return AESGCM(key.secret).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()).decode()
    except (InvalidTag, ValueError) as error:
        raise DecryptionError(f"a value of {purpose} does not decrypt") from error


def blind_index(purpose: str, value: str) -> str:
    """The keyed blind index of an already normalised ``value`` (``""`` for ``""``): equal values, equal indexes.

    Args:
        purpose: what is indexed, e.g. ``"a-number"`` or ``"person name"``; two purposes never share indexes.
        value: normalised by the caller (an A-number as ``A`` + 9 digits, a name by ``names.name_key``).
    """
    if value == "":
        return ""
    digest = hmac.new(index_key(), f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()
    return digest[:INDEX_CHARS]
