"""Writes to an agency's rank order (``training.Rank``): add, change and delete a rank.

The rank order keeps an investigator from being below the officer they investigate
(``incidents.case_review.rules``, issue #11 item 2). Callers check the ADMINISTER
permission first. Each function takes keyword-only arguments and ``actor``, runs in
one transaction and attributes its history rows to ``actor``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from compliance.core.audit import acting_as
from training.roster.models import Rank

NAME_TAKEN = "The agency already has a rank of that name."
IN_USE = "{count} officer(s) hold this rank: give them another rank first."


def _clean_name(*, agency, name: str, rank: Rank | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "This field is required."})
    taken = Rank.objects.filter(agency=agency, name__iexact=name)
    if rank is not None:
        taken = taken.exclude(pk=rank.pk)
    if taken.exists():
        raise ValidationError({"name": NAME_TAKEN})
    return name


def rank_create(*, agency, actor, name: str, seniority: int) -> Rank:
    """Add a rank to ``agency``'s rank order.

    Args:
        name: the rank's name (unique in the agency, case-insensitively).
        seniority: higher is more senior (e.g. deputy 10, sergeant 20).

    Raises:
        ValidationError: blank or taken ``name``.
    """
    with transaction.atomic(), acting_as(actor):
        return Rank.objects.create(agency=agency, name=_clean_name(agency=agency, name=name), seniority=seniority)


def rank_update(*, rank: Rank, actor, name: str, seniority: int) -> Rank:
    """Rename a rank or change its seniority; a save that changes nothing writes nothing.

    Raises:
        ValidationError: blank or taken ``name``.
    """
    with transaction.atomic(), acting_as(actor):
        locked = Rank.objects.select_for_update().get(pk=rank.pk)
        name = _clean_name(agency=locked.agency, name=name, rank=locked)
        if (locked.name, locked.seniority) != (name, seniority):
            locked.name, locked.seniority = name, seniority
            locked.save(update_fields=["name", "seniority", "updated_at"])
    return locked


def rank_delete(*, rank: Rank, actor) -> None:
    """Delete a rank no officer holds.

    Raises:
        ValidationError: an officer holds it.
    """
    with transaction.atomic(), acting_as(actor):
        locked = Rank.objects.select_for_update().get(pk=rank.pk)
        count = locked.officers.count()
        if count:
            raise ValidationError(IN_USE.format(count=count))
        locked.delete()
