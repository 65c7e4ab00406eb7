"""Every API error as an RFC 9457 problem details document (``application/problem+json``; issue #15 item 3).

A problem reads ``{"type", "title", "status", "detail", "instance", "errors": [{"field", "detail"}]}``:
``errors`` names each field that was refused (``null`` for the request as a whole), so a JMS can show the
message next to its own field. Types:

- ``about:blank``: a plain HTTP error (401, 403, 404, 405, 406, 415, 500), its title the status's phrase;
- ``PROBLEM_BASE + "invalid-request"`` (400): the body is not JSON of the right types and shapes;
- ``PROBLEM_BASE + "rule-refused"`` (422): the values are well formed but a rule refuses them (the detainer
  form's checks, a service's ``ValidationError``: the STOP, a missing explanation of a rule break);
- ``PROBLEM_BASE + "idempotency-key-reused"`` (422) and ``"idempotency-key-in-use"`` (409);
- ``PROBLEM_BASE + "outcome-recorded"`` (409): a release, transfer or lift of a detainer whose outcome is
  already recorded otherwise (a correction is made on the detainer's page);
- ``PROBLEM_BASE + "rate-limited"`` (429, with ``Retry-After`` in seconds).

``problem_exception_handler`` is DRF's ``EXCEPTION_HANDLER``: any view under ``/api/v1/`` (the feed's too)
answers so. An unexpected exception is logged (no request body, so no personal data) and answered 500.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections, transaction
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger("compliance.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "urn:pgc:problem:"
INVALID_REQUEST = PROBLEM_BASE + "invalid-request"
RULE_REFUSED = PROBLEM_BASE + "rule-refused"
IDEMPOTENCY_KEY_REUSED = PROBLEM_BASE + "idempotency-key-reused"
IDEMPOTENCY_KEY_IN_USE = PROBLEM_BASE + "idempotency-key-in-use"
RATE_LIMITED = PROBLEM_BASE + "rate-limited"
OUTCOME_RECORDED = PROBLEM_BASE + "outcome-recorded"

#: The field name of errors about the request as a whole (DRF's ``non_field_errors``, Django's ``__all__``).
WHOLE_REQUEST_KEYS = frozenset({"non_field_errors", "__all__"})


class RuleRefused(exceptions.APIException):
    """A well-formed request a rule refuses (422): ``errors`` is ``{field or None: [messages]}``."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "A rule refuses the request; see errors."

    def __init__(self, errors: dict, detail: str | None = None, problem_type: str = RULE_REFUSED):
        # The detail repeats the messages (one line), so a log that keeps only ``detail`` still names the rule.
        messages = [str(message) for items in errors.values() for message in items]
        super().__init__(detail or " ".join(messages) or self.default_detail)
        self.errors = errors
        self.problem_type = problem_type


def flatten_errors(data, prefix: str = "") -> list[dict]:
    """DRF's or Django's nested errors as ``[{"field": "a.b", "detail": "…"}]`` (``field`` None: the whole request).

    ``data`` is a dict of field → messages (lists, nested dicts for nested fields, dicts keyed by index for
    list items), a list of messages, or one message.
    """
    if isinstance(data, dict):
        items = []
        for key, value in data.items():
            name = None if str(key) in WHOLE_REQUEST_KEYS or key is None else str(key)
            path = f"{prefix}.{name}" if prefix and name else (name or prefix or None)
            items += flatten_errors(value, path or "")
        return items
    if isinstance(data, list | tuple):
        items = []
        for value in data:
            items += flatten_errors(value, prefix)
        return items
    return [{"field": prefix or None, "detail": str(data)}]


def problem_response(
    *,
    status_code: int,
    detail: str,
    instance: str = "",
    errors: list[dict] | None = None,
    problem_type: str = "about:blank",
    title: str | None = None,
    headers: dict | None = None,
) -> Response:
    """A DRF ``Response`` holding one problem document, content type ``application/problem+json``."""
    body = {
        "type": problem_type,
        "title": title or HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
        "instance": instance,
        "errors": errors or [],
    }
    response = Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
    return response


def django_validation_errors(error: DjangoValidationError) -> dict:
    """A service's ``ValidationError`` as ``{field or None: [messages]}``."""
    if hasattr(error, "error_dict"):
        return {
            key: [message for item in items for message in item.messages] for key, items in error.error_dict.items()
        }
    return {None: list(error.messages)}


def rollback_open_transactions() -> None:
    """Mark every connection's open atomic block for rollback; a connection outside one has nothing to undo.

    ``transaction.set_rollback`` raises outside an atomic block (no ``ATOMIC_REQUESTS`` here: a service opens
    its own), so calling it unconditionally turned an unexpected error into a second one and an HTML 500.
    """
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            transaction.set_rollback(True, using=connection.alias)


def problem_exception_handler(exc, context) -> Response:
    """DRF's ``EXCEPTION_HANDLER``: every exception raised in an API view answered as a problem document.

    Django's ``Http404`` and ``PermissionDenied`` and DRF's exceptions keep their status; a service's
    ``ValidationError`` is a 422 naming its fields; anything else is logged and answered 500. The request's
    transaction is rolled back in every case (nothing half-written).
    """
    request = context.get("request")
    instance = request.path if request is not None else ""
    if isinstance(exc, DjangoValidationError):
        exc = RuleRefused(django_validation_errors(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        rollback_open_transactions()
        logger.exception("Unexpected error in %s", instance)
        return problem_response(status_code=500, detail="An unexpected error; it was logged.", instance=instance)
    response = drf_exception_handler(exc, context)  # sets Retry-After, WWW-Authenticate, and rolls back
    headers = {
        name: value for name, value in response.headers.items() if name in ("Retry-After", "WWW-Authenticate", "Allow")
    }
    problem_type, errors, detail = "about:blank", [], exc.detail
    if isinstance(exc, RuleRefused):
        problem_type, errors = exc.problem_type, flatten_errors(exc.errors)
    elif isinstance(exc, exceptions.ValidationError):
        problem_type, errors = INVALID_REQUEST, flatten_errors(exc.detail)
        detail = "The request is not valid; see errors."
    elif isinstance(exc, exceptions.ParseError):
        problem_type, errors = INVALID_REQUEST, [{"field": None, "detail": str(detail)}]
    elif isinstance(exc, exceptions.Throttled):
        problem_type = RATE_LIMITED
    if not isinstance(detail, str):
        detail = "; ".join(item["detail"] for item in flatten_errors(detail)) or "The request is not valid."
    return problem_response(
        status_code=response.status_code,
        detail=str(detail),
        instance=instance,
        errors=errors,
        problem_type=problem_type,
        title="Rule refused" if problem_type == RULE_REFUSED else None,
        headers=headers,
    )
