"""Context of the detainer log page (``incidents:detainer_list``): scope, filters, keyset page, links."""

from __future__ import annotations

from urllib.parse import urlencode

from django.utils import timezone

from compliance.core import access
from incidents import detainer_log
from incidents.forms_detainer_log import DetainerLogFilterForm
from incidents.models import Detainer


def _link(params: dict[str, str], cursor: detainer_log.Cursor | None) -> str:
    query = dict(params)
    if cursor is not None:
        query["cursor"] = detainer_log.cursor_encode(cursor)
    return "?" + urlencode(query) if query else "?"


def detainer_log_context(request) -> dict:
    """Template context of one log page for ``request.user``.

    Scope: ``compliance.core.access.agencies_for`` (view_records), narrowed by ``?agency=``
    (``access.narrow_to_requested_agency``: another agency or a malformed id → 404).
    Filters: ``DetainerLogFilterForm`` on the query string (errors shown next to the
    field; a bad field is ignored). Page: ``?cursor=`` (``detainer_log.cursor_decode``:
    a bad or stale cursor gives the first page). Queries: one for the agencies, four
    for the page (``detainer_log.detainer_log_page``), whatever the size of the log.
    """
    _, only_agency = access.narrow_to_requested_agency(Detainer.objects.none(), request)
    agencies = [only_agency] if only_agency else list(access.agencies_for(request.user, access.VIEW).order_by("pk"))
    form = DetainerLogFilterForm(request.GET)
    form.is_valid()  # errors are shown next to the fields; the valid filters still apply
    filters = form.filters()
    cursor = detainer_log.cursor_decode(request.GET.get("cursor"))
    page = detainer_log.detainer_log_page(agencies=agencies, filters=filters, cursor=cursor)
    by_id = {agency.pk: agency for agency in agencies}
    for row in page.rows:
        row.agency = by_id[row.agency_id]  # no join: the agencies are already loaded
    params = form.query()
    if only_agency:
        params = {"agency": str(only_agency.public_id), **params}
    links = {
        "newest": _link(params, None) if page.has_newer else None,
        "newer": _link(params, page.newer) if page.newer else None,
        "older": _link(params, page.older) if page.older else None,
        "oldest": _link(params, detainer_log.Cursor(detainer_log.LAST)) if page.has_older else None,
    }
    return {
        "detainers": page.rows,
        "page": page,
        "links": links,
        "show_pagination": any(links.values()),
        "form": form,
        "filtered": filters.narrowed,
        "count_cap": detainer_log.COUNT_CAP,
        "now": timezone.now(),
        "several_agencies": len(agencies) > 1,
        # Several agencies: each detainer's dates are read in its own agency's zone (the page says so).
        "zone_note": len(agencies) > 1 and bool(filters.received_from or filters.received_to),
        "only_agency": only_agency,
    }
