"""Writes to a case's referrals: record a referral outside the agency, and the recipient's response.

Who may: a supervisor of the case's agency (``review_records``) or the case's investigator
(holding ``change_records``). A referral may be recorded on a closed case too (a late
referral is still a fact to record). Each function takes keyword-only arguments and the
acting user, runs in one transaction, writes one ``CaseEvent`` (REFERRAL_MADE /
REFERRAL_RESPONSE) and attributes its history rows to ``actor``; bad input is refused with a
``ValidationError`` keyed by field, saving nothing. Rule: DOMAIN.md R3.5; issue #11 item 5.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.core import access
from compliance.core.audit import acting_as
from incidents.incident_log.models import CaseEvent, Incident, case_event_record
from incidents.referrals.models import Referral

NOT_ALLOWED_MESSAGE = "Only a supervisor or the case's investigator may record a referral."
RECIPIENT_MESSAGE = "Choose to whom the case was referred."
FUTURE_MESSAGE = "The time of the referral cannot be in the future."
BEFORE_RECEIPT_MESSAGE = "The referral cannot be before the case was received."
REFERENCE_MESSAGE = "A reference number has at most 60 characters."
RESPONSE_MESSAGE = "Enter the response."
RESPONSE_FUTURE_MESSAGE = "The day of the response cannot be after today ({today}, the agency's date)."
RESPONSE_BEFORE_MESSAGE = "The response cannot be before the referral ({day})."


def may_refer(user, incident: Incident) -> bool:
    """Whether ``user`` may record referrals on ``incident``: a supervisor, or its investigator holding CHANGE."""
    if access.can(user, access.REVIEW, incident.agency):
        return True
    return incident.investigator_id == user.pk and access.can(user, access.CHANGE, incident.agency)


def referral_record(
    *, incident: Incident, actor, recipient: str, referred_at: datetime, reference_number: str = ""
) -> Referral:
    """Record that ``incident`` was referred to ``recipient`` at ``referred_at``.

    Args:
        incident: the case.
        actor: a supervisor of its agency or its investigator.
        recipient: a ``Referral.Recipient`` value (ICE OPR / Joint Intake Center, DHS OIG, CRCL, other).
        referred_at: aware datetime (UTC stored); not in the future, not before the case was received.
        reference_number: the recipient's reference, if given (at most 60 characters).

    Returns:
        The saved referral.

    Raises:
        PermissionDenied: ``actor`` is neither a supervisor nor the investigator.
        ValidationError: a field is wrong (keyed by field name).
    """
    if not may_refer(actor, incident):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    errors: dict[str, str] = {}
    if recipient not in Referral.Recipient.values:
        errors["recipient"] = RECIPIENT_MESSAGE
    if referred_at is None or referred_at > timezone.now():
        errors["referred_at"] = FUTURE_MESSAGE
    elif referred_at < incident.received_at:
        errors["referred_at"] = BEFORE_RECEIPT_MESSAGE
    reference_number = (reference_number or "").strip()
    if len(reference_number) > 60:
        errors["reference_number"] = REFERENCE_MESSAGE
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), acting_as(actor):
        referral = Referral.objects.create(
            agency_id=incident.agency_id,
            incident=incident,
            recipient=recipient,
            referred_at=referred_at,
            reference_number=reference_number,
            recorded_by=actor,
        )
        text = referral.get_recipient_display()
        if reference_number:
            text += f", reference {reference_number}"
        case_event_record(incident=incident, kind=CaseEvent.Kind.REFERRAL_MADE, actor=actor, text=f"{text}.")
    return referral


def referral_response_record(*, referral: Referral, actor, response: str, response_on: date) -> Referral:
    """Record the recipient's response to ``referral`` (a later call replaces it; history keeps the earlier one).

    Args:
        referral: the referral (its case reached through access).
        actor: a supervisor of its agency or the case's investigator.
        response: what the recipient answered (required; internal).
        response_on: the agency-local day of the response; not after today, not before the referral's day.

    Returns:
        The referral with its response.

    Raises:
        PermissionDenied: ``actor`` may not record referrals on the case.
        ValidationError: a field is wrong (keyed by field name).
    """
    incident = referral.incident
    if not may_refer(actor, incident):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    errors: dict[str, str] = {}
    response = (response or "").strip()
    if not response:
        errors["response"] = RESPONSE_MESSAGE
    zone = incident.agency.zone
    today = timezone.localdate(timezone.now(), timezone=zone)
    referred_on = timezone.localdate(referral.referred_at, timezone=zone)
    if response_on is None or response_on > today:
        errors["response_on"] = RESPONSE_FUTURE_MESSAGE.format(today=today.isoformat())
    elif response_on < referred_on:
        errors["response_on"] = RESPONSE_BEFORE_MESSAGE.format(day=referred_on.isoformat())
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), acting_as(actor):
        # Locked: two people recording a response at once must not overwrite each other silently.
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if (locked.response, locked.response_on) == (response, response_on):
            return locked  # nothing changed: no history row, no timeline row (case H2)
        locked.response = response
        locked.response_on = response_on
        locked.save(update_fields=["response", "response_on", "updated_at"])
        case_event_record(
            incident=incident,
            kind=CaseEvent.Kind.REFERRAL_RESPONSE,
            actor=actor,
            text=f"{locked.get_recipient_display()}: response of {response_on.isoformat()}.",
        )
    return locked
