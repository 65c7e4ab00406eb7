"""The roster page a supervisor works from, its bulk actions and its exports. Thin views.

Who: ``view_records`` reads the roster; bulk "assign a supervisor" needs
``change_records``; bulk suspend/reinstate needs ``review_records``; the CSV
and XLSX exports need ``export_reports`` and are access-logged. Another
agency's roster, or an officer of another agency in a bulk action, is 404.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from compliance.core import access
from compliance.core.models import AccessLog, access_log_record
from compliance.core.pages import agency_or_404, paginate
from compliance.core.private_search import private_search_get, private_search_store
from compliance.core.reauthentication import recently_authenticated_required
from compliance.core.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from compliance.core.throttle import EXPORT, SEARCH, rate_limited
from training.roster import rules, selectors
from training.roster.authorization import authorization_today
from training.roster.bulk import BulkActionRefused, officers_assign_supervisor, officers_set_status
from training.roster.export import ExportRow, roster_csv, roster_xlsx
from training.roster.forms import BulkActionForm, RosterFilterForm, RosterSearchForm
from training.roster.models import Course, Officer

PAGE_SIZE = 50
#: ``compliance.core.private_search`` kind of the roster's name/badge search.
SEARCH_KIND = "roster"
BULK_ACTION_LABELS = {
    BulkActionForm.ASSIGN_SUPERVISOR: "Assign a supervisor",
    BulkActionForm.SUSPEND: "Suspend",
    BulkActionForm.REINSTATE: "Reinstate (designated again)",
}
BULK_STATUS = {BulkActionForm.SUSPEND: Officer.Status.SUSPENDED, BulkActionForm.REINSTATE: Officer.Status.DESIGNATED}


class _RosterQuery:
    """The roster page's filters read from the query string, shared by the page and its exports."""

    def __init__(self, request, agency):
        # The name/badge search: typed in a POST form, kept in the session, named by ``?search=`` (F6).
        self.agency = agency
        self.today = rules.agency_today(agency)
        self.supervisor_queryset = selectors.supervisor_choices(agencies=[agency])
        self.supervisors = list(self.supervisor_queryset)
        self.courses = list(Course.objects.filter(agency=agency).order_by("code"))
        self.form = RosterFilterForm(request.GET, supervisors=self.supervisors, courses=self.courses)
        self.filters = dict(self.form.cleaned_data) if self.form.is_valid() else {}
        self.search_text = private_search_get(request.session, SEARCH_KIND, self.filters.get("search", ""))
        if not self.search_text:
            self.filters.pop("search", None)  # unknown or expired: the links no longer carry it
        course_id = self.filters.get("course")
        self.course = next((c for c in self.courses if str(c.public_id) == course_id), None)

    def officers(self):
        filters = self.filters
        return selectors.roster_officers(
            agency=self.agency,
            today=self.today,
            status=filters.get("status", ""),
            officer_status=filters.get("officer_status", ""),
            search=self.search_text or "",
            model=filters.get("model", ""),
            supervisor_id=filters.get("supervisor") or None,
            course=self.course,
            sort=filters.get("sort") or "name",
            authorized=filters.get("authorized", ""),
        )

    def query_string(self, **extra) -> str:
        kept = {key: value for key, value in self.filters.items() if value}
        kept.update(extra)
        kept = {key: value for key, value in kept.items() if value}
        kept["agency"] = self.agency.public_id
        return urlencode(kept)


def _bulk_actions(user, agency) -> list[tuple[str, str]]:
    actions = []
    if access.can(user, access.CHANGE, agency):
        actions.append((BulkActionForm.ASSIGN_SUPERVISOR, BULK_ACTION_LABELS[BulkActionForm.ASSIGN_SUPERVISOR]))
    if access.can(user, access.REVIEW, agency):
        actions += [(key, BULK_ACTION_LABELS[key]) for key in (BulkActionForm.SUSPEND, BulkActionForm.REINSTATE)]
    return actions


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited(SEARCH, when=lambda request: "q" in request.POST)  # a search by name or badge (F11)
def roster(request):
    agency = agency_or_404(request, access.VIEW)
    query = _RosterQuery(request, agency)
    actions = _bulk_actions(request.user, agency)
    bulk_form = BulkActionForm(
        (request.POST if "q" not in request.POST else None) or None,
        prefix="bulk",
        supervisors=query.supervisor_queryset,
        supervisor_list=query.supervisors,
        actions=actions,
    )
    refusals = []
    search_form = RosterSearchForm(request.POST if "q" in request.POST else None)
    if search_form.is_bound:
        if search_form.is_valid():
            token = private_search_store(request.session, SEARCH_KIND, search_form.cleaned_data["q"])
            return redirect(f"{request.path}?{query.query_string(search=token)}")
    elif request.method == "POST":
        if not actions:
            raise Http404("No bulk action allowed.")
        if bulk_form.is_valid():
            try:
                changed = _run_bulk_action(request, agency, bulk_form.cleaned_data)
            except BulkActionRefused as exc:
                refusals = exc.refusals
            else:
                messages.success(request, f"Done: {changed} officer{'s' if changed != 1 else ''} changed.")
                return redirect(f"{request.path}?{query.query_string()}")

    page_obj = paginate(request, query.officers(), per_page=PAGE_SIZE)
    page_obj.object_list = list(page_obj.object_list)
    # One row for the page: the agency and how many officers it showed (SECURITY.md D3).
    access_log_record(request, action=AccessLog.Action.LIST, agency=agency, count=len(page_obj.object_list))
    # "Authorized today" and why not (training.roster.authorization): from the row itself, no query.
    for officer in page_obj.object_list:
        officer.authorization = authorization_today(officer, today=query.today)
    agencies = list(access.agencies_for(request.user, access.VIEW).order_by("state", "name"))
    current_sort = query.filters.get("sort") or "name"
    selected = {str(pk) for pk in (bulk_form.cleaned_data.get("officers", []) if bulk_form.is_bound else [])}
    context = {
        "agency": agency,
        "agencies": agencies if len(agencies) > 1 else [],
        "today": query.today,
        "form": query.form,
        "search_form": search_form,
        "search_text": query.search_text,
        "clear_search_link": "?" + query.query_string(search=""),
        "course": query.course,
        "page_obj": page_obj,
        "query_string": query.query_string(),
        "current_sort": current_sort,
        # Clicking the column sorted by now reverses it.
        "sort_links": {
            key: query.query_string(sort=f"-{key}" if current_sort == key else key) for key in selectors.ROSTER_SORTS
        },
        "counts": selectors.roster_page_status_counts(agency=agency, today=query.today),
        "can_change": access.can(request.user, access.CHANGE, agency),
        "can_export": access.can(request.user, access.EXPORT, agency),
        "bulk_form": bulk_form,
        "bulk_refusals": refusals,
        "selected": selected,
    }
    return render(request, "training/roster.html", context)


def _run_bulk_action(request, agency, data) -> int:
    """Run the chosen bulk action on the ticked officers of ``agency`` (404 if one is out of scope)."""
    action = data["action"]
    perm = access.CHANGE if action == BulkActionForm.ASSIGN_SUPERVISOR else access.REVIEW
    wanted = data["officers"]
    officers = list(
        access.scope(Officer.objects.filter(agency=agency, public_id__in=wanted), request.user, perm)
        .select_related("agency")
        .order_by("last_name", "first_name", "badge_number")
    )
    if len(officers) != len(wanted):
        raise Http404("No such officer.")
    if action == BulkActionForm.ASSIGN_SUPERVISOR:
        return officers_assign_supervisor(actor=request.user, officers=officers, supervisor=data["supervisor"])
    return officers_set_status(
        actor=request.user,
        officers=officers,
        status=BULK_STATUS[action],
        effective_on=data["effective_on"] or rules.agency_today(agency),
        note=data["note"],
    )


def _export(request, *, render_file, content_type: str, extension: str) -> HttpResponse:
    agency = agency_or_404(request, access.EXPORT)
    query = _RosterQuery(request, agency)
    rows = [ExportRow.from_officer(officer, today=query.today) for officer in query.officers()]
    access_log_record(request, action=AccessLog.Action.EXPORT, agency=agency, count=len(rows))
    response = HttpResponse(render_file(rows), content_type=content_type)
    stamp = timezone.localdate(timezone=agency.zone).isoformat()
    response["Content-Disposition"] = f'attachment; filename="roster-{stamp}.{extension}"'
    return response


@login_required
@require_GET
@recently_authenticated_required  # a bulk export of personal data: signed in or re-authenticated within 5 minutes (B5)
@rate_limited(EXPORT)
def roster_export_csv(request):
    """The roster of the current agency as CSV (SECURITY.md B5: after a recent re-authentication)."""
    return _export(request, render_file=roster_csv, content_type=CSV_CONTENT_TYPE, extension="csv")


@login_required
@require_GET
@recently_authenticated_required  # a bulk export of personal data: signed in or re-authenticated within 5 minutes (B5)
@rate_limited(EXPORT)
def roster_export_xlsx(request):
    """The roster of the current agency as XLSX (SECURITY.md B5: after a recent re-authentication)."""
    return _export(request, render_file=roster_xlsx, content_type=XLSX_CONTENT_TYPE, extension="xlsx")
