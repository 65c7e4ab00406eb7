"""The detainer log: the page's context (scope, filters, keyset page, links) and the CSV/XLSX export view.

``detainer_log_context`` is rendered by ``incidents.detainers.views.detainer_list``;
``detainer_export`` needs ``export_reports`` and is access-logged per agency.
"""

from __future__ import annotations

import dataclasses
import tempfile
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from compliance.core import access
from compliance.core.models import AccessLog, access_log_per_agency
from compliance.core.private_search import private_search_get, private_search_store
from compliance.core.reauthentication import recently_authenticated_required
from compliance.core.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from compliance.core.throttle import EXPORT, rate_limited
from incidents.detainer_log import paging as detainer_log
from incidents.detainer_log.export import detainer_csv_chunks, detainer_xlsx_write
from incidents.detainer_log.forms import (
    XLSX,
    DetainerExportForm,
    DetainerLogFilterForm,
    NumberSearchForm,
    SubjectNameSearchForm,
    number_filters,
)
from incidents.detainer_log.name_search import name_search_keys, name_search_store
from incidents.detainer_log.rows import detainer_log_entries, detainer_log_queryset
from incidents.detainers.models import Detainer

#: The page kind of the booking/A-number look-up in ``compliance.core.private_search``.
NUMBER_SEARCH = "detainer_log_number"


def _link(params: dict[str, str], cursor: detainer_log.Cursor | None) -> str:
    query = dict(params)
    if cursor is not None:
        query["cursor"] = detainer_log.cursor_encode(cursor)
    return "?" + urlencode(query) if query else "?"


def name_search_submit(request) -> tuple[str | None, SubjectNameSearchForm | NumberSearchForm]:
    """Handle one of the log's look-ups (POST): the URL to redirect to (None when invalid) and the bound form.

    A POST with ``booking_or_a_number`` is the number look-up, any other the name look-up. The name's
    keys or the number are kept in the session (``incidents.detainer_log.name_search``); the URL carries
    the page's other filters and the look-up's token (``name=`` or ``number=``), never the name or the
    number (SECURITY.md F6). An invalid form is shown again with its errors by ``detainer_log_context``.
    """
    if "booking_or_a_number" in request.POST:
        form, param = NumberSearchForm(request.POST), "number"
    else:
        form, param = SubjectNameSearchForm(request.POST), "name"
    if not form.is_valid():
        return None, form
    if param == "number":
        token = private_search_store(request.session, NUMBER_SEARCH, form.cleaned_data["booking_or_a_number"])
    else:
        token = name_search_store(
            request.session,
            last_name=form.cleaned_data["subject_last_name"],
            first_name=form.cleaned_data["subject_first_name"],
        )
    params = {key: value for key, value in request.GET.items() if key not in ("cursor", param)}
    return f"{request.path}?{urlencode({**params, param: token})}", form


def detainer_log_context(request, *, name_form: SubjectNameSearchForm | NumberSearchForm | None = None) -> dict:
    """Template context of one log page for ``request.user``.

    Scope: ``compliance.core.access.agencies_for`` (view_records), narrowed by ``?agency=``
    (``access.narrow_to_requested_agency``: another agency or a malformed id → 404).
    Filters: ``DetainerLogFilterForm`` on the query string (errors shown next to the
    field; a bad field is ignored); ``?name=`` is the token of a name look-up kept in the
    session (unknown or expired: ignored, and the page says so). Page: ``?cursor=``
    (``detainer_log.cursor_decode``: a bad or stale cursor gives the first page). Queries:
    one for the agencies, four for the page (``detainer_log.detainer_log_page``), whatever
    the size of the log. ``name_form``: the name look-up form with its errors (an invalid POST).
    """
    _, only_agency = access.narrow_to_requested_agency(Detainer.objects.none(), request)
    agencies = [only_agency] if only_agency else list(access.agencies_for(request.user, access.VIEW).order_by("pk"))
    form = DetainerLogFilterForm(request.GET)
    form.is_valid()  # errors are shown next to the fields; the valid filters still apply
    filters = form.filters()
    token = form.cleaned_data.get("name") or ""
    name_keys = name_search_keys(request.session, token) if token else None
    if name_keys:
        filters = dataclasses.replace(filters, last_name_key=name_keys[0], first_name_key=name_keys[1])
    elif token:
        del form.cleaned_data["name"]  # expired: the links no longer carry it
    number_token = form.cleaned_data.get("number") or ""
    number = private_search_get(request.session, NUMBER_SEARCH, number_token)
    if number:
        filters = dataclasses.replace(filters, **number_filters(number))
    elif number_token:
        del form.cleaned_data["number"]
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
    clear_name_link = _link({key: value for key, value in params.items() if key != "name"}, None)
    clear_number_link = _link({key: value for key, value in params.items() if key != "number"}, None)
    return {
        "detainers": page.rows,
        "page": page,
        "links": links,
        "show_pagination": any(links.values()),
        "form": form,
        "name_form": name_form if isinstance(name_form, SubjectNameSearchForm) else SubjectNameSearchForm(),
        "number_form": name_form if isinstance(name_form, NumberSearchForm) else NumberSearchForm(),
        "number_search": bool(number),
        "clear_number_link": clear_number_link,
        "number_search_expired": bool(number_token) and not number,
        "name_search": bool(name_keys),
        "clear_name_link": clear_name_link,
        "name_search_expired": bool(token) and not name_keys,
        "filtered": filters.narrowed,
        "count_cap": detainer_log.COUNT_CAP,
        "now": timezone.now(),
        "several_agencies": len(agencies) > 1,
        # Several agencies: each detainer's dates are read in its own agency's zone (the page says so).
        "zone_note": len(agencies) > 1 and bool(filters.received_from or filters.received_to),
        "only_agency": only_agency,
    }


def _export_agencies(request) -> list:
    """Agencies the export covers: ``?agency=`` if the user may export there, else all they may (404 if none)."""
    allowed = list(access.agencies_for(request.user, access.EXPORT).order_by("state", "name"))
    wanted = request.GET.get("agency")
    if wanted:
        allowed = [agency for agency in allowed if str(agency.public_id) == wanted]
    if not allowed:
        raise Http404("No agency to export from.")
    return allowed


@login_required
@require_GET
@recently_authenticated_required  # a bulk export of personal data: signed in or re-authenticated within 5 minutes (B5)
@rate_limited(EXPORT)
def detainer_export(request):
    """The detainer log of the user's export agencies as CSV (streamed) or XLSX, filtered by the query string."""
    agencies = _export_agencies(request)
    form = DetainerExportForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in form.errors.items())
        return HttpResponseBadRequest(f"Check the export filters. {errors}", content_type="text/plain; charset=utf-8")
    filters = form.cleaned_data
    queryset = detainer_log_queryset(
        agencies=agencies,
        received_from=filters["received_from"],
        received_to=filters["received_to"],
        outcome=filters["outcome"],
    )
    only = agencies[0] if len(agencies) == 1 else None
    # One row per agency exported (its count), so each agency's auditors see the export (SECURITY.md D3).
    per_agency = dict(queryset.order_by().values_list("agency").annotate(n=Count("pk")))
    access_log_per_agency(
        request,
        action=AccessLog.Action.EXPORT,
        counts={agency: per_agency.get(agency.pk, 0) for agency in agencies},
        empty_agency=only,
    )
    entries = detainer_log_entries(queryset, at=timezone.now())
    stamp = timezone.localdate(timezone=agencies[0].zone).isoformat()
    name = f"detainer-log-{only.state}-{stamp}" if only else f"detainer-log-{stamp}"
    if filters["format"] == XLSX:
        # A workbook is a zip: written to a temporary file first, then sent from it (closed by FileResponse).
        target = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it once sent
        detainer_xlsx_write(entries, target)
        target.seek(0)
        response = FileResponse(target, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX_CONTENT_TYPE)
    else:
        response = StreamingHttpResponse(detainer_csv_chunks(entries), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
