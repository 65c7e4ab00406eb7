"""The records request (issue #14 item 6): ask by A-number or booking number, download the PDF and its JSON once.

Who: anyone holding ``export_reports`` somewhere (auditors, supervisors, administrators), like every report. The
number travels by POST only (SECURITY.md F6) and is never stored or logged: the access log gets one "exported" row
per detainer found (its id), and a failed look-up one failed "searched" row. Both files of a records request are for
the person who asked, and each is given out once (the access log is the ledger: a second download is refused with a
message); every download is access-logged and ``no-store``.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods
from pypdf import PdfReader

from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.models import AccessLog, Report, access_log_event, access_log_record
from compliance.core.reauthentication import recently_authenticated_required
from compliance.core.throttle import EXPORT, SEARCH, rate_limited, throttle_remaining
from compliance.reports.forms import RecordsRequestForm
from compliance.reports.records_request import JSON_NAME
from compliance.reports.services import ERR_NO_SUBJECT, NO_RECORDS, report_requested_notice
from compliance.reports.services import records_request as records_request_service

#: The download pages of a records request's two files (URL names): each gives its file out once.
PDF_VIEW, JSON_VIEW = "reports:download", "reports:download_json"
MSG_TAKEN = (
    "This records request's {what} was already downloaded: its files are given out once. "
    "Request the records again for another copy."
)
MSG_REQUESTED = "Records request made: {reports} report{plural} ({detainers} detainer{dplural} found). {notice}"


@login_required
@require_http_methods(["GET", "POST"])
@recently_authenticated_required(allow_get=True)  # everything held about a person: within 5 minutes (B5)
@rate_limited(SEARCH, when=lambda request: request.method == "POST")  # each look-up, found or not (F11)
@rate_limited(
    EXPORT,
    when=lambda request: request.method == "POST",
    accepted=lambda _request, response: response.status_code == 302,
)
def records_request(request):
    """Ask for everything held about one subject: a "records request" report per agency holding their records.

    For users holding ``export_reports`` in some agency (else 404). A POST with the subject's number requests the
    reports (``services.records_request``) and goes to the reports page. Nothing found is an answer, not a mistake:
    the page says so plainly (``no_records``, the form kept, no error summary); a blank number or a bad reference
    gives the form back with the reason next to the field.
    """
    if not access.holds_anywhere(request.user, access.EXPORT):
        raise Http404("No agency whose records you may export.")
    form = RecordsRequestForm(request.POST or None)
    no_records = False
    if request.method == "POST" and form.is_valid():
        try:
            reports, detainers = records_request_service(
                actor=request.user, number=form.cleaned_data["number"], reference=form.cleaned_data["reference"]
            )
        except ValidationError as error:
            codes = {item.code for items in getattr(error, "error_dict", {}).values() for item in items}
            if codes == {NO_RECORDS}:
                no_records = True
            else:
                add_service_errors(form, error)
            access_log_event(request, action=AccessLog.Action.SEARCH, outcome=AccessLog.Outcome.FAILURE)
        else:
            # Who asked for which records: one row per detainer (its id, never the number typed).
            for detainer in detainers:
                access_log_record(request, action=AccessLog.Action.EXPORT, record=detainer)
            notices = [report_requested_notice(report) for report in reports]
            handed = all(ok for ok, _notice in notices)
            (messages.success if handed else messages.warning)(
                request,
                MSG_REQUESTED.format(
                    reports=len(reports),
                    plural="s" if len(reports) != 1 else "",
                    detainers=len(detainers),
                    dplural="s" if len(detainers) != 1 else "",
                    notice=notices[-1][1],
                ),
            )
            return redirect("reports:list")
    remaining, limit = throttle_remaining(request.user, EXPORT)
    return render(
        request,
        "compliance/records_request.html",
        {
            "form": form,
            "exports_remaining": remaining,
            "export_limit": limit,
            "no_records": no_records,
            "no_records_message": ERR_NO_SUBJECT,
            "agencies": access.agencies_for(request.user, access.EXPORT) if no_records else [],
        },
    )


def records_taken(report_ids, view_name: str) -> set[int]:
    """The ids among ``report_ids`` whose file at ``view_name`` was already downloaded (one query)."""
    return set(
        AccessLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Report),
            object_id__in=list(report_ids),
            action=AccessLog.Action.EXPORT,
            outcome=AccessLog.Outcome.SUCCESS,
            view_name=view_name,
        ).values_list("object_id", flat=True)
    )


def records_file_response(request, report: Report, *, as_json: bool):
    """A records request's PDF or JSON for the person who asked, once; else a message on the reports page.

    Args:
        request: the download request (its view name keys the "once": ``PDF_VIEW`` or ``JSON_VIEW``).
        report: a ready "records request" ``Report`` the user may export (the caller checked the agency).
        as_json: the machine-readable copy (embedded in the PDF as ``JSON_NAME``) instead of the PDF.

    Raises:
        Http404: the user is not the one who asked.
    """
    if report.requested_by_id != request.user.pk:
        raise Http404("A records request's files are for the person who asked.")
    view_name = JSON_VIEW if as_json else PDF_VIEW
    with transaction.atomic():
        # One download at a time per report: the second, even at the same instant, finds the first's row.
        Report.objects.select_for_update().filter(pk=report.pk).first()
        if records_taken([report.pk], view_name):
            messages.error(request, MSG_TAKEN.format(what="JSON file" if as_json else "PDF"))
            return redirect("reports:list")
        access_log_record(request, action=AccessLog.Action.EXPORT, record=report)
    with report.file.open("rb") as stored:
        content = stored.read()
    stem = f"records-request-{report.agency.state}-{report.as_of.isoformat()}"
    reference = slugify(report.parameters.get("reference", ""))
    if reference:  # which file answers which request, also once saved
        stem = f"{stem}-{reference}"
    if as_json:
        content = PdfReader(io.BytesIO(content)).attachments[JSON_NAME][0]
        response = HttpResponse(content, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
    else:
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@recently_authenticated_required  # everything held about a person: signed in or re-authenticated within 5 minutes
def records_download_json(request, public_id):
    """The machine-readable copy of a ready records request, once, for the person who asked (else 404)."""
    report = access.get_scoped_or_404(
        Report.objects.select_related("agency"),
        request.user,
        access.EXPORT,
        public_id=public_id,
        kind=Report.Kind.RECORDS_REQUEST,
    )
    if report.status != Report.Status.READY or not report.file:
        raise Http404("The report is not ready.")
    return records_file_response(request, report, as_json=True)
