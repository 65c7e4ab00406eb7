"""Incident and complaint pages: the supervisor's queue, logging a case, editing its details (case page elsewhere).

These pages hold no detainee personal data (a linked detainer is shown as a link only)
and no complainant contact (``incidents.complaints``, shown on the case page only). The
queue writes one access-log row per agency whose cases it showed (SECURITY.md D3); the
forms are not access-logged.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from compliance.core import access, keyset
from compliance.core.models import AccessLog, access_log_per_agency
from compliance.core.pages import change_agencies_or_403, initial_agency, require_change
from incidents.incident_log import selectors, services
from incidents.incident_log.forms import IncidentForm, IncidentQueueFilterForm
from incidents.incident_log.models import Incident
from incidents.incident_log.selectors import incident_or_404
from training.roster.models import Officer


def _incident_or_404(request, public_id) -> Incident:
    return incident_or_404(request.user, public_id)


@login_required
def incident_list(request):
    """The supervisor's queue ("Incidents and complaints"): every case of the user's agencies, newest received first.

    Filters in the query string (``IncidentQueueFilterForm``): ``status`` (a stage or ``open``), ``kind``,
    ``source``, ``officer`` (a roster officer's public id, never a name: SECURITY.md F6), ``overdue``
    (past the investigation target or the ICE referral deadline, ``selectors`` docstring), ``mine``
    (assigned to me); ``?agency=`` narrows to one agency. Pages: keyset (``?cursor=``,
    ``compliance.core.keyset``, order ``selectors.QUEUE_ORDER``; a bad cursor gives the first page), first /
    previous / next / last with the filters kept; the count is capped at ``keyset.COUNT_CAP``. A bad filter
    value is ignored, never a 500. A fixed number of queries at any size; one access-log row per agency shown.
    """
    now = timezone.now()
    officers = access.scope(Officer.objects.all(), request.user, access.VIEW).order_by(
        "last_name", "first_name", "badge_number", "pk"
    )
    form = IncidentQueueFilterForm(
        request.GET, officers=officers.only("public_id", "last_name", "first_name", "badge_number")
    )
    form.is_valid()
    filters = form.filters()
    agency_ids = sorted(access.agency_ids_for(request.user, access.VIEW))
    deadlines = selectors.case_deadlines_for(agency_ids)
    incidents, only_agency = access.narrow_to_requested_agency(
        selectors.queue_for(request.user, filters, agency_ids=agency_ids, deadlines=deadlines, now=now), request
    )
    cursor = keyset.cursor_decode(request.GET.get("cursor"), salt=selectors.QUEUE_CURSOR_SALT)
    page = keyset.keyset_page(
        [keyset.Segment(incidents, selectors.QUEUE_ORDER)], cursor, size=selectors.QUEUE_PAGE_SIZE
    )
    rows = selectors.queue_rows(page.rows, deadlines=deadlines, now=now)
    # One row per agency whose incidents the page showed, with its count (SECURITY.md D3).
    access_log_per_agency(
        request,
        action=AccessLog.Action.LIST,
        counts=Counter(row.incident.agency for row in rows),
        empty_agency=only_agency,
    )
    kept = form.query()
    if only_agency:
        kept["agency"] = str(only_agency.public_id)
    context = {
        "page": page,
        "links": keyset.page_links(page, kept, salt=selectors.QUEUE_CURSOR_SALT),
        "pages_label": "Pages of the cases",
        "count": keyset.count_capped(incidents),
        "count_cap": keyset.COUNT_CAP,
        "rows": rows,
        "incidents": [row.incident for row in rows],
        "form": form,
        "filtered": bool(form.query()),
        "only_agency": only_agency,
        "several_agencies": only_agency is None and len(agency_ids) > 1,
        "can_create": access.holds_anywhere(request.user, access.CHANGE),
    }
    return render(request, "incidents/incident_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def incident_create(request):
    agencies = change_agencies_or_403(request.user)
    form = IncidentForm(
        request.POST or None, agencies=agencies, initial={"agency": initial_agency(request.user, agencies)}
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "agency"}
        incident = services.incident_create(agency=form.selected_agency(), actor=request.user, **fields)
        messages.success(request, "Incident logged.")
        return redirect("incidents:incident_detail", public_id=incident.public_id)
    return render(request, "incidents/incident_form.html", {"form": form, "incident": None})


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request, public_id):
    incident = _incident_or_404(request, public_id)
    require_change(request.user, incident.agency)
    # The stored values on POST too: a time saved unchanged keeps its seconds (case H2).
    initial = {name: getattr(incident, name) for name in services.INCIDENT_FIELDS}
    if request.method == "POST":
        form = IncidentForm(request.POST, initial=initial, agencies=[incident.agency], agency=incident.agency)
        if form.is_valid():
            services.incident_update(incident=incident, actor=request.user, **form.cleaned_data)
            messages.success(request, "Incident updated.")
            return redirect("incidents:incident_detail", public_id=incident.public_id)
    else:
        form = IncidentForm(initial=initial, agencies=[incident.agency], agency=incident.agency)
    return render(request, "incidents/incident_form.html", {"form": form, "incident": incident})
