"""``GET /api/v1/events/``: the agency's feed events for polling, oldest first, with an opaque cursor (issue #15).

The integration's agency's events with ``id`` after the cursor, ``limit`` at a time (default
``DEFAULT_LIMIT``, at most ``MAX_LIMIT``). The cursor is signed and names the agency (``cursor_encode``):
a cursor of another agency, or anything else, is a 400 naming the ``after`` parameter, never a 500.
Every event of the agency is in the feed, also those written before the integration was created: a JMS
that replaces a revoked token keeps its cursor and loses nothing (``docs/decisions/feed.md``). An empty
page's ``next`` is the cursor it was asked with, so a JMS polls with the same cursor until something comes.
"""

from __future__ import annotations

from django.core import signing
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from compliance.api.views import COMMON_PROBLEMS, IntegrationAPIView
from compliance.core.feed import event_json
from compliance.core.models import AccessLog, FeedEvent

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
CURSOR_SALT = "compliance.api.feed.cursor"
BAD_CURSOR_MESSAGE = "This cursor is not one this feed gave you. Start again without 'after'."
BAD_LIMIT_MESSAGE = f"Give a whole number from 1 to {MAX_LIMIT}."


def cursor_encode(*, agency_id: int, last_id: int) -> str:
    """An opaque cursor after event ``last_id`` of agency ``agency_id`` (signed, URL-safe)."""
    return signing.dumps([agency_id, last_id], salt=CURSOR_SALT, compress=False)


def cursor_decode(cursor: str, *, agency_id: int) -> int:
    """The event id after which ``cursor`` continues, for ``agency_id``.

    Raises:
        ValidationError: ``{"after": ...}`` for a cursor not signed by us, malformed, or of another agency.
    """
    try:
        value = signing.loads(cursor, salt=CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError({"after": [BAD_CURSOR_MESSAGE]}) from None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or value[0] != agency_id
        or not isinstance(value[1], int)
        or isinstance(value[1], bool)
    ):
        raise ValidationError({"after": [BAD_CURSOR_MESSAGE]})
    return value[1]


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValidationError({"limit": [BAD_LIMIT_MESSAGE]})
    return int(raw)


_EVENTS = inline_serializer(
    name="FeedEvent",
    many=True,
    fields={
        "id": serializers.UUIDField(help_text="The event's id: deduplicate on it (webhooks send it too)."),
        "kind": serializers.ChoiceField(choices=FeedEvent.Kind.choices),
        "occurred_at": serializers.DateTimeField(),
        "record": inline_serializer(
            name="FeedEventRecord",
            fields={"type": serializers.CharField(), "id": serializers.UUIDField()},
        ),
        "data": serializers.DictField(help_text="The facts of the event; never personal data."),
    },
)


class EventListView(IntegrationAPIView):
    """The feed for polling: the base view's token, rate limit, no-store and one access-log row ("listed") a call."""

    access_action = AccessLog.Action.LIST

    @extend_schema(
        operation_id="events_list",
        summary="The agency's events after a cursor, oldest first",
        parameters=[
            OpenApiParameter("after", OpenApiTypes.STR, description="The `next` cursor of the previous page."),
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"Events per page, 1 to {MAX_LIMIT}."),
        ],
        responses={
            200: inline_serializer(
                name="FeedPage",
                fields={
                    "events": _EVENTS,
                    "next": serializers.CharField(help_text="Ask again with after=<next>."),
                    "has_more": serializers.BooleanField(),
                },
            ),
            **COMMON_PROBLEMS,
        },
    )
    def get(self, request):
        """The integration's agency's events with id after ``after``, oldest first, at most ``limit``.

        Returns ``{"events": [event_json...], "next": <cursor>, "has_more": bool}``.
        Raises a 400 (``ValidationError``) naming ``after`` or ``limit`` for a bad value.
        """
        agency_id = request.auth.agency_id
        after = request.query_params.get("after")
        limit = _limit(request.query_params.get("limit"))
        last_id = cursor_decode(after, agency_id=agency_id) if after else 0
        rows = list(FeedEvent.objects.filter(agency_id=agency_id, id__gt=last_id).order_by("id")[: limit + 1])
        has_more = len(rows) > limit
        rows = rows[:limit]
        if rows:
            last_id = rows[-1].id
        self.logged_count = len(rows)
        return Response(
            {
                "events": [event_json(event) for event in rows],
                "next": cursor_encode(agency_id=agency_id, last_id=last_id),
                "has_more": has_more,
            }
        )
