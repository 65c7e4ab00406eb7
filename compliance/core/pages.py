"""Small helpers the detainer, incident and outreach pages share."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from compliance.core import access
from compliance.core.forms import add_service_errors

#: Rows per list page; lists are paginated so their cost does not grow with the log.
PAGE_SIZE = 25


def paginate(request, queryset, *, per_page: int = PAGE_SIZE) -> Page:
    """The requested page (``?page=``) of ``queryset``, ``per_page`` rows; past the end gives the last page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def agency_or_404(request, perm: str):
    """The agency a page is about (``access.current_agency``: ``?agency=`` if in scope, else the home agency).

    Raises:
        Http404: the user holds ``perm`` in no agency.
    """
    agency = access.current_agency(request, perm)
    if agency is None:
        raise Http404("No agency.")
    return agency


def change_agencies_or_404(user):
    """Agencies where ``user`` may create records, by state and name; Http404 when none (the roster's pages)."""
    agencies = access.agencies_for(user, access.CHANGE).order_by("state", "name")
    if not agencies.exists():
        raise Http404("No agency.")
    return agencies


def with_agency(url: str, agency) -> str:
    """``url`` with ``?agency=<public id>``, so the next page shows the same agency."""
    return f"{url}?{urlencode({'agency': agency.public_id})}"


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


def is_local_path(url: str) -> bool:
    """Whether ``url`` is a path on this site (``/custody/?page=2``), safe to redirect to after a write.

    Refused: anything naming a scheme or a host (``https://evil.example/``, ``//evil.example``,
    ``/\\evil.example``, ``javascript:…``), a relative path (``custody/``), and any control or
    separator character (a newline would make the redirect itself a server error after the write).
    The open-redirect guard (``url_has_allowed_host_and_scheme`` with no host allowed) plus a path check.
    """
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    if any(unicodedata.category(char)[0] in "CZ" for char in url):  # controls, spaces, line separators
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts=set())


def several_agencies(user, only_agency) -> bool:
    """Whether a list page shows rows of several agencies (so it needs an agency column and chooser).

    False when the page is narrowed to ``only_agency`` (``access.narrow_to_requested_agency``), else
    whether ``user`` may view more than one agency (no query once the request read its agencies).
    """
    return only_agency is None and len(access.agency_ids_for(user, access.VIEW)) > 1


#: What ``form_saved`` returns when nothing was saved.
NOT_SAVED = object()


def form_saved(request, form, save):
    """Run ``save(form.cleaned_data)`` when ``request`` is a POST and ``form`` is valid: its result.

    ``NOT_SAVED`` when the request is not a POST, the form is not valid, or ``save`` raised a service's
    ``ValidationError`` (put onto the form: per field when it names one, else on top), so the view renders
    the form again with its errors. Any other error propagates.
    """
    if request.method != "POST" or not form.is_valid():
        return NOT_SAVED
    try:
        return save(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return NOT_SAVED
