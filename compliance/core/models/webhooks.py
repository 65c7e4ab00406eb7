"""Webhook deliveries: one row per (feed event, integration), the queue the sender works from (issue #15 item 4).

The database is the source of truth for queued work: a delivery is written in the same transaction as its
event (``compliance.core.feed.feed_emit``), for every active integration with a ``webhook_url`` at that
moment. The sender (``compliance.integrations.webhooks``) claims due rows with ``SKIP LOCKED`` and a lease
(``next_attempt_at`` moved past the send's longest time), POSTs, then marks the outcome:

* ``pending``: not delivered yet; due at ``next_attempt_at`` (first attempt: the event's writing);
* ``delivered``: the receiver answered 2xx; never sent again;
* ``failed``: ``MAX_ATTEMPTS`` attempts answered otherwise (or not at all); shown to the agency
  administrator, who may send it again (``retried_at``/``retried_by``).

Not audited (like ``OutboundMail``): the row is queue state written at every attempt; what a person decides
(the URL, the secret, a retry) is in the integration's history or on the row (``retried_by``).
``last_error`` holds a short reason of ours (an exception's class, "HTTP 500"), never the receiver's text.
"""

from django.conf import settings
from django.db import models


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    event = models.ForeignKey("compliance.FeedEvent", on_delete=models.CASCADE, related_name="deliveries")
    integration = models.ForeignKey("compliance.Integration", on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=100, blank=True, help_text="Our short reason, never the reply's text.")
    retried_at = models.DateTimeField(null=True, blank=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "integration"], name="webhook_delivery_once_per_integration")
        ]
        indexes = [
            # The sender's scan: due pending rows.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(state="pending"),
            ),
            models.Index(fields=["integration", "-id"], name="webhook_delivery_recent"),
        ]

    def __str__(self) -> str:
        return f"delivery #{self.pk} ({self.state})"
