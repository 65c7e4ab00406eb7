"""The field-encryption keys and the blind-index key, read from settings (the environment), never the database.

``settings.FIELD_ENCRYPTION_KEYS`` is ``"id:base64key"`` entries separated by commas or new lines; the first
encrypts, every one decrypts (rotation: put a new key first, run ``manage.py rotate_field_keys``, then remove the
old one). Each key is 32 random bytes (AES-256: SECURITY.md E4, FIPS 197 with a 256-bit key).
``settings.BLIND_INDEX_KEY`` is one base64 32-byte key for the HMAC-SHA256 blind indexes.

With ``DEBUG`` or under tests and no keys set, a development key file (``settings.FIELD_KEYS_DEV_FILE``, under
``var/``, never committed) is created once with random keys and read by every process of the checkout (the server,
a worker, test processes), so they all read each other's rows.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

KEY_BYTES = 32
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


@dataclass(frozen=True)
class FieldKey:
    """One AES-256 key and its short id (written in front of every value it encrypts)."""

    id: str
    secret: bytes


def key_new() -> str:
    """A new random 32-byte key, base64: what to put after ``id:`` in ``FIELD_ENCRYPTION_KEYS``."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def _key_bytes(text: str, what: str) -> bytes:
    try:
        secret = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{what} is not base64") from None
    if len(secret) != KEY_BYTES:
        raise ImproperlyConfigured(f"{what} must be {KEY_BYTES} bytes (AES-256), not {len(secret)}")
    return secret


def keys_parse(text: str) -> tuple[FieldKey, ...]:
    """``"id:base64,id2:base64"`` (commas or new lines) → the keys, the encrypting one first.

    Raises:
        ImproperlyConfigured: no key, a malformed entry, a key that is not 32 bytes, or an id used twice.
    """
    entries = [entry.strip() for entry in re.split(r"[,\n]", text) if entry.strip()]
    keys = []
    for entry in entries:
        key_id, _, encoded = entry.partition(":")
        if not KEY_ID.match(key_id) or not encoded:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS entries are id:base64key (id: letters, digits, - or _)")
        keys.append(FieldKey(key_id, _key_bytes(encoded, f"field key {key_id!r}")))
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS has no key")
    if len({key.id for key in keys}) != len(keys):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS uses a key id twice")
    return tuple(keys)


def _dev_keys(path: Path) -> dict:
    """The development keys at ``path``, created atomically by the first process that needs them."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        draft.write_text(json.dumps({"field_keys": f"dev1:{key_new()}", "index_key": key_new()}))
        draft.chmod(0o600)
        try:
            os.link(draft, path)  # fails if another process made it first: theirs is used
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return json.loads(path.read_text())


def _configured() -> tuple[str, str]:
    field_keys = getattr(settings, "FIELD_ENCRYPTION_KEYS", "")
    index_key = getattr(settings, "BLIND_INDEX_KEY", "")
    dev_file = getattr(settings, "FIELD_KEYS_DEV_FILE", None)
    if (not field_keys or not index_key) and dev_file:
        dev = _dev_keys(Path(dev_file))
        field_keys = field_keys or dev["field_keys"]
        index_key = index_key or dev["index_key"]
    if not field_keys or not index_key:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must be set (or their _FILE forms)")
    return field_keys, index_key


@functools.cache
def field_keys() -> tuple[FieldKey, ...]:
    """Every configured field key, the one that encrypts first. Raises ``ImproperlyConfigured`` (see ``keys_parse``)."""
    return keys_parse(_configured()[0])


@functools.cache
def index_key() -> bytes:
    """The blind-index HMAC key (32 bytes). Raises ``ImproperlyConfigured`` when missing or not 32 bytes."""
    return _key_bytes(_configured()[1], "BLIND_INDEX_KEY")


def keys_forget() -> None:
    """Forget the keys read so far (after the settings change: tests, key rotation in one process)."""
    field_keys.cache_clear()
    index_key.cache_clear()


@receiver(setting_changed)
def _settings_changed(*, setting, **kwargs) -> None:
    if setting in ("FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "FIELD_KEYS_DEV_FILE"):
        keys_forget()
