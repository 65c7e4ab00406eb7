"""Writes for outreach events, their participants and their materials: keyword-only, the acting user, one
transaction each.

Event create/update: callers check permissions first (``compliance.core.access``). Participants and
materials: the services check ``change_records`` themselves (``PermissionDenied``) and refuse bad input
with a ``ValidationError`` by field, writing nothing.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from community.outreach.models import EventMaterial, EventParticipant, OutreachEvent
from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.models import Agency
from compliance.core.writes import locked_update, refuse_unknown_fields
from incidents.case_files import scanner
from incidents.case_files.services import NAME_EXTENSIONS, attachment_prepare
from training.evidence.services import clean_original_name

OUTREACH_FIELDS = frozenset(
    {
        "kind",
        "title",
        "held_on",
        "location",
        "attendance",
        "languages",
        "interpretation_provided",
        "topics",
        "summary",
    }
)


def outreach_event_create(*, agency: Agency, actor, reason: str | None = None, **fields) -> OutreachEvent:
    """Log a community meeting, steering-committee session or presentation (DOMAIN.md R3.6).

    Args:
        agency: the agency that held it.
        actor: the user logging it (history author).
        reason: optional history change reason.
        **fields: keyword-only values, any of ``OUTREACH_FIELDS``; ``held_on`` is a date
            (agency-local calendar day).

    Raises:
        TypeError: a field outside ``OUTREACH_FIELDS`` was passed.
    """
    refuse_unknown_fields(fields, OUTREACH_FIELDS, "outreach_event_create")
    event = OutreachEvent(agency=agency, **fields)
    with transaction.atomic(), acting_as(actor, reason=reason):
        event.save()
    return event


def outreach_event_update(*, event: OutreachEvent, actor, reason: str | None = None, **fields) -> OutreachEvent:
    """Change an outreach event's values; no history row when nothing changed (case H2).

    Raises:
        TypeError: a field outside ``OUTREACH_FIELDS`` was passed.
    """
    refuse_unknown_fields(fields, OUTREACH_FIELDS, "outreach_event_update")
    # Locked: two people editing the minutes at once must not silently overwrite each other.
    return locked_update(instance=event, actor=actor, reason=reason, fields=fields)


# ----- participants -----------------------------------------------------------------------------------------

CHANGE_NOT_ALLOWED_MESSAGE = "Only someone who may change this agency's records may change an event's participants."
ONE_PARTY_MESSAGE = "Choose one organisation, one contact or one member of staff."
OTHER_AGENCY_MESSAGE = "Choose one of this agency's own."
INACTIVE_MESSAGE = "“{name}” is inactive: reactivate it first."
STAFF_MESSAGE = "Choose an active member of this agency's staff."
ALREADY_PARTICIPANT_MESSAGE = "“{name}” already takes part in this event."
ALREADY_REMOVED_MESSAGE = "This participant was already removed."


def _party_name(party) -> str:
    full_name = getattr(party, "get_full_name", None)
    return (full_name() if full_name else "") or getattr(party, "username", "") or str(party)


def participant_add(*, event: OutreachEvent, actor, organisation=None, contact=None, staff=None) -> EventParticipant:
    """Record that one organisation, contact or member of staff took part in ``event`` (issue #12 item 1).

    Exactly one of ``organisation``, ``contact``, ``staff``. The row keeps who added it and when
    (``added_by``, ``added_at`` in UTC); it is never deleted (``participant_remove`` marks it removed),
    so the event's participants at any past instant stay known (``selectors.participants_at``).

    Args:
        event: the event (found through ``compliance.core.access``).
        actor: the user adding it; needs ``change_records`` in the event's agency.
        organisation: an active ``Organisation`` of the event's agency.
        contact: an active ``Contact`` of the event's agency.
        staff: an active user holding ``change_records`` in the event's agency (not an auditor, who may only read).

    Returns:
        The new ``EventParticipant``.

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: not exactly one party (no field); on the party's field: another agency's, inactive,
            staff without a role in the agency, or already an (unremoved) participant of the event.
    """
    if not access.can(actor, access.CHANGE, event.agency):
        raise PermissionDenied(CHANGE_NOT_ALLOWED_MESSAGE)
    given = {name: party for name, party in (("organisation", organisation), ("contact", contact), ("staff", staff))}
    chosen = [(name, party) for name, party in given.items() if party is not None]
    if len(chosen) != 1:
        raise ValidationError(ONE_PARTY_MESSAGE)
    field, party = chosen[0]
    if field == "staff":
        if not party.is_active or not access.can(party, access.CHANGE, event.agency):
            raise ValidationError({field: STAFF_MESSAGE})
    else:
        if party.agency_id != event.agency_id:
            raise ValidationError({field: OTHER_AGENCY_MESSAGE})
        if not party.active:
            raise ValidationError({field: INACTIVE_MESSAGE.format(name=party.name)})
    duplicate = ValidationError({field: ALREADY_PARTICIPANT_MESSAGE.format(name=_party_name(party))})
    if EventParticipant.objects.filter(event=event, removed_at__isnull=True, **{field: party}).exists():
        raise duplicate
    participant = EventParticipant(event=event, added_at=timezone.now(), added_by=actor, **{field: party})
    try:
        with transaction.atomic(), acting_as(actor, reason="Participant added"):
            participant.save()
    except IntegrityError as exc:  # two people adding the same party at once: the partial unique index
        raise duplicate from exc
    return participant


def participant_remove(*, participant: EventParticipant, actor) -> EventParticipant:
    """Mark ``participant`` removed from its event (``removed_at`` now, ``removed_by`` ``actor``); never deleted.

    Raises:
        PermissionDenied: ``actor`` may not change the event's agency's records.
        ValidationError: it was already removed (nothing changes).
    """
    agency = participant.event.agency
    if not access.can(actor, access.CHANGE, agency):
        raise PermissionDenied(CHANGE_NOT_ALLOWED_MESSAGE)
    with transaction.atomic(), acting_as(actor, reason="Participant removed"):
        locked = EventParticipant.objects.select_for_update().get(pk=participant.pk)
        if locked.removed_at is not None:
            raise ValidationError(ALREADY_REMOVED_MESSAGE)
        locked.removed_at = timezone.now()
        locked.removed_by = actor
        locked.save()
    return locked


# ----- materials ---------------------------------------------------------------------------------------------

MATERIAL_NOT_ALLOWED_MESSAGE = "Only someone who may change this agency's records may add materials."
MATERIAL_FLAGGED_MESSAGE = "The virus scan flagged “{name}”: it was not stored."
MATERIAL_DESCRIPTION_MAX = 200


def material_add(*, event: OutreachEvent, actor, upload, description: str = "") -> EventMaterial:
    """Store a flyer, slide deck or handout shared at ``event``: PDF, PNG or JPEG, at most 10 MB.

    The file goes through the case files' checks (``incidents.case_files.services.attachment_prepare``:
    magic bytes and a real parser, the name's extension agreeing with the content, at most
    ``settings.CASE_FILE_MAX_BYTES``, the ClamAV scan where ``settings.CLAMD_ADDRESS`` is set). A file the
    scan flags is refused (materials are handed to the public: nothing to keep as evidence); no scanner
    configured → stored ``not_scanned``. Stored privately under a random name; never deleted (its history
    stays), only listed and downloaded through ``compliance.core.private_files``.

    Args:
        event: the event (found through ``compliance.core.access``).
        actor: the uploading user; needs ``change_records`` in the event's agency.
        upload: a Django ``UploadedFile``.
        description: optional, at most 200 characters (e.g. "Know-your-rights flyer, Spanish").

    Returns:
        The new ``EventMaterial``.

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: on ``file``: empty, too large, not a PDF/PNG/JPEG, renamed, flagged by the scan,
            or the scanner unavailable; on ``description``: too long. Nothing is stored.
    """
    if not access.can(actor, access.CHANGE, event.agency):
        raise PermissionDenied(MATERIAL_NOT_ALLOWED_MESSAGE)
    description = (description or "").strip()
    if len(description) > MATERIAL_DESCRIPTION_MAX:
        raise ValidationError({"description": f"At most {MATERIAL_DESCRIPTION_MAX} characters."})
    prepared = attachment_prepare(upload, field="file")
    if prepared.scan == scanner.FOUND:
        raise ValidationError({"file": MATERIAL_FLAGGED_MESSAGE.format(name=prepared.file_name)})
    material = EventMaterial(
        event=event,
        file_name=prepared.file_name,
        content_type=prepared.content_type,
        size=len(prepared.data),
        sha256=prepared.sha256,
        description=description,
        scan=EventMaterial.Scan.CLEAN if prepared.scan == scanner.OK else EventMaterial.Scan.NOT_SCANNED,
        uploaded_at=timezone.now(),
        uploaded_by=actor,
    )
    material.file.save("upload", ContentFile(prepared.data), save=False)  # a random name (event_material_path)
    try:
        with transaction.atomic(), acting_as(actor, reason="Material added"):
            material.save()
    except BaseException:
        material.file.storage.delete(material.file.name)
        raise
    return material


def material_download_name(material: EventMaterial) -> str:
    """The name offered for download: the uploaded name, ending in its real type's extension."""
    name = clean_original_name(material.file_name)
    expected = NAME_EXTENSIONS.get(material.content_type, (".bin",))
    return name if PurePosixPath(name.lower()).suffix in expected else name + expected[0]
