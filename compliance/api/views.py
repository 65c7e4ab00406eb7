"""The API's views under ``/api/v1/`` (issue #15 item 3): detainers, outcomes, look-up, officer authorization.

Thin, like the pages: the detainer form judges the values (``compliance.api.detainer_input``), the
services of ``incidents.detainers`` write them (every rule, STOP, finding, history row and e-mail the
same as the pages), and every query is filtered by the integration's agency (``request.auth.agency``):
another agency's record answers 404 exactly like a missing one. ``IntegrationAPIView`` is the base of
every API view (the feed's too): bearer token of an active integration, per-integration rate limit,
``Cache-Control: no-store``, problem details, one access-log row per call.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions, permissions, status, throttling
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.accounts.denials import names_a_record
from compliance.api import schema as _schema  # noqa: F401 (the bearer scheme's OpenAPI extension)
from compliance.api import serializers as api
from compliance.api.detainer_input import detainer_values, officer_in_agency
from compliance.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from compliance.api.idempotency import idempotent_create
from compliance.api.problems import OUTCOME_RECORDED, PROBLEM_CONTENT_TYPE, RuleRefused
from compliance.core.feed import iso_utc
from compliance.core.models import AccessLog, Finding, Integration, access_log_record
from incidents.detainers import checks, services
from incidents.detainers.models import Detainer
from training.roster.authorization import officer_authorization_at


class IsActiveIntegration(permissions.BasePermission):
    """The request carries the token of an integration that is not revoked (else 401)."""

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, Integration) and request.auth.is_active and request.user.is_active


class IntegrationRateThrottle(throttling.SimpleRateThrottle):
    """``settings.API_RATE_LIMIT`` requests per integration (DRF's rate string, e.g. "300/min"); 429 beyond it."""

    scope = "integration"

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, Integration):
            return None  # refused anyway (401)
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than the API accepts."


PROBLEM = OpenApiResponse(response=api.ProblemSerializer, description="A problem (RFC 9457).")


def problems(*statuses: int) -> dict:
    """Schema responses: each status answered with a problem document (``application/problem+json``)."""
    return {(code, PROBLEM_CONTENT_TYPE): PROBLEM for code in statuses}


#: The problems every authenticated route may answer (the rate limit and authentication ones included).
COMMON_PROBLEMS = problems(400, 401, 403, 406, 413, 415, 429)
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="A key unique to this create (e.g. a UUID): a retry with the same key and body creates nothing "
    "again and answers as the first time; the same key with another body is a 422 problem. Kept 24 hours.",
)


class IntegrationAPIView(APIView):
    """The base of every ``/api/v1/`` view: integration token, rate limit, no-store, one access-log row per call.

    A view sets ``self.logged_record`` (the record whose data it answered with), or ``logged_agency`` and
    ``logged_count`` for a list, and ``access_action`` (view by default). 403s and 404s for a record's URL
    are written by ``compliance.accounts.denials.DeniedRequestMiddleware`` (one row, ``denied``); every
    other answer here: success, failure (4xx/5xx), throttled (429), denied (401).
    """

    permission_classes = [IsActiveIntegration]
    throttle_classes = [IntegrationRateThrottle]
    access_action = AccessLog.Action.VIEW

    def initial(self, request, *args, **kwargs):
        self.logged_record = None
        self.logged_count = 0
        super().initial(request, *args, **kwargs)  # authentication, permission, rate limit: before the body
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.API_MAX_BODY_BYTES:
            raise PayloadTooLarge()

    def perform_content_negotiation(self, request, force=False):
        """The renderer for the ``Accept`` header; a problem answered after negotiation failed (406) is JSON.

        DRF falls back to the view's first renderer when forced, which is YAML on the schema view: the 406's
        problem document would have been YAML under ``application/problem+json``.
        """
        if force:
            try:
                return super().perform_content_negotiation(request, force=False)
            except exceptions.NotAcceptable:
                return JSONRenderer(), "application/json"
        return super().perform_content_negotiation(request, force=force)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        self._access_log(request, response.status_code)
        return response

    def _access_log(self, request, status_code: int) -> None:
        if status_code == 403 or (status_code == 404 and names_a_record(request)):
            return  # the denial middleware writes it
        # Authenticate now if an earlier step refused the request first (e.g. 406); a bad token: anonymous here.
        with contextlib.suppress(exceptions.APIException):
            request.user  # noqa: B018
        integration = request.auth if isinstance(request.auth, Integration) else None
        record = getattr(self, "logged_record", None)
        if status_code == 429:
            outcome = AccessLog.Outcome.THROTTLED
        elif status_code == 401:
            outcome = AccessLog.Outcome.DENIED
        elif status_code >= 400:
            outcome = AccessLog.Outcome.FAILURE
        else:
            outcome = AccessLog.Outcome.SUCCESS
        action = AccessLog.Action.DENIED if status_code == 401 else self.access_action
        access_log_record(
            request,
            action=action,
            record=record,
            agency=integration.agency if integration else None,
            count=1 if record is not None and status_code < 400 else getattr(self, "logged_count", 0),
            outcome=outcome,
        )

    # Helpers of the detainer views.

    @property
    def integration(self) -> Integration:
        return self.request.auth

    def history_reason(self) -> str:
        """The history change reason of every write through the API: it names the integration."""
        return f"API: {self.integration.name}"

    def detainer_or_404(self, public_id) -> Detainer:
        """The integration's agency's detainer ``public_id``; another agency's or none: 404 (``Http404``)."""
        detainer = (
            Detainer.objects.filter(agency=self.integration.agency, public_id=public_id)
            .select_related("agency", "handling_officer", "handling_officer__agency", "agreement")
            .first()
        )
        if detainer is None:
            raise exceptions.NotFound("No detainer of your agency has this id.")
        # The call concerns this record whatever its answer: a refused one is logged against it too.
        self.logged_record = detainer
        return detainer

    def detainer_response(self, detainer: Detainer, status_code: int = status.HTTP_200_OK) -> Response:
        """The detainer as ``DetainerSerializer`` gives it, with its checks and open findings; access-logged."""
        detainer = Detainer.objects.select_related(
            "agency", "handling_officer", "handling_officer__agency", "agreement"
        ).get(agency=self.integration.agency, pk=detainer.pk)
        annotate_detainer(detainer)
        self.logged_record = detainer
        return Response(api.DetainerSerializer(detainer).data, status=status_code)


def annotate_detainer(detainer: Detainer) -> Detainer:
    """Attach ``api_checks`` (every legal check now) and ``api_open_findings`` (open or acknowledged) to it."""
    detainer.api_checks = checks.detainer_checks(detainer, at=timezone.now())
    detainer.api_open_findings = list(
        Finding.objects.filter(
            agency=detainer.agency_id,
            content_type=ContentType.objects.get_for_model(Detainer),
            object_id=detainer.pk,
            status__in=[Finding.Status.OPEN, Finding.Status.ACKNOWLEDGED],
        ).order_by("opened_at")
    )
    return detainer


UNKNOWN_FIELD_MESSAGE = "Unknown field: this route does not read it (see /api/v1/schema/)."


def validated(serializer_class, data, *, unknown_allowed: bool = False, **kwargs) -> dict:
    """``data`` checked by ``serializer_class``: its validated values.

    Raises:
        ValidationError: (400 ``invalid-request`` problem) ``data`` is not an object, a field is not valid, or
            ``data`` names a field the serializer does not write (each unknown field named, unless
            ``unknown_allowed``: a query string may carry a client's own parameters).
    """
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": ["The body must be a JSON object."]})
    serializer = serializer_class(data=data, **kwargs)
    errors = {} if serializer.is_valid() else dict(serializer.errors)
    if not unknown_allowed:
        writable = {name for name, field in serializer.fields.items() if not field.read_only}
        for name in data:
            if str(name) not in writable:
                errors[str(name)] = [UNKNOWN_FIELD_MESSAGE]
    if errors:
        raise exceptions.ValidationError(errors)
    return dict(serializer.validated_data)


DETAINER_RESPONSES = {200: api.DetainerSerializer, **problems(404, 422), **COMMON_PROBLEMS}


class DetainerCreateView(IntegrationAPIView):
    """``POST /api/v1/detainers/``: log a detainer (a booking) from the JMS."""

    @extend_schema(
        operation_id="detainer_create",
        summary="Log a detainer and its booking",
        description="The same rules as the detainer form (incidents.detainers.forms.DetainerForm) and the same "
        "service (detainer_create): a STOP, a finding, the supervisors' e-mail, the history row are the same. A "
        "past fact that broke a rule is recorded when `explanation` says what happened, else a 422 problem "
        "names `explanation`.",
        request=api.DetainerWriteSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: api.DetainerSerializer, **problems(409, 422), **COMMON_PROBLEMS},
    )
    def post(self, request):
        agency = self.integration.agency

        def create():
            values = validated(api.DetainerWriteSerializer, request.data)
            fields = detainer_values(agency=agency, values=values)
            detainer = services.detainer_create(
                agency=agency, actor=request.user, reason=self.history_reason(), **fields
            )
            return status.HTTP_201_CREATED, detainer

        def replay(status_code, public_id, *, record=None):
            return self.detainer_response(record or self.detainer_or_404(public_id), status_code)

        return idempotent_create(request, create=create, replay=replay)


class DetainerDetailView(IntegrationAPIView):
    """``GET`` / ``PATCH /api/v1/detainers/{id}/``: the record as the JMS needs it; change its times and values."""

    @extend_schema(operation_id="detainer_read", summary="Read a detainer", responses=DETAINER_RESPONSES)
    def get(self, request, public_id):
        return self.detainer_response(self.detainer_or_404(public_id))

    @extend_schema(
        operation_id="detainer_update",
        summary="Change a detainer's times and values",
        description="Only the fields sent change; the same rules and service (detainer_update) as the edit page.",
        request=api.DetainerUpdateSerializer,
        responses=DETAINER_RESPONSES,
    )
    def patch(self, request, public_id):
        detainer = self.detainer_or_404(public_id)
        values = validated(api.DetainerUpdateSerializer, request.data, partial=True)
        fields = detainer_values(agency=detainer.agency, values=values, detainer=detainer)
        saved = services.detainer_update(detainer=detainer, actor=request.user, reason=self.history_reason(), **fields)
        return self.detainer_response(saved)


class OutcomeRecorded(RuleRefused):
    """409: the detainer's outcome is already recorded otherwise (``OUTCOME_RECORDED``)."""

    status_code = status.HTTP_409_CONFLICT


OUTCOME_RECORDED_MESSAGE = (
    "This detainer's outcome is already recorded: {outcome} at {at}. The API does not change it; a correction "
    "is made on the detainer's page, where history keeps both."
)


class DetainerOutcomeView(IntegrationAPIView):
    """``POST /api/v1/detainers/{id}/release/`` (``transfer/``, ``lift/``): how custody ended.

    Only over a pending detainer: the same outcome, time and lift reason again is a retry (200, unchanged); any
    other over a recorded outcome is a 409 ``outcome-recorded`` problem naming ``outcome_at`` (a JMS never moves
    a recorded time by resending; people correct it on the page).
    """

    outcome = ""
    serializer_class = api.OutcomeSerializer

    def post(self, request, public_id):
        detainer = self.detainer_or_404(public_id)
        values = validated(self.serializer_class, request.data)
        try:
            done = services.detainer_record_outcome(
                detainer=detainer,
                actor=request.user,
                outcome=self.outcome,
                outcome_at=values["outcome_at"],
                lift_reason=values.get("lift_reason", ""),
                explanation=values.get("explanation", ""),
                reason=self.history_reason(),
                only_if_pending=True,
            )
        except services.OutcomeAlreadyRecorded as recorded:
            current = recorded.detainer
            message = OUTCOME_RECORDED_MESSAGE.format(
                outcome=current.get_outcome_display().lower(), at=iso_utc(current.outcome_at)
            )
            raise OutcomeRecorded({"outcome_at": [message]}, problem_type=OUTCOME_RECORDED) from None
        return self.detainer_response(done)


def _outcome_view(outcome: str, serializer_class, summary: str, description: str):
    view = type(
        f"Detainer{outcome.title()}View",
        (DetainerOutcomeView,),
        {"outcome": outcome, "serializer_class": serializer_class, "__doc__": summary},
    )

    def post(self, request, public_id):
        return DetainerOutcomeView.post(self, request, public_id)

    view.post = extend_schema(
        operation_id=f"detainer_{outcome}",
        summary=summary,
        description=description,
        request=serializer_class,
        responses={**DETAINER_RESPONSES, **problems(409)},
    )(post)
    return view


DetainerReleaseView = _outcome_view(
    Detainer.Outcome.RELEASED,
    api.OutcomeSerializer,
    "Record the person's release",
    "Released from local custody (detainer_record_outcome). After the hold deadline: a critical finding and an "
    "incident open, and `explanation` is required.",
)
DetainerTransferView = _outcome_view(
    Detainer.Outcome.TRANSFERRED,
    api.OutcomeSerializer,
    "Record the transfer to ICE",
    "Transferred to ICE custody. Refused (422, rule R5.1) while a U.S.-citizenship STOP is in force.",
)
DetainerLiftView = _outcome_view(
    Detainer.Outcome.LIFTED,
    api.LiftSerializer,
    "Record that ICE lifted or declined the detainer",
    "With ICE's lift reason (incidents.detainers.lift_reasons).",
)


class DetainerLookupView(IntegrationAPIView):
    """``POST /api/v1/detainers/lookup/``: the agency's detainers of a booking number (in the body, never the URL)."""

    access_action = AccessLog.Action.SEARCH

    @extend_schema(
        operation_id="detainer_lookup",
        summary="Find detainers by booking number",
        request=api.LookupSerializer,
        responses={200: api.LookupResultSerializer, **COMMON_PROBLEMS},
    )
    def post(self, request):
        values = validated(api.LookupSerializer, request.data)
        found = list(
            Detainer.objects.filter(agency=self.integration.agency, booking_number=values["booking_number"].strip())
            .select_related("agency", "handling_officer", "handling_officer__agency", "agreement")
            .order_by("-received_at")[: settings.API_LOOKUP_MAX]
        )
        for detainer in found:
            annotate_detainer(detainer)
        self.logged_count = len(found)
        return Response({"results": api.DetainerSerializer(found, many=True).data})


class OfficerAuthorizationView(IntegrationAPIView):
    """``GET /api/v1/officers/{officer}/authorization/?at=``: the roster's answer for one officer at one instant."""

    @extend_schema(
        operation_id="officer_authorization",
        summary="Was the officer authorized at an instant?",
        description="`officer` is the officer's public id or badge number in the agency (a badge number is a "
        "staff identifier, not personal data of a detained person: docs/decisions/api.md). The answer is the "
        "roster's (training.roster.authorization.officer_authorization_at), judged on the agency-local day.",
        parameters=[
            OpenApiParameter("officer", OpenApiTypes.STR, OpenApiParameter.PATH, description="Public id or badge."),
            OpenApiParameter("at", OpenApiTypes.DATETIME, OpenApiParameter.QUERY, required=False),
        ],
        responses={200: api.AuthorizationSerializer, **problems(404), **COMMON_PROBLEMS},
    )
    def get(self, request, officer):
        found = officer_in_agency(self.integration.agency, officer)
        if found is None:
            raise exceptions.NotFound("No officer of your agency has this public id or badge number.")
        query = validated(api.AuthorizationQuerySerializer, request.query_params.dict(), unknown_allowed=True)
        at = query.get("at") or timezone.now()
        answer = officer_authorization_at(officer=found, at=at)
        self.logged_record = found
        return Response(
            api.AuthorizationSerializer(
                {
                    "officer": found,
                    "at": at,
                    "day": answer.day,
                    "authorized": answer.authorized,
                    "reasons": list(answer.reasons),
                }
            ).data
        )


class NotFoundView(IntegrationAPIView):
    """Any other path under ``/api/v1/``: a 404 problem (not the HTML page)."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = []
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound("No such route in /api/v1/ (see /api/v1/schema/).")


class SchemaView(IntegrationAPIView, SpectacularAPIView):
    """``GET /api/v1/schema/``: the OpenAPI 3 schema (drf-spectacular), for an integration's token."""
