"""The feed out: events told to an agency's jail management system (issue #15 item 4).

Three facts are told, each where it happens, in the transaction that records it (an outbox):

* ``hold_deadline.near`` — the hold-deadline sweep warns before a detainer's 48-hour limit
  (``incidents.detainers.sweep``; R4.7–R4.8): one event per warning (detainer, deadline, lead time);
* ``stop.raised`` — a U.S.-citizenship claim or sign is first recorded on a detainer
  (``incidents.citizenship.services.citizenship_claim_record``; R5.1): one event per detainer;
* ``finding.opened`` — a finding is opened or reopened (``compliance.core.findings``): one event per opening.

``feed_emit`` writes the ``FeedEvent`` once per ``dedup_key`` (a sweep run twice, or two at once, writes
one: the database's unique key decides) and, for every active integration of the agency with a
``webhook_url``, one ``WebhookDelivery``.
Events carry no personal data: record ids (public UUIDs), times (ISO 8601 UTC), hours, the rule, the
finding's kind and severity. Not the booking number either: it identifies the person in the jail
(``docs/decisions/feed.md``); the JMS knows the detainer's public id from the API's answer.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone

from compliance.core.models import FeedEvent, Integration, WebhookDelivery

Kind = FeedEvent.Kind


def iso_utc(value: datetime | None) -> str | None:
    """``value`` (aware) as ISO 8601 in UTC with a ``Z`` ("2026-12-06T10:00:00Z"); None stays None."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def record_label(record) -> str:
    """The record's model label as the feed names it, e.g. ``"incidents.Detainer"``."""
    return record._meta.label


def feed_emit(
    *, agency, kind: str, record, occurred_at: datetime, data: dict, dedup_key: str
) -> tuple[FeedEvent, bool]:
    """Write the event of one fact, once: ``(event, created)``.

    Args:
        agency: the ``Agency`` (or its id) whose integrations are told.
        kind: a ``FeedEvent.Kind`` value.
        record: the record the event is about; its ``public_id`` (UUID) and model label are stored.
        occurred_at: aware instant the fact happened (stored UTC).
        data: the event's facts, JSON-serialisable; never personal data (names, A-number, DOB, booking number).
        dedup_key: one event per key, ever (≤ 200 characters); an existing one is returned unchanged.

    Runs in the caller's transaction. One ``INSERT … ON CONFLICT (dedup_key) DO NOTHING`` decides between
    this call and any other writer of the same fact (no savepoint, no read first: two queries for a new event
    whose agency has no webhook, so a sweep's query count stays small per row). With a new event, one pending
    ``WebhookDelivery`` per active integration of the agency with a webhook URL, due now.

    Raises:
        ValueError: ``kind`` is not a feed kind, ``occurred_at`` is naive, or ``dedup_key`` is too long.
    """
    if kind not in Kind.values:
        raise ValueError(f"Unknown feed event kind: {kind!r}")
    if timezone.is_naive(occurred_at):
        raise ValueError("occurred_at must be an aware datetime")
    if len(dedup_key) > FeedEvent._meta.get_field("dedup_key").max_length:
        raise ValueError("dedup_key is too long")
    event = FeedEvent(
        agency_id=getattr(agency, "pk", agency),
        kind=kind,
        occurred_at=occurred_at,
        record_type=record_label(record),
        record_id=record.public_id,
        data=data,
        dedup_key=dedup_key,
    )
    event.pk = _insert_unless_written(event)
    if event.pk is None:
        return FeedEvent.objects.get(dedup_key=dedup_key), False
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, integration_id=integration_id, created_at=now, next_attempt_at=now)
        for integration_id in Integration.objects.filter(agency_id=event.agency_id, revoked_at=None)
        .exclude(webhook_url="")
        .values_list("pk", flat=True)
    )
    return event, True


def _insert_unless_written(event: FeedEvent) -> int | None:
    """Insert ``event`` unless an event with its ``dedup_key`` exists: the new row's id, or None.

    ``INSERT … ON CONFLICT (dedup_key) DO NOTHING RETURNING id`` (PostgreSQL, and SQLite ≥ 3.35): a concurrent
    writer of the same key makes this one wait for its commit and then do nothing, and the caller's transaction
    stays usable (no error is raised, unlike a plain INSERT). Django's ``bulk_create(ignore_conflicts=True)``
    does not return the id, which the deliveries need.
    """
    fields = [field for field in FeedEvent._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    values = [field.get_db_prep_save(field.pre_save(event, add=True), connection) for field in fields]
    table = quote(FeedEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608 (names from the model)
            f"ON CONFLICT ({quote('dedup_key')}) DO NOTHING RETURNING {quote(FeedEvent._meta.pk.column)}",
            values,
        )
        row = cursor.fetchone()
    return row[0] if row else None


def event_json(event: FeedEvent) -> dict:
    """The event as the JMS sees it, in the polling feed and in a webhook's body (the same shape).

    ``{"id": <public UUID, the dedup id>, "kind": ..., "occurred_at": <ISO 8601 UTC>,
    "record": {"type": "incidents.Detainer", "id": <public UUID>}, "data": {...}}``.
    """
    return {
        "id": str(event.public_id),
        "kind": event.kind,
        "occurred_at": iso_utc(event.occurred_at),
        "record": {"type": event.record_type, "id": str(event.record_id)},
        "data": event.data,
    }


# --- The facts' own emitters (called by the services that record them) ---


def hold_deadline_near_emit(*, detainer, lead_hours: int, now: datetime) -> FeedEvent:
    """Tell the JMS a detainer's hold deadline is near (the sweep's warning, R4.7–R4.8).

    One event per (detainer, deadline, lead hours): ``data`` = ``hold_deadline`` (ISO UTC), ``lead_hours``
    (the smallest lead time now due), ``hours_left`` (real hours to the deadline, one decimal).
    """
    deadline = detainer.hold_deadline
    event, _ = feed_emit(
        agency=detainer.agency_id,
        kind=Kind.HOLD_DEADLINE_NEAR,
        record=detainer,
        occurred_at=now,
        data={
            "hold_deadline": iso_utc(deadline),
            "lead_hours": lead_hours,
            "hours_left": round((deadline - now).total_seconds() / 3600, 1),
        },
        dedup_key=f"hold_deadline.near:{detainer.public_id}:{iso_utc(deadline)}:{lead_hours}",
    )
    return event


def stop_raised_emit(*, detainer) -> FeedEvent:
    """Tell the JMS a U.S.-citizenship STOP was raised on a detainer (R5.1): no 287(g) step until resolved.

    One event per detainer (a claim cannot be withdrawn); ``data`` = ``claim_at`` (ISO UTC).
    """
    event, _ = feed_emit(
        agency=detainer.agency_id,
        kind=Kind.STOP_RAISED,
        record=detainer,
        occurred_at=detainer.citizenship_claim_at,
        data={"claim_at": iso_utc(detainer.citizenship_claim_at)},
        dedup_key=f"stop.raised:{detainer.public_id}",
    )
    return event


def finding_opened_emit(finding, *, reopened: bool = False, record=None) -> FeedEvent | None:
    """Tell the JMS a finding opened (or reopened): one event per opening.

    The event's record is the finding's record (e.g. the detainer); ``data`` = ``finding`` (its public id),
    ``finding_kind``, ``severity``, ``rule``, ``reopened``. Not the summary (free text). A finding whose
    record has no public id is not told (None). ``record``: the finding's record when the caller holds it
    (saves reading it again).
    """
    record = record if record is not None else finding.record
    if record is None or getattr(record, "public_id", None) is None:
        return None
    opened = finding.reopened_at if reopened else finding.opened_at
    event, _ = feed_emit(
        agency=finding.agency_id,
        kind=Kind.FINDING_OPENED,
        record=record,
        occurred_at=opened,
        data={
            "finding": str(finding.public_id),
            "finding_kind": finding.kind,
            "severity": finding.severity,
            "rule": finding.rule,
            "reopened": reopened,
        },
        dedup_key=f"finding.opened:{finding.public_id}:{iso_utc(opened)}",
    )
    return event
