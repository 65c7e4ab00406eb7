"""What the API reads and writes (issue #15 item 3): detainers, outcomes, look-ups, an officer's authorization.

Input serializers check types and shapes only (400 ``invalid-request``); the rules are the detainer
form's and the services' (422 ``rule-refused``, ``compliance.api.detainer_input``). Times are ISO 8601
instants with a UTC offset (a wall-clock time without one is refused: the agency's zone is never
guessed); answers give them in UTC. Records are named by their public ids (UUIDs), officers by public
id or badge number, never by personal data (SECURITY.md F6, docs/decisions/api.md).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compliance.core.local_days import EARLIEST_DAY, LATEST_DAY, day_in_range
from incidents.detainers.choices import PCBasis
from incidents.detainers.forms import DetainerForm
from incidents.detainers.lift_reasons import LiftReason
from incidents.detainers.models import Detainer

#: The detainer form's own fields, which the API writes (the form's order; ``incidents.detainers.forms``).
DETAINER_WRITE_FIELDS = tuple(DetainerForm.Meta.fields)

NAIVE_MESSAGE = "Give the time with its UTC offset (e.g. 2026-05-01T14:30:00-05:00 or …Z)."
TIME_FORMAT_MESSAGE = "Give an ISO 8601 date and time with its UTC offset, e.g. 2026-05-01T14:30:00Z."
OUT_OF_CALENDAR_MESSAGE = (
    f"The date is outside the app's calendar: give an instant from {EARLIEST_DAY.isoformat()} to "
    f"{LATEST_DAY.isoformat()} (UTC)."
)


class InstantField(serializers.DateTimeField):
    """An ISO 8601 date and time with a UTC offset, as an aware UTC ``datetime`` (naive input refused)."""

    def to_internal_value(self, value):
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, str) and len(value) <= 40:
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
        else:
            parsed = None
        if parsed is None:
            self.fail("invalid_instant")
        if timezone.is_naive(parsed):
            self.fail("naive")
        # The pages' calendar (compliance.core.local_days); a day's slack before converting keeps an offset
        # from overflowing at year 1 or 9999.
        if not EARLIEST_DAY.year - 1 < parsed.year < LATEST_DAY.year + 1:
            self.fail("out_of_calendar")
        try:
            instant = parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            self.fail("out_of_calendar")
        if not day_in_range(instant):
            self.fail("out_of_calendar")
        return instant

    default_error_messages = {
        "naive": NAIVE_MESSAGE,
        "invalid_instant": TIME_FORMAT_MESSAGE,
        "out_of_calendar": OUT_OF_CALENDAR_MESSAGE,
    }


class UTCDateTimeField(serializers.DateTimeField):
    """An instant given in UTC (``…Z``), whatever the server's zone."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default_timezone", UTC)
        super().__init__(*args, **kwargs)


class UTCModelSerializer(serializers.ModelSerializer):
    """A model serializer whose instants read in UTC."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UTCDateTimeField,
    }


class DetainerWriteSerializer(UTCModelSerializer):
    """A detainer as a JMS sends it: the I-247A, its warrant, the booking and charge, the release time.

    ``handling_officer`` is the officer's public id or badge number in the agency; ``agreement`` the
    agreement's public id (blank: the one in force, as on the form); ``explanation`` is required when
    what is recorded already happened and broke a rule (``incidents.detainers.rule_breaks``).
    """

    booked_at = InstantField(required=False, allow_null=True)
    issued_at = InstantField(required=False, allow_null=True)
    received_at = InstantField()
    would_be_released_at = InstantField(required=False, allow_null=True)
    action_at = InstantField(required=False, allow_null=True)
    pc_basis = serializers.ListField(child=serializers.ChoiceField(choices=PCBasis.choices), required=False)
    handling_officer = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=40, help_text="Public id or badge number."
    )
    agreement = serializers.UUIDField(required=False, allow_null=True, help_text="The agreement's public id.")
    explanation = serializers.CharField(required=False, allow_blank=True, max_length=4000)

    class Meta:
        model = Detainer
        fields = [*DETAINER_WRITE_FIELDS, "explanation"]
        # ``form`` defaults to the I-247A, as the page's choice does (the model's default).
        extra_kwargs = {"a_number": {"max_length": 20}, "form": {"default": Detainer.Form.I247A}}


class DetainerUpdateSerializer(DetainerWriteSerializer):
    """The fields to change (PATCH): any of the create's; those left out keep their stored values."""

    received_at = InstantField(required=False)


class ProblemErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The JSON field refused; null: the request as a whole.")
    detail = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem details document (``compliance.api.problems``)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    errors = ProblemErrorSerializer(many=True)


class OfficerRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    badge_number = serializers.CharField()


class CheckSerializer(serializers.Serializer):
    name = serializers.CharField()
    rule = serializers.CharField()
    passed = serializers.BooleanField(allow_null=True, help_text="null: the check does not apply (yet).")
    message = serializers.CharField()


class FindingRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    severity = serializers.CharField()
    status = serializers.CharField()
    rule = serializers.CharField()
    opened_at = UTCDateTimeField()


class DetainerSerializer(UTCModelSerializer):
    """A detainer as the JMS needs it: ids, its values, the hold deadline, the outcome, checks and open findings."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    agency = serializers.UUIDField(source="agency.public_id", read_only=True)
    agreement = serializers.SerializerMethodField()
    handling_officer = OfficerRefSerializer(read_only=True, allow_null=True)
    pc_basis = serializers.ListField(child=serializers.CharField(), read_only=True)
    checks = CheckSerializer(many=True, read_only=True, source="api_checks")
    open_findings = FindingRefSerializer(many=True, read_only=True, source="api_open_findings")

    class Meta:
        model = Detainer
        fields = [
            "id",
            "agency",
            *[name for name in DETAINER_WRITE_FIELDS if name not in ("agreement", "handling_officer")],
            "agreement",
            "handling_officer",
            "hold_deadline",
            "outcome",
            "outcome_at",
            "lift_reason",
            "explanation",
            "checks",
            "open_findings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_fields(self):
        """The fields, a choice the model may leave blank (``action``, ``lift_reason``…) saying ``""`` is a value.

        DRF drops ``allow_blank`` from read-only fields, so the schema's enum would leave out the ``""`` the
        response carries for a choice not made.
        """
        fields = super().get_fields()
        for name, field in fields.items():
            if isinstance(field, serializers.ChoiceField) and Detainer._meta.get_field(field.source or name).blank:
                field.allow_blank = True
        return fields

    @extend_schema_field(OpenApiTypes.UUID)
    def get_agreement(self, detainer) -> str | None:
        return str(detainer.agreement.public_id) if detainer.agreement_id else None


class OutcomeSerializer(serializers.Serializer):
    """When custody ended (release or transfer), and the explanation when that broke a rule (after the deadline)."""

    outcome_at = InstantField()
    explanation = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class LiftSerializer(OutcomeSerializer):
    """A lifted or declined detainer: when, and ICE's lift reason."""

    lift_reason = serializers.ChoiceField(choices=LiftReason.choices)


class LookupSerializer(serializers.Serializer):
    """A look-up by booking number, sent in the body so it never lands in a URL or a proxy's log (F6)."""

    booking_number = serializers.CharField(max_length=40)


class LookupResultSerializer(serializers.Serializer):
    results = DetainerSerializer(many=True)


class AuthorizationQuerySerializer(serializers.Serializer):
    at = InstantField(required=False, help_text="The instant (ISO 8601 with offset); now when left out.")


class AuthorizationSerializer(serializers.Serializer):
    """The roster's answer: may the officer use delegated 287(g) authority at that instant, and if not why."""

    officer = OfficerRefSerializer()
    at = UTCDateTimeField()
    day = serializers.DateField(help_text="The agency-local day the instant falls on (the day the rule judges).")
    authorized = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
