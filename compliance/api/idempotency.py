"""``Idempotency-Key`` on every create: a JMS that retries creates nothing twice (issue #15 item 3).

The key row (``compliance.core.models.IdempotencyKey``) is inserted in the same transaction as the record
it creates. A second request with the key waits on the row's unique index (PostgreSQL) until the first one
commits, then finds the finished row and replays its answer: the same status and the same record, read
afresh (nothing personal is stored with the key). The same key with another body (method, path or bytes)
is a 422 problem; a refused first request rolls its key back with everything else, so its retry is judged
afresh. Keys are kept ``IDEMPOTENCY_KEY_HOURS`` hours and purged nightly (``idempotency_keys_purge``).
Decision: docs/decisions/api.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from rest_framework import exceptions, status

from compliance.api.problems import IDEMPOTENCY_KEY_IN_USE, IDEMPOTENCY_KEY_REUSED, RuleRefused
from compliance.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
KEY_MAX_LENGTH = 255
KEY_FORMAT_MESSAGE = "The Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is a good choice)."
KEY_REUSED_MESSAGE = "This Idempotency-Key was used with a different request; use a new key for a new request."
KEY_IN_USE_MESSAGE = "A request with this Idempotency-Key is still being handled; retry in a moment."


class KeyInUse(RuleRefused):
    status_code = status.HTTP_409_CONFLICT


def key_hours() -> int:
    """How long a key is remembered, in hours (``settings.IDEMPOTENCY_KEY_HOURS``, 24 by default)."""
    return getattr(settings, "IDEMPOTENCY_KEY_HOURS", 24)


def request_digest(request) -> str:
    """The hex SHA-256 of the request's method, path and body bytes (what "the same request" means)."""
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\n")
    digest.update(request.path.encode())
    digest.update(b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def request_key(request) -> str | None:
    """The request's ``Idempotency-Key``, None when it sent none.

    Raises:
        ValidationError: (DRF: a 400 naming the header) the key is empty, over 255 characters, or not visible ASCII.
    """
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 0 < len(key) <= KEY_MAX_LENGTH or not all(33 <= ord(char) <= 126 for char in key):
        raise exceptions.ValidationError({HEADER: [KEY_FORMAT_MESSAGE]})  # 400: the request's shape
    return key


def database_is_locked(error: OperationalError) -> bool:
    """Whether ``error`` is SQLite's "database is locked" (another writer held the file past the busy timeout)."""
    return "database is locked" in str(error).lower()


def _claim_key(integration, key: str, body_digest: str) -> IdempotencyKey | None:
    """Insert the key's row (after dropping its expired one); None when the key's row already exists.

    Raises:
        KeyInUse: SQLite was locked by another writer (e.g. a concurrent request with the same key) past its
            busy timeout: the documented 409 ``idempotency-key-in-use``, retry later.
    """
    try:
        IdempotencyKey.objects.filter(
            integration=integration, key=key, created_at__lt=timezone.now() - timedelta(hours=key_hours())
        ).delete()
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(integration=integration, key=key, request_sha256=body_digest)
        except IntegrityError:
            return None
    except OperationalError as error:
        if not database_is_locked(error):
            raise
        raise KeyInUse({HEADER: [KEY_IN_USE_MESSAGE]}, problem_type=IDEMPOTENCY_KEY_IN_USE) from error


def idempotent_create(request, *, create: Callable[[], tuple[int, object]], replay: Callable[[int, object], object]):
    """Run ``create`` once per ``Idempotency-Key`` of the request's integration.

    Args:
        request: the DRF request (``request.auth`` is the ``Integration``; its body is read before any parsing).
        create: makes the record and returns ``(status, record)``; raises to refuse (nothing is kept then).
        replay: ``(status, record public id) -> response`` for a repeated key.

    Returns:
        What ``create`` or ``replay`` returned (a ``Response``).

    Raises:
        ValidationError: the key is malformed (400).
        RuleRefused: the key was used with another request (422); the first request with the key is still
            running on a database that did not make this one wait, or SQLite stayed locked by another writer
            (409, retry later).
    """
    body_digest = request_digest(request._request)  # read the body before DRF parses the stream
    key = request_key(request)
    if key is None:
        status_code, record = create()
        return replay(status_code, record.public_id, record=record)
    integration = request.auth
    with transaction.atomic():
        row = _claim_key(integration, key, body_digest)
        if row is None:
            existing = IdempotencyKey.objects.get(integration=integration, key=key)
            if existing.request_sha256 != body_digest:
                raise RuleRefused({HEADER: [KEY_REUSED_MESSAGE]}, problem_type=IDEMPOTENCY_KEY_REUSED)
            if existing.response_status is None:
                raise KeyInUse({HEADER: [KEY_IN_USE_MESSAGE]}, problem_type=IDEMPOTENCY_KEY_IN_USE)
            return replay(existing.response_status, existing.record_id, record=None)
        status_code, record = create()
        row.response_status = status_code
        row.record_id = record.public_id
        row.save(update_fields=["response_status", "record_id"])
    return replay(status_code, record.public_id, record=record)


def idempotency_keys_purge(*, now=None) -> int:
    """Delete the keys older than ``IDEMPOTENCY_KEY_HOURS``; returns how many (the nightly job)."""
    now = now or timezone.now()
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=now - timedelta(hours=key_hours())).delete()
    return deleted
