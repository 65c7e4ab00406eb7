"""Incident and complaint pages: the list, logging a case, editing its details (case page: ``case_review``).

Incidents hold no detainee personal data on these pages (a linked detainer is
shown as a link only), so they are not access-logged.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from compliance.core import access
from compliance.core.models import AccessLog, access_log_per_agency
from compliance.core.pages import change_agencies_or_403, initial_agency, paginate, require_change, several_agencies
from incidents.incident_log import selectors, services
from incidents.incident_log.forms import IncidentForm
from incidents.incident_log.models import Incident
from incidents.incident_log.selectors import incident_or_404


def _incident_or_404(request, public_id) -> Incident:
    return incident_or_404(request.user, public_id)


@login_required
def incident_list(request):
    """Incidents newest first; ``?status=open|under_review|closed`` filters."""
    status = request.GET.get("status", "")
    if status not in Incident.Status.values:
        status = ""
    incidents, only_agency = access.narrow_to_requested_agency(
        selectors.incidents_for(request.user, status=status or None), request
    )
    page = paginate(request, incidents)
    shown = list(page.object_list)
    # One row per agency whose incidents the page showed, with its count (SECURITY.md D3).
    counts: dict = {}
    for incident in shown:
        counts[incident.agency] = counts.get(incident.agency, 0) + 1
    access_log_per_agency(request, action=AccessLog.Action.LIST, counts=counts, empty_agency=only_agency)
    kept = {"status": status, "agency": only_agency.public_id if only_agency else ""}
    context = {
        "page_obj": page,
        "incidents": shown,
        "status": status,
        "statuses": Incident.Status.choices,
        "query_string": urlencode({key: value for key, value in kept.items() if value}),
        "only_agency": only_agency,
        "several_agencies": several_agencies(request.user, only_agency),
        "can_create": access.agencies_for(request.user, access.CHANGE).exists(),
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
