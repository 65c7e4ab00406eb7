"""R5.1 for the subject, not only the record: no new detainer for a person whose other detainer is in STOP.

DOMAIN.md R5.1 (ICE Directive 16001.2): when a U.S.-citizenship claim or sign is
recorded, *every* 287(g) step for that subject stops — no new detainer, no
processing, no WSO service — until a supervisor records the escalation to ICE
(and, in this app, its resolution: ``incidents.citizenship.services.is_stopped``). STOP
is stored per detainer; this module finds, when a new detainer is logged, another
detainer of the same agency for the same person that is in STOP, and
``detainer_create`` refuses the new one.

Same person, in this order (the first identifier both records carry decides):

1. both have an A-number (normalised, ``A`` + 9 digits): the same A-number —
   and two different A-numbers are two people, whatever the names;
2. otherwise the same booking number in the agency (case and spaces ignored), or
   the same last name + first name + date of birth (both known). Names are compared by
   ``compliance.core.names.name_key`` (case, accent form, outer spaces and typographic
   apostrophes ignored; accents themselves count), in the database on the stored blind indexes
   ``subject_last_name_key``/``subject_first_name_key`` (``incidents.detainers.subject_index``; the names,
   date of birth and A-number are encrypted), the date of birth then in Python: ``ÁLVAREZ`` pasted from a PDF in
   decomposed form is the same name as ``Álvarez`` typed by hand. A person with a single
   name has a blank first name on both records.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse

from compliance.core.names import name_key
from incidents.citizenship.services import CITIZEN_MESSAGE, stop_reason, stopped_q
from incidents.detainers.models import Detainer
from incidents.detainers.subject_index import a_number_q, subject_name_q

SUBJECT_STOPPED_MESSAGE = (
    "STOP (R5.1): same %(what)s as detainer booking %(booking_number)s of this agency (%(url)s), which is in "
    "STOP for a U.S.-citizenship claim or sign. No new detainer may be logged for this person until a "
    "supervisor records the escalation to ICE and its resolution on that detainer."
)
SUBJECT_CITIZEN_MESSAGE = (
    "STOP (R5.1): same %(what)s as detainer booking %(booking_number)s of this agency (%(url)s), whose "
    "subject was confirmed a U.S. citizen. ICE has no authority to detain a U.S. citizen: no detainer may be "
    "logged."
)
#: The field the error is shown next to → the words naming it in the message.
_MATCHED = {
    "a_number": "A-number",
    "booking_number": "booking number",
    "subject_last_name": "name and date of birth",
}


def _same(one: str, other: str) -> bool:
    return one.strip().casefold() == other.strip().casefold()


def _same_name(last: str, first: str, stopped: Detainer) -> bool:
    return (name_key(last), name_key(first)) == (
        name_key(stopped.subject_last_name),
        name_key(stopped.subject_first_name),
    )


def matched_field(stopped: Detainer, *, a_number: str, booking_number: str, last: str, first: str, dob) -> str | None:
    """Which identifier makes ``stopped`` the same subject (a key of ``_MATCHED``), or None (pure)."""
    if a_number and stopped.a_number:
        return "a_number" if a_number == stopped.a_number else None
    if booking_number.strip() and _same(booking_number, stopped.booking_number):
        return "booking_number"
    if dob is not None and stopped.subject_date_of_birth == dob and _same_name(last, first, stopped):
        return "subject_last_name"
    return None


def stopped_detainer_for_subject(
    *,
    agency_id: int,
    a_number: str,
    booking_number: str,
    last: str,
    first: str,
    dob: date | None,
    exclude_pk: int | None = None,
) -> tuple[str, Detainer] | None:
    """Another detainer of the agency, for the same subject, that is in STOP; with the field that matched.

    Args:
        agency_id: the agency (STOP is looked up within it only).
        a_number: the new record's A-number, already normalised ("" when none).
        booking_number: as typed (compared ignoring case and outer spaces).
        last, first: as typed (compared by ``compliance.core.names.name_key``; ``first`` "" for a single name).
        dob: the date of birth, or None (then names alone never match).
        exclude_pk: the record itself, when it already exists.

    Returns:
        ``(field name, stopped detainer)`` for the most recently received match, or None. One query, on the
        partial index ``detainer_stopped_idx`` (the agency's detainers in STOP, which are few), so its cost does
        not grow with the detainer log; the identifiers are compared on those rows.
    """
    same_booking = Q(booking_number__iexact=booking_number.strip())
    candidates = same_booking
    if dob is not None:
        # The date of birth is encrypted: compared by matched_field on the rows with the same name.
        candidates |= subject_name_q(last, first)
    if a_number:
        # An A-number on both decides alone; a record without one is matched on the other identifiers.
        candidates = a_number_q(a_number) | (a_number_q("") & candidates)
    queryset = Detainer.objects.filter(stopped_q(), candidates, agency_id=agency_id).order_by("-received_at", "-pk")
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    for stopped in queryset:
        field = matched_field(
            stopped, a_number=a_number, booking_number=booking_number, last=last, first=first, dob=dob
        )
        if field is not None:
            return field, stopped
    return None


def ensure_subject_not_stopped(detainer: Detainer) -> None:
    """Refuse a new detainer for a subject who has another detainer of the agency in STOP (R5.1).

    Args:
        detainer: the unsaved (or saved: itself is excluded) detainer, A-number normalised.

    Raises:
        ValidationError: keyed by the field that matched (``a_number``, ``booking_number``, or
            ``subject_last_name`` for name + date of birth), naming the stopped record's booking
            number and its page, code ``subject_stop``. Source: DOMAIN.md R5.1 (ICE Directive 16001.2).
    """
    found = stopped_detainer_for_subject(
        agency_id=detainer.agency_id,
        a_number=detainer.a_number,
        booking_number=detainer.booking_number,
        last=detainer.subject_last_name,
        first=detainer.subject_first_name,
        dob=detainer.subject_date_of_birth,
        exclude_pk=detainer.pk,
    )
    if found is None:
        return
    field, stopped = found
    message = SUBJECT_CITIZEN_MESSAGE if stop_reason(stopped) == CITIZEN_MESSAGE else SUBJECT_STOPPED_MESSAGE
    params = {
        "what": _MATCHED[field],
        "booking_number": stopped.booking_number,
        "url": reverse("incidents:detainer_detail", args=[stopped.public_id]),
        "public_id": str(stopped.public_id),
    }
    raise ValidationError({field: ValidationError(message, code="subject_stop", params=params)})
