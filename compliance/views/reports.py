"""Reports page: list, request, download, verify a file. Every lookup goes through compliance.core.access."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.models import AccessLog, Report, access_log_event, access_log_record
from compliance.core.pages import paginate
from compliance.core.reauthentication import recently_authenticated_required
from compliance.core.sessions import passive_request
from compliance.core.throttle import EXPORT, SEARCH, rate_limited, throttle_remaining
from compliance.reports.forms import ReportRequestForm, ReportVerifyForm
from compliance.reports.periods import PERIOD_DAYS
from compliance.reports.services import report_request as report_request_service
from compliance.reports.services import report_requested_notice
from compliance.reports.services import report_retry as report_retry_service
from compliance.reports.verify import file_sha256, reports_with_digest
from compliance.views.records_request import JSON_VIEW, PDF_VIEW, records_file_response, records_taken

PAGE_SIZE = 25


#: How often the reports page asks for its rows while one of the viewer's reports is unfinished (htmx, seconds).
POLL_SECONDS = 5


@login_required
def report_list(request):
    """Reports of every agency the user may view, newest first: status, progress, failure reason, SHA-256.

    While one of the viewer's own reports on the page is unfinished the table refreshes itself from
    ``report_status`` every ``POLL_SECONDS``; the query count does not grow with the rows.
    """
    return render(request, "compliance/report_list.html", _report_table_context(request))


@passive_request
@login_required
@never_cache
def report_status(request):
    """The reports table alone (same ``?page=``), for the reports page's self-refresh by htmx polling.

    A passive request (``compliance.core.sessions.passive_request``): a page left open does not keep its
    session alive. The table comes back without its polling trigger once none of the viewer's reports on
    the page is queued or rendering, so the page stops asking.
    """
    return render(request, "compliance/_report_table.html", _report_table_context(request))


def _report_table_context(request) -> dict:
    """The page of reports for ``request`` (scope, ``?page=``) and whether the table should keep polling."""
    reports = (
        access.scope(Report.objects.all(), request.user, access.VIEW)
        .select_related("agency", "requested_by")
        # A failed report tried again shows its newer request instead of a second "Try again".
        .annotate(
            retried_at=Subquery(
                Report.objects.filter(retry_of=OuterRef("pk")).order_by("created_at").values("created_at")[:1]
            )
        )
        .order_by("-created_at", "-pk")
    )
    page = paginate(request, reports, per_page=PAGE_SIZE)
    export_ids = set(access.agency_ids_for(request.user, access.EXPORT))
    # A records request's two files: for the person who asked, each once (one query for the page's rows).
    own_records = [
        report.pk
        for report in page
        if report.kind == Report.Kind.RECORDS_REQUEST and report.requested_by_id == request.user.pk
    ]
    taken = {view: records_taken(own_records, view) if own_records else set() for view in (PDF_VIEW, JSON_VIEW)}
    for report in page:
        report.records_request = report.kind == Report.Kind.RECORDS_REQUEST
        report.own_records = report.pk in own_records
        report.pdf_taken, report.json_taken = report.pk in taken[PDF_VIEW], report.pk in taken[JSON_VIEW]
    # Only the viewer's own unfinished reports keep the page polling (not every report in scope).
    pending = any(report.unfinished and report.requested_by_id == request.user.pk for report in page)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page_obj": page,
        "export_ids": export_ids,
        "can_request": bool(export_ids),
        "pending": pending,
        "poll_seconds": POLL_SECONDS,
        "status_query": request.GET.urlencode(),
        "query_string": query.urlencode(),
    }


@login_required
@require_POST
@recently_authenticated_required  # asking for a report of personal data: within 5 minutes (B5)
@rate_limited(EXPORT)  # a PDF of many records (F11)
def report_retry(request, public_id):
    """ "Try again" on a failed report: request the same kind, agency, period, as-of, basis and parameters.

    Users holding ``export_reports`` in the report's agency (else 404); a report that did not fail, or whose
    dates are no longer valid, gives a message on the reports page instead.
    """
    report = access.get_scoped_or_404(
        Report.objects.select_related("agency"), request.user, access.EXPORT, public_id=public_id
    )
    try:
        again = report_retry_service(actor=request.user, report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:list")
    handed, notice = report_requested_notice(again)
    (messages.success if handed else messages.warning)(request, notice)
    return redirect("reports:list")


@login_required
@require_http_methods(["GET", "POST"])
@recently_authenticated_required(allow_get=True)  # asking for a report of personal data: within 5 minutes (B5)
# A PDF of many records (F11): only accepted requests count (they redirect); a form sent back with errors does not.
@rate_limited(
    EXPORT,
    when=lambda request: request.method == "POST",
    accepted=lambda _request, response: response.status_code == 302,
)
def report_request(request):
    """Ask for a report of an agency where the user holds ``export_reports``.

    The page says how many reports the user may still request this hour (``throttle_remaining``: the export
    limit, SECURITY.md F11).
    """
    if not access.holds_anywhere(request.user, access.EXPORT):
        raise Http404("No agency to report on.")
    if request.method == "POST":
        form = ReportRequestForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                report = report_request_service(actor=request.user, **form.request_arguments())
            except ValidationError as error:  # the service's own checks (e.g. the day turned meanwhile)
                add_service_errors(form, error)
            else:
                handed, notice = report_requested_notice(report)  # the broker may be down: queued all the same
                (messages.success if handed else messages.warning)(request, notice)
                return redirect("reports:list")
    else:
        agency = access.current_agency(request, access.EXPORT)
        today = timezone.localdate(timezone=agency.zone)
        form = ReportRequestForm(
            user=request.user,
            initial={
                "agency": agency,
                "kind": Report.Kind.TRAINING_ROSTER,
                "period_start": today - timedelta(days=PERIOD_DAYS - 1),
                "as_of": today,
                "basis": "",
            },
        )
    remaining, limit = throttle_remaining(request.user, EXPORT)
    return render(
        request, "compliance/report_request.html", {"form": form, "exports_remaining": remaining, "export_limit": limit}
    )


@login_required
@recently_authenticated_required  # a report of personal data: signed in or re-authenticated within 5 minutes (B5)
def report_download(request, public_id):
    """The stored PDF, for users holding ``export_reports`` in the report's agency (else 404)."""
    report = access.get_scoped_or_404(
        Report.objects.select_related("agency"), request.user, access.EXPORT, public_id=public_id
    )
    if report.status != Report.Status.READY or not report.file:
        raise Http404("The report is not ready.")
    if report.kind == Report.Kind.RECORDS_REQUEST:  # for the person who asked, once (compliance.views.records_request)
        return records_file_response(request, report, as_json=False)
    access_log_record(request, action=AccessLog.Action.EXPORT, record=report)
    filename = f"{report.kind.replace('_', '-')}-{report.agency.state}-{report.as_of.isoformat()}.pdf"
    response = FileResponse(report.file.open("rb"), as_attachment=True, filename=filename)
    response["Content-Type"] = "application/pdf"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited(SEARCH, when=lambda request: request.method == "POST")  # a look-up; each upload is hashed in full
def report_verify(request):
    """Upload a PDF and learn whether it is a report we issued (of an agency the reader may view), and to whom.

    For users holding ``export_reports`` in some agency (auditors, supervisors, administrators: those who hand
    reports out and are asked about them); others get 404, as the request page. A match lists every request
    that produced these bytes. Each verification is access-logged (a search): with the first matching report
    and the number of matches, or, with none, as a failed search of the reader's home agency. The file is
    hashed and not kept.
    """
    if not access.holds_anywhere(request.user, access.EXPORT):
        raise Http404("No agency whose reports you hand out.")
    matches, digest, filename = None, "", ""
    if request.method == "POST":
        form = ReportVerifyForm(request.POST, request.FILES)
        if form.is_valid():
            # Named on the result (the file field is empty again), never logged.
            filename = (form.cleaned_data["file"].name or "")[:200]
            digest = file_sha256(form.cleaned_data["file"])
            matches = list(reports_with_digest(user=request.user, sha256=digest))
            if matches:
                access_log_record(request, action=AccessLog.Action.SEARCH, record=matches[0], count=len(matches))
            else:
                access_log_event(request, action=AccessLog.Action.SEARCH, outcome=AccessLog.Outcome.FAILURE)
    else:
        form = ReportVerifyForm()
    return render(
        request,
        "compliance/report_verify.html",
        {
            "form": form,
            "matches": matches,
            "digest": digest,
            "filename": filename,
            "report": matches[0] if matches else None,
        },
    )
