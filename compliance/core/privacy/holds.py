"""Legal holds (issue #14 item 4; SECURITY.md D7 "Legal-hold flag blocks deletion"): placed and released by a
supervisor or an administrator of the agency, audited (``LegalHold`` keeps its history), read by the record
pages ("Under legal hold: reason, reference") and by the purge, which skips held records and counts them.

A hold is on one record (a detainer or a case, by content type and id) or on every detainer of a subject
(``scope=subject``): the subject is matched by a key of the A-number (``subject_hold_key``), never by the
A-number shown or typed again. Holds are per agency: a hold in agency A holds nothing in agency B.

Two functions stand between holds and the A-number column, so that the field encryption's blind index replaces
the A-number in one place: ``subject_hold_key`` (the key stored on the hold) and ``subject_hold_matches`` (the
detainers of a queryset that match keys).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.models import LegalHold

NOT_ALLOWED_MESSAGE = "Only a supervisor or an administrator of this agency may place or release a legal hold."
NO_A_NUMBER_MESSAGE = "This detainer has no A-number: hold this record instead, or record the A-number first."
SUBJECT_ONLY_FOR_DETAINERS_MESSAGE = "A hold on every record of a subject is placed from a detainer."
ALREADY_RELEASED_MESSAGE = "This hold was already released."
REFERENCE_MESSAGE = "Enter the reference: a court case, request or investigation number."
RELEASE_REASON_MESSAGE = "Say why the hold is released."
DUPLICATE_MESSAGE = (
    "The same legal hold is already in place (same record or subject, reason and reference): nothing was added."
)

#: The models a hold may be placed on (labels); upper floors' models, named, never imported here.
HOLDABLE = ("incidents.Detainer", "incidents.Incident")


def subject_hold_key(detainer) -> str:
    """The key a subject hold stores for ``detainer``'s subject; "" when it has no A-number.

    The A-number's keyed blind index as the detainer stores it (``Detainer.a_number_index``;
    ``incidents.detainers.subject_index``): the hold never holds the A-number itself, which is encrypted.
    Callers never compare keys themselves: ``subject_hold_matches`` does.
    """
    return getattr(detainer, "a_number_index", "") or ""


def subject_hold_matches(detainers: QuerySet, keys: Iterable[str]) -> QuerySet:
    """The detainers of ``detainers`` whose subject has one of ``keys`` (``subject_hold_key`` values).

    The one filter of detainers by A-number for holds, on the A-number's blind index.
    """
    wanted = [key for key in keys if key]
    if not wanted:
        return detainers.none()
    return detainers.filter(a_number_index__in=wanted)


def may_hold(user, agency) -> bool:
    """True when ``user`` may place and release holds in ``agency`` (supervisors and administrators)."""
    return access.can(user, access.REVIEW, agency)


def legal_hold_place(*, record: Model, actor, scope: str, reason: str, reference: str) -> LegalHold:
    """Place a legal hold on ``record`` (or on every detainer of its subject) in the record's agency.

    Args:
        record: a detainer or a case (``HOLDABLE``), reached by the caller through ``compliance.core.access``.
        actor: a supervisor or administrator of the record's agency.
        scope: ``LegalHold.Scope`` value: ``record`` or ``subject`` (detainers with an A-number only).
        reason: ``LegalHold.Reason`` value.
        reference: free text, e.g. a case number (required, at most 120 characters).

    Returns:
        The new hold (history row by ``actor``).

    Raises:
        PermissionDenied: ``actor`` may not hold records in the agency.
        ValidationError: keyed by field: a subject hold without an A-number or on a case, a blank reference; an
            identical active hold (same record, or same subject, reason and reference: ``DUPLICATE_MESSAGE`` on
            ``reference``).
    """
    if not may_hold(actor, record.agency):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    label = record._meta.label
    if label not in HOLDABLE:
        raise ValueError(f"Legal holds are placed on {', '.join(HOLDABLE)}, not {label}")
    errors = {}
    key = ""
    if scope == LegalHold.Scope.SUBJECT:
        if label != "incidents.Detainer":
            errors["scope"] = SUBJECT_ONLY_FOR_DETAINERS_MESSAGE
        else:
            key = subject_hold_key(record)
            if not key:
                errors["scope"] = NO_A_NUMBER_MESSAGE
    elif scope != LegalHold.Scope.RECORD:
        errors["scope"] = "Choose what the hold covers."
    if reason not in LegalHold.Reason.values:
        errors["reason"] = "Choose the reason for the hold."
    reference = (reference or "").strip()
    if not reference:
        errors["reference"] = REFERENCE_MESSAGE
    if errors:
        raise ValidationError(errors)
    content_type = ContentType.objects.get_for_model(record)
    same = active_holds(record.agency_id).filter(scope=scope, reason=reason, reference__iexact=reference)
    if scope == LegalHold.Scope.SUBJECT:
        same = same.filter(subject_key=key)
    else:
        same = same.filter(content_type=content_type, object_id=record.pk)
    if same.exists():
        raise ValidationError({"reference": DUPLICATE_MESSAGE})
    with transaction.atomic(), acting_as(actor):
        return LegalHold.objects.create(
            agency_id=record.agency_id,
            scope=scope,
            content_type=content_type,
            object_id=record.pk,
            subject_key=key,
            reason=reason,
            reference=reference,
            placed_by=actor,
            placed_at=timezone.now(),
        )


def legal_hold_release(*, hold: LegalHold, actor, reason: str) -> LegalHold:
    """Release ``hold``: the purge may act on its records again from its next run.

    Args:
        hold: an active hold, reached through ``compliance.core.access``.
        actor: a supervisor or administrator of its agency.
        reason: why (required).

    Raises:
        PermissionDenied: ``actor`` may not release holds in the agency.
        ValidationError: already released, or no reason (keyed by field).
    """
    if not may_hold(actor, hold.agency):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": RELEASE_REASON_MESSAGE})
    with transaction.atomic(), acting_as(actor):
        # Locked: two supervisors releasing at once record one release.
        row = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if row.released_at is not None:
            raise ValidationError({"reason": ALREADY_RELEASED_MESSAGE})
        row.released_by = actor
        row.released_at = timezone.now()
        row.release_reason = reason
        row.save()
    return row


def active_holds(agency_id: int) -> QuerySet:
    """The agency's holds not released (the purge's and the list page's starting point)."""
    return LegalHold.objects.filter(agency_id=agency_id, released_at__isnull=True)


def holds_on(record: Model) -> list[LegalHold]:
    """The active holds covering ``record``: on the record itself, and for a detainer, on its subject. One query."""
    content_type = ContentType.objects.get_for_model(record)
    holds = active_holds(record.agency_id).select_related("placed_by").order_by("placed_at")
    key = subject_hold_key(record) if record._meta.label == "incidents.Detainer" else ""
    covering = Q(content_type=content_type, object_id=record.pk)
    if key:
        covering |= Q(scope=LegalHold.Scope.SUBJECT, subject_key=key)
    return list(holds.filter(covering))


def holds_covering(record: Model, *, placed_before=None) -> list[LegalHold]:
    """Every hold, active or released, that covers ``record``: on the record itself, and for a detainer, on its
    subject (the records request lists them). One query; oldest first.

    Args:
        record: a detainer or a case (``HOLDABLE``).
        placed_before: an aware datetime (UTC); only holds placed before it (the report's instant). None: all.
    """
    content_type = ContentType.objects.get_for_model(record)
    holds = LegalHold.objects.filter(agency_id=record.agency_id).select_related("placed_by", "released_by")
    if placed_before is not None:
        holds = holds.filter(placed_at__lt=placed_before)
    key = subject_hold_key(record) if record._meta.label == "incidents.Detainer" else ""
    covering = Q(content_type=content_type, object_id=record.pk)
    if key:
        covering |= Q(scope=LegalHold.Scope.SUBJECT, subject_key=key)
    return list(holds.filter(covering).order_by("placed_at", "pk"))


def held_ids(*, agency_id: int, model, candidates: QuerySet | None = None) -> set[int]:
    """Ids of ``model`` rows of the agency under an active hold (record holds; for detainers, subject holds too).

    Args:
        agency_id: the agency.
        model: ``incidents.Detainer`` or ``incidents.Incident`` (the class: the caller is on an upper floor).
        candidates: for detainers, the queryset to match subject holds in (default: all the agency's).

    Returns:
        The held primary keys. Two queries (holds, then subject matches when there are subject holds).
    """
    content_type = ContentType.objects.get_for_model(model)
    holds = list(active_holds(agency_id).values_list("content_type_id", "object_id", "scope", "subject_key"))
    ids = {object_id for ct, object_id, _scope, _key in holds if ct == content_type.pk}
    keys = [key for _ct, _id, scope, key in holds if scope == LegalHold.Scope.SUBJECT and key]
    if keys and model._meta.label == "incidents.Detainer":
        base = candidates if candidates is not None else model.objects.filter(agency_id=agency_id)
        ids |= set(subject_hold_matches(base, keys).values_list("pk", flat=True))
    return ids
