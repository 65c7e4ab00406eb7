"""Writes to organisations and contacts: create, change, deactivate and reactivate (never delete).

Rules (issue #12 item 1; DOMAIN.md R3.6):

* Only someone who may change the agency's records (``change_records``) writes (``PermissionDenied``).
* An organisation's name is unique in its agency, compared by ``compliance.core.names.name_key``
  (``"Casa  de la  Cultura"`` and ``"casa de la cultura"`` are the same organisation): a second one is a
  ``ValidationError`` on ``name`` (the database's unique constraint on agency + name key backs it up; a race
  that reaches the constraint is reported the same way, never a server error).
* A contact's organisation belongs to the contact's agency (``ValidationError`` on ``organisation``).
* Organisations and contacts are never deleted: past events and committee terms keep them. Deactivating
  one hides it from the choices on new participants; reactivating brings it back.

Each function takes keyword-only arguments and the acting user, runs in one transaction, attributes
its history row to ``actor`` and refuses unknown fields (``TypeError``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from community.organisations.models import Contact, Organisation
from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.models import Agency
from compliance.core.names import name_clean, name_key
from compliance.core.writes import locked_update, refuse_unknown_fields

CHANGE_NOT_ALLOWED_MESSAGE = (
    "Only someone who may change this agency's records may change its organisations and contacts."
)
NAME_REQUIRED_MESSAGE = "Give the name."
DUPLICATE_NAME_MESSAGE = "This agency already has an organisation named “{name}”."
ORGANISATION_OTHER_AGENCY_MESSAGE = "Choose an organisation of this agency."

#: Fields ``organisation_create`` / ``organisation_update`` take.
ORGANISATION_FIELDS = frozenset({"name", "kind", "website", "notes"})
#: Fields ``contact_create`` / ``contact_update`` take.
CONTACT_FIELDS = frozenset({"name", "organisation", "role", "email", "phone", "languages", "notes"})


def may_change(user, agency: Agency) -> bool:
    """Whether ``user`` may change ``agency``'s organisations and contacts (``change_records``)."""
    return access.can(user, access.CHANGE, agency)


def _require_change(actor, agency: Agency) -> None:
    if not may_change(actor, agency):
        raise PermissionDenied(CHANGE_NOT_ALLOWED_MESSAGE)


def _clean_name(fields: dict) -> None:
    if "name" in fields:
        fields["name"] = name_clean(fields["name"])
        if not fields["name"]:
            raise ValidationError({"name": NAME_REQUIRED_MESSAGE})


def _check_unique_name(*, agency: Agency, name: str, exclude_pk: int | None = None) -> None:
    same = Organisation.objects.filter(agency=agency, name_key=name_key(name))
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        raise ValidationError({"name": DUPLICATE_NAME_MESSAGE.format(name=name)})


def _save_organisation(organisation: Organisation, *, actor, reason: str | None) -> None:
    """Save inside a savepoint; the unique constraint's IntegrityError becomes the name's ValidationError."""
    try:
        with transaction.atomic(), acting_as(actor, reason=reason):
            organisation.save()
    except IntegrityError as exc:
        if Organisation.objects.filter(agency=organisation.agency, name_key=name_key(organisation.name)).exists():
            raise ValidationError({"name": DUPLICATE_NAME_MESSAGE.format(name=organisation.name)}) from exc
        raise


def organisation_create(*, agency: Agency, actor, reason: str | None = None, **fields) -> Organisation:
    """Add an organisation (community group, consulate, legal-aid provider, …) to ``agency``.

    Args:
        agency: the agency keeping it.
        actor: the user adding it (history author); needs ``change_records`` in ``agency``.
        reason: optional history change reason.
        **fields: any of ``ORGANISATION_FIELDS``; ``name`` is required (stored through ``name_clean``).

    Returns:
        The new, active ``Organisation``.

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: on ``name``: blank, or the agency already has one of that name (by ``name_key``).
        TypeError: a field outside ``ORGANISATION_FIELDS``.
    """
    refuse_unknown_fields(fields, ORGANISATION_FIELDS, "organisation_create")
    _require_change(actor, agency)
    fields.setdefault("name", "")
    _clean_name(fields)
    _check_unique_name(agency=agency, name=fields["name"])
    organisation = Organisation(agency=agency, **fields)
    _save_organisation(organisation, actor=actor, reason=reason)
    return organisation


def organisation_update(*, organisation: Organisation, actor, reason: str | None = None, **fields) -> Organisation:
    """Change an organisation's name, kind, website or notes; no history row when nothing changed.

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: on ``name``: blank, or another organisation of the agency has that name.
        TypeError: a field outside ``ORGANISATION_FIELDS``.
    """
    refuse_unknown_fields(fields, ORGANISATION_FIELDS, "organisation_update")
    _require_change(actor, organisation.agency)
    _clean_name(fields)
    if "name" in fields:
        _check_unique_name(agency=organisation.agency, name=fields["name"], exclude_pk=organisation.pk)
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().select_related("agency").get(pk=organisation.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        _save_organisation(locked, actor=actor, reason=reason)
    return locked


def organisation_set_active(*, organisation: Organisation, actor, active: bool) -> Organisation:
    """Deactivate (``active=False``) or reactivate an organisation; it is never deleted.

    An inactive organisation stays on the events it took part in and on committee terms; it is
    no longer offered when adding participants. Setting the value it already has changes nothing.

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
    """
    _require_change(actor, organisation.agency)
    return _set_active(organisation, actor=actor, active=active)


def _check_contact_organisation(fields: dict, agency: Agency) -> None:
    organisation = fields.get("organisation")
    if organisation is not None and organisation.agency_id != agency.pk:
        raise ValidationError({"organisation": ORGANISATION_OTHER_AGENCY_MESSAGE})


def contact_create(*, agency: Agency, actor, reason: str | None = None, **fields) -> Contact:
    """Add a contact: a person the agency deals with in the community (their details are personal data).

    Args:
        agency: the agency keeping it.
        actor: the user adding it (history author); needs ``change_records`` in ``agency``.
        reason: optional history change reason (never the contact's details).
        **fields: any of ``CONTACT_FIELDS``; ``name`` is required; ``organisation`` is one of ``agency``'s or None.

    Returns:
        The new, active ``Contact``.

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: blank ``name``; an ``organisation`` of another agency.
        TypeError: a field outside ``CONTACT_FIELDS``.
    """
    refuse_unknown_fields(fields, CONTACT_FIELDS, "contact_create")
    _require_change(actor, agency)
    fields.setdefault("name", "")
    _clean_name(fields)
    _check_contact_organisation(fields, agency)
    contact = Contact(agency=agency, **fields)
    with transaction.atomic(), acting_as(actor, reason=reason):
        contact.save()
    return contact


def contact_update(*, contact: Contact, actor, reason: str | None = None, **fields) -> Contact:
    """Change a contact's details; no history row when nothing changed.

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
        ValidationError: blank ``name``; an ``organisation`` of another agency.
        TypeError: a field outside ``CONTACT_FIELDS``.
    """
    refuse_unknown_fields(fields, CONTACT_FIELDS, "contact_update")
    _require_change(actor, contact.agency)
    _clean_name(fields)
    _check_contact_organisation(fields, contact.agency)
    with transaction.atomic(), acting_as(actor, reason=reason):
        locked = Contact.objects.select_for_update().select_related("agency").get(pk=contact.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
    return locked


def contact_set_active(*, contact: Contact, actor, active: bool) -> Contact:
    """Deactivate or reactivate a contact; never deleted (past events keep them).

    Raises:
        PermissionDenied: ``actor`` may not change the agency's records.
    """
    _require_change(actor, contact.agency)
    return _set_active(contact, actor=actor, active=active)


def _set_active(record, *, actor, active: bool):
    """``record.active = active`` on a locked copy (``locked_update``); no history row when it already was."""
    reason = "Reactivated" if active else "Deactivated"
    return locked_update(instance=record, actor=actor, reason=reason, fields={"active": active})
