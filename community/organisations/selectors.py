"""Reads for organisations and contacts, scoped through ``compliance.core.access``.

Searches compare ``compliance.core.names.name_key`` values (case-, accent-form- and
spacing-blind), so "casa de la cultura" finds "Casa de la Cultura". List querysets join what
their rows show, so a page costs the same number of queries at any size.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from community.organisations.models import Contact, Organisation
from community.outreach.models import EventParticipant
from community.steering_committee.models import CommitteeMember
from compliance.core import access
from compliance.core.names import name_key


def organisations_for(user, *, perm: str = access.VIEW) -> QuerySet[Organisation]:
    """Organisations of every agency where ``user`` holds ``perm``, by name, agency joined, with
    ``contact_count`` (its contacts) and ``event_count`` (events it takes part in now)."""
    return (
        access.scope(Organisation.objects.all(), user, perm)
        .select_related("agency")
        .annotate(
            contact_count=Count("contacts", distinct=True),
            event_count=Count(
                "participations__event",
                filter=Q(participations__removed_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("name", "pk")
    )


def organisation_choices_for(user, *, perm: str = access.VIEW) -> QuerySet[Organisation]:
    """Organisations of ``user``'s agencies for a filter's choices: by name, nothing joined or counted."""
    return access.scope(Organisation.objects.all(), user, perm).order_by("name", "pk")


def contacts_for(user, *, perm: str = access.VIEW) -> QuerySet[Contact]:
    """Contacts of every agency where ``user`` holds ``perm``, by name, agency and organisation joined."""
    return (
        access.scope(Contact.objects.all(), user, perm).select_related("agency", "organisation").order_by("name", "pk")
    )


def search_by_name(queryset: QuerySet, query: str) -> QuerySet:
    """Rows of ``queryset`` (organisations or contacts) whose name contains ``query``, compared by ``name_key``.

    Args:
        queryset: an already scoped queryset of a model with a ``name_key`` field.
        query: what was typed; blank → ``queryset`` unchanged.
    """
    key = name_key(query)
    return queryset.filter(name_key__contains=key) if key else queryset


def organisation_participations(organisation: Organisation) -> QuerySet[EventParticipant]:
    """The events ``organisation`` takes part in now (not removed), most recent first, event joined.

    ``organisation`` was found through ``compliance.core.access``; its participations are of its agency's events.
    """
    return (
        EventParticipant.objects.filter(organisation=organisation, removed_at__isnull=True)
        .select_related("event")
        .order_by("-event__held_on", "-pk")
    )


def contact_participations(contact: Contact) -> QuerySet[EventParticipant]:
    """The events ``contact`` takes part in now (not removed), most recent first, event joined."""
    return (
        EventParticipant.objects.filter(contact=contact, removed_at__isnull=True)
        .select_related("event")
        .order_by("-event__held_on", "-pk")
    )


def organisation_committee_members(organisation: Organisation) -> QuerySet[CommitteeMember]:
    """Steering-committee terms of people from ``organisation`` (read only), current and past."""
    return CommitteeMember.objects.filter(agency=organisation.agency, organisation=organisation).order_by(
        "-term_start", "name", "pk"
    )
