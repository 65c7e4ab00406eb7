"""Integrations of a jail management system (JMS) and the events fed out to them (issue #15 items 3–4).

An ``Integration`` is one system of one agency calling the API (``compliance.api``) with a bearer
token and, optionally, receiving webhooks. The token is shown once when created and stored only
as its SHA-256 (``token_hash``); ``token_prefix`` finds the row. Calls act as ``user``, the
integration's own account (never able to sign in), so history and the access log name it.

A ``FeedEvent`` is one thing a JMS is told: a hold deadline near, a STOP raised, a finding
opened. It is written in the same transaction as the fact it reports (an outbox), carries no
personal data (record ids, times, rule and severity only), and is identified by ``public_id``,
the id a receiver deduplicates on. ``id`` orders the polling feed (its cursor).
"""

import uuid

from django.conf import settings
from django.db import models

from compliance.core.audit import AuditedHistory
from compliance.core.bulk_history import AuditedManager
from compliance.core.crypto.fields import EncryptedCharField
from compliance.core.models.base import AgencyScopedModel


class Integration(AgencyScopedModel):
    """One JMS (or other system) of one agency, allowed to call ``/api/v1/`` for that agency only."""

    name = models.CharField(max_length=100, help_text="What the system is, e.g. 'Jail management system (vendor)'.")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="integration")
    token_prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    # Webhooks (compliance.api feed): where events are POSTed, and the secret they are signed with.
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_secret = EncryptedCharField(max_length=100, blank=True, purpose="integration.webhook_secret")

    objects = AuditedManager()
    history = AuditedHistory(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class FeedEvent(models.Model):
    """One event for the agency's integrations; written with the fact it reports, never changed."""

    class Kind(models.TextChoices):
        HOLD_DEADLINE_NEAR = "hold_deadline.near", "Hold deadline near"
        STOP_RAISED = "stop.raised", "U.S.-citizenship STOP raised"
        FINDING_OPENED = "finding.opened", "Finding opened"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("compliance.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    #: What the event is about: a model label ("incidents.Detainer") and that record's public id.
    record_type = models.CharField(max_length=60)
    record_id = models.UUIDField()
    #: The event's facts (times as ISO 8601 UTC, rule, severity, lead hours). Never personal data.
    data = models.JSONField(default=dict)
    #: Deduplication of the emitter: one event per fact (e.g. "deadline:<detainer>:<lead>:<deadline>").
    dedup_key = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["agency", "id"], name="feedevent_agency_id_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` an integration sent with a create (issue #15 item 3; docs/decisions/api.md).

    The first request with a key stores the SHA-256 of its method, path and body and, once done, the status
    and the created record's public id; a retry with the same key and body replays that answer (the record is
    read afresh, so no personal data is stored here), a retry with another body is refused. A refused first
    request created nothing and leaves no key: its retry is judged afresh. The unique
    constraint on (integration, key) decides between two concurrent first requests. Kept 24 hours
    (``IDEMPOTENCY_KEY_HOURS``), purged nightly (``compliance.api.idempotency.idempotency_keys_purge``).
    """

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=255)
    request_sha256 = models.CharField(max_length=64)
    #: None while the first request is still being handled.
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    #: The created record's public id (its answer is rendered again from the record), or None for an error.
    record_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "key"], name="idempotencykey_unique_integration_key")
        ]

    def __str__(self) -> str:
        return f"{self.integration_id}:{self.key[:20]}"
