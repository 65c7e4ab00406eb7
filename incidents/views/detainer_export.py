"""The detainer log export (CSV streamed, XLSX): thin view over ``incidents.detainer_export``.

Who: ``export_reports`` in the agency (an object permission; a model-wide one
given by mistake counts for nothing, case A1). No agency to export from, or
``?agency=`` naming another agency (or a malformed id): 404, as the roster
export. Every export writes one access-log row (EXPORT, with the row count)
before the first byte is sent: it is personal data.
"""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from compliance.core import access
from compliance.core.models import AccessLog, access_log_per_agency
from compliance.core.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from incidents.detainer_export import detainer_csv_chunks, detainer_xlsx_write
from incidents.detainer_export_forms import XLSX, DetainerExportForm
from incidents.detainer_log_rows import detainer_log_entries, detainer_log_queryset


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
