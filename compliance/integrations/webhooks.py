"""The webhook sender: feed events POSTed, signed, to each integration's address (issue #15 item 4).

Work comes from the database (``WebhookDelivery`` rows written with their event, ``compliance.core.feed``):

1. **Claim** (``deliveries_claim``): due pending rows, ``SELECT … FOR UPDATE SKIP LOCKED``, each given an attempt
   and a lease (``next_attempt_at`` = now + ``LEASE``) in one short transaction. Two senders never claim the
   same row; a sender killed after claiming leaves the row to be claimed again when the lease ends.
2. **Send** (``delivery_send``): one POST of ``compliance.core.feed.event_json`` with the Standard Webhooks
   headers (``webhook-id`` = the event's public id, ``webhook-timestamp``, ``webhook-signature``: ``v1,`` +
   base64 HMAC-SHA256 of ``"<id>.<timestamp>.<body>"`` under the integration's secret), bounded timeouts
   (``CONNECT_TIMEOUT``, ``READ_TIMEOUT``), no redirect followed (http.client follows none), to the address
   the host resolved to (checked first: ``address_refusal``; the connection is pinned to it, so a second
   resolution cannot swap in a private address).
3. **Mark**: 2xx → ``delivered`` (never sent again); otherwise the next attempt after ``backoff_delay``
   (exponential, jittered, capped), or ``failed`` after ``MAX_ATTEMPTS``.

At least once: a sender killed between 2 and 3 leaves the row pending with its lease; it is sent again with the
same ``webhook-id`` and the receiver deduplicates on it. Runs every minute (``compliance.tasks.
send_webhooks_task``, beat; ``run_jobs``). ``docs/decisions/feed.md`` says why.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import random
import secrets
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from compliance.core.failpoints import failpoint
from compliance.core.feed import event_json, iso_utc
from compliance.core.models import Integration, WebhookDelivery

logger = logging.getLogger(__name__)

#: Attempts before a delivery is failed (with the delays below: about 22 hours from the first).
MAX_ATTEMPTS = 8
#: The delay after the first failed attempt (seconds), multiplied by ``BACKOFF_FACTOR`` each time, capped.
BACKOFF_BASE_SECONDS = 60
BACKOFF_FACTOR = 4
BACKOFF_CAP_SECONDS = 8 * 3600
#: ± this share of the delay at random, so receivers that come back are not hit by every sender at once.
BACKOFF_JITTER = 0.2
#: Seconds to connect, and to wait for each read of the answer (both ≤ 10 s).
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 10
#: A claimed row is not claimed again for this long (well past the longest send).
LEASE = timedelta(minutes=5)
#: Rows claimed per run of the sender.
BATCH = 50
#: The secret's visible start (as Standard Webhooks); the HMAC key is the base64 after it.
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
USER_AGENT = "287g-compliance-webhooks/1"

HTTPS_ONLY_MESSAGE = "The address must start with https://."
URL_SHAPE_MESSAGE = "Enter a full web address, e.g. https://jms.example.gov/hooks/287g, with no user name or password."
PRIVATE_ADDRESS_MESSAGE = "This address points inside a private network; webhooks are not sent there."
UNRESOLVED_MESSAGE = "This host name could not be found."


class WebhookRefused(Exception):
    """The address may not be called (scheme, shape, or a private address); the message says why."""


@dataclass(frozen=True)
class SendResult:
    """One POST's outcome: ``status`` (HTTP code or None) and ``error`` (our short reason, or "")."""

    status: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


# --- Secrets and signatures ---


def webhook_secret_new() -> str:
    """A new signing secret: ``whsec_`` + base64 of 32 random bytes (shown once to the administrator)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _secret_key(secret: str) -> bytes:
    raw = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError:
        return raw.encode()


def webhook_signature(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header: ``v1,`` + base64 HMAC-SHA256 of ``"<id>.<timestamp>.<body>"``.

    The key is the base64-decoded part of ``secret`` after ``whsec_`` (Standard Webhooks, "Verifying").
    ``timestamp`` is whole seconds since the epoch, as sent in ``webhook-timestamp``.
    """
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def backoff_delay(attempts: int, *, rand: float | None = None) -> timedelta:
    """The wait after failed attempt number ``attempts`` (1 = the first): ``BASE·FACTOR^(n-1)``, capped, ±jitter.

    ``rand`` in [0, 1) (tests pass it; default random). With the defaults: about 1 min, 4 min, 16 min, 1 h 4 min,
    4 h 16 min, then 8 h, each ±20 %.
    """
    base = min(BACKOFF_BASE_SECONDS * BACKOFF_FACTOR ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)
    share = random.random() if rand is None else rand  # noqa: S311 (jitter, not a secret)
    return timedelta(seconds=base * (1 - BACKOFF_JITTER + 2 * BACKOFF_JITTER * share))


# --- Where we may send ---


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a webhook address (scheme, shape, a private IP address written out), or None.

    No DNS look-up (the form's check): a host name is checked where it is resolved, at each send
    (``address_for``); an address written as an IP (``https://169.254.169.254/``, ``https://[::1]/``) is
    refused here already, with ``PRIVATE_ADDRESS_MESSAGE``, unless ``settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES``.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return URL_SHAPE_MESSAGE
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        return URL_SHAPE_MESSAGE
    if parts.scheme == "http" and not settings.WEBHOOK_ALLOW_HTTP:
        return HTTPS_ONLY_MESSAGE
    if port == 0:
        return URL_SHAPE_MESSAGE
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES and _is_ip(parts.hostname) and not _address_allowed(parts.hostname):
        return PRIVATE_ADDRESS_MESSAGE
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def address_for(host: str, port: int) -> str:
    """The address to connect to for ``host``: the first it resolves to, all of them checked.

    Raises:
        WebhookRefused: the name does not resolve, or any address it resolves to is private, loopback,
            link-local, reserved or multicast (unless ``settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES``).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise WebhookRefused(UNRESOLVED_MESSAGE) from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise WebhookRefused(UNRESOLVED_MESSAGE)
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES and not all(_address_allowed(a) for a in addresses):
        raise WebhookRefused(PRIVATE_ADDRESS_MESSAGE)
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address: str):
        super().__init__(host, port, timeout=READ_TIMEOUT)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), CONNECT_TIMEOUT)
        self.sock.settimeout(READ_TIMEOUT)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address: str):
        super().__init__(host, port, timeout=READ_TIMEOUT, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), CONNECT_TIMEOUT)
        sock.settimeout(READ_TIMEOUT)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def webhook_post(url: str, *, body: bytes, headers: dict[str, str]) -> SendResult:
    """POST ``body`` to ``url`` once: no redirect followed, bounded timeouts, the resolved address checked.

    Returns the status (a 3xx is a failure like any non-2xx) or, when nothing was answered, ``error`` naming
    the cause by class (never the receiver's text). Never raises for the network.
    """
    problem = url_problem(url)
    if problem:
        return SendResult(None, "address refused")
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    try:
        address = address_for(parts.hostname, port)
    except WebhookRefused as refused:
        return SendResult(None, "address refused" if str(refused) == PRIVATE_ADDRESS_MESSAGE else "host not found")
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address=address)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return SendResult(response.status)
    except (OSError, http.client.HTTPException) as error:
        return SendResult(None, type(error).__name__[:100])
    finally:
        connection.close()


def _request(delivery: WebhookDelivery, *, now: datetime) -> tuple[bytes, dict[str, str]]:
    event = delivery.event
    body = json.dumps(event_json(event), separators=(",", ":"), sort_keys=True).encode()
    headers = webhook_headers(
        secret=delivery.integration.webhook_secret, message_id=str(event.public_id), now=now, body=body
    )
    return body, headers


def webhook_headers(*, secret: str, message_id: str, now: datetime, body: bytes) -> dict[str, str]:
    """The request headers of one POST: JSON, our user agent, and the three Standard Webhooks headers."""
    timestamp = int(now.timestamp())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhook_signature(secret=secret, message_id=message_id, timestamp=timestamp, body=body),
    }


# --- The queue ---


def deliveries_claim(*, now: datetime | None = None, limit: int = BATCH) -> list[int]:
    """Claim up to ``limit`` due pending deliveries: ids, oldest due first. Each gets an attempt and a lease.

    ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL): a row another sender is claiming is skipped; once
    claimed, its ``next_attempt_at`` is ``now + LEASE``, so no sender claims it again before then.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(
            attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=now + LEASE
        )
    return ids


def delivery_send(delivery_id: int, *, now: datetime | None = None) -> str:
    """Send claimed delivery ``delivery_id`` once and record the outcome; returns its new state.

    A revoked integration, or one whose webhook address was cleared, fails the delivery without sending.
    """
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.select_related("event", "integration").get(pk=delivery_id)
    if delivery.state != WebhookDelivery.State.PENDING:
        return delivery.state
    integration = delivery.integration
    if not integration.is_active or not integration.webhook_url or not integration.webhook_secret:
        return _mark(delivery, result=SendResult(None, "integration revoked or webhook removed"), now=now, final=True)
    body, headers = _request(delivery, now=now)
    result = webhook_post(integration.webhook_url, body=body, headers=headers)
    failpoint("webhook.after_send")
    return _mark(delivery, result=result, now=now)


def _mark(delivery: WebhookDelivery, *, result: SendResult, now: datetime, final: bool = False) -> str:
    """Record one attempt's outcome on a still-pending row (a delivered row is never touched)."""
    State = WebhookDelivery.State  # noqa: N806
    changes = {"last_status_code": result.status, "last_error": result.error or ""}
    if result.ok:
        changes.update(state=State.DELIVERED, delivered_at=now, next_attempt_at=None, last_error="")
    elif final or delivery.attempts >= MAX_ATTEMPTS:
        changes.update(state=State.FAILED, next_attempt_at=None)
    else:
        changes.update(next_attempt_at=now + backoff_delay(delivery.attempts))
    if result.status is not None and not result.ok:
        changes["last_error"] = f"HTTP {result.status}"
    WebhookDelivery.objects.filter(pk=delivery.pk, state=State.PENDING).update(**changes)
    if changes.get("state") == State.FAILED:
        logger.warning(
            "Webhook delivery %s of integration %s failed after %s attempts (%s).",
            delivery.pk,
            delivery.integration_id,
            delivery.attempts,
            changes["last_error"],
        )
    return changes.get("state", State.PENDING)


def webhooks_send_due(*, now: datetime | None = None, limit: int = BATCH) -> dict:
    """The sender's run: claim due deliveries and send each; counts ``{"claimed", "delivered", "failed",
    "retrying"}``. Safe to run in several workers at once (claims skip each other's rows)."""
    result = {"claimed": 0, "delivered": 0, "failed": 0, "retrying": 0}
    ids = deliveries_claim(now=now, limit=limit)
    result["claimed"] = len(ids)
    for delivery_id in ids:
        state = delivery_send(delivery_id, now=now)
        key = {"delivered": "delivered", "failed": "failed"}.get(state, "retrying")
        result[key] += 1
    if ids:
        logger.info("Webhook sender: %s", result)
    return result


# --- The administrator's actions (compliance.integrations.webhook_views) ---


def delivery_retry(*, delivery: WebhookDelivery, actor) -> WebhookDelivery:
    """The agency administrator sends a failed delivery again: pending, due now, a fresh set of attempts.

    ``retried_at`` (now, UTC) and ``retried_by`` record who asked. The caller checked ``actor`` administers the
    delivery's agency.

    Raises:
        ValueError: the delivery is not failed (a delivered one is never sent again; a pending one is queued).
    """
    now = timezone.now()
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.state != WebhookDelivery.State.FAILED:
            raise ValueError("Only a failed delivery can be sent again.")
        locked.state = WebhookDelivery.State.PENDING
        locked.attempts = 0
        locked.next_attempt_at = now
        locked.retried_at = now
        locked.retried_by = actor
        locked.save()
    return locked


def webhook_test_send(*, integration: Integration, now: datetime | None = None) -> SendResult:
    """POST a signed ``webhook.test`` event to ``integration``'s address now, once; the result for the page.

    Not stored and not in the feed: the body has a fresh id, ``kind`` ``webhook.test``, no record, empty data.
    """
    now = now or timezone.now()
    message_id = f"test_{secrets.token_hex(12)}"
    body = json.dumps(
        {
            "id": message_id,
            "kind": "webhook.test",
            "occurred_at": iso_utc(now),
            "record": None,
            "data": {},
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    headers = webhook_headers(secret=integration.webhook_secret, message_id=message_id, now=now, body=body)
    return webhook_post(integration.webhook_url, body=body, headers=headers)
