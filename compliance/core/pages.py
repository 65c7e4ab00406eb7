"""Small helpers the detainer, incident and outreach pages share."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator

from compliance.core import access

#: Rows per list page; lists are paginated so their cost does not grow with the log.
PAGE_SIZE = 25


def paginate(request, queryset) -> Page:
    """The requested page (``?page=``) of ``queryset``; out-of-range pages give the last one."""
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def change_agencies_or_403(user) -> list:
    """Agencies where ``user`` may create records; PermissionDenied when none (auditors are read-only)."""
    agencies = list(access.agencies_for(user, access.CHANGE))
    if not agencies:
        raise PermissionDenied("You may not create records in any agency.")
    return agencies


def require_change(user, agency) -> None:
    """PermissionDenied unless ``user`` may change ``agency``'s records.

    Called after the record was found in the user's *view* scope: a record they
    cannot see has already answered 404; one they can see but not change
    (an auditor's) answers 403 (SECURITY.md C4).
    """
    if not access.can(user, access.CHANGE, agency):
        raise PermissionDenied("You may read but not change this agency's records.")


def initial_agency(user, agencies: list):
    """The home agency when it is among ``agencies`` (pre-selected on create forms), else None."""
    return next((agency for agency in agencies if agency.pk == user.home_agency_id), None)
