"""Outreach pages: list, log, detail, edit. Thin: forms validate, services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from community.outreach import selectors, services
from community.outreach.forms import OutreachEventForm
from community.outreach.models import OutreachEvent
from compliance.core import access
from compliance.core.pages import change_agencies_or_403, initial_agency, paginate, require_change, several_agencies


def _event_or_404(request, public_id) -> OutreachEvent:
    return access.get_scoped_or_404(
        OutreachEvent.objects.select_related("agency"), request.user, access.VIEW, public_id=public_id
    )


@login_required
def outreach_list(request):
    events_qs, only_agency = access.narrow_to_requested_agency(selectors.outreach_events_for(request.user), request)
    page = paginate(request, events_qs)
    events = list(page.object_list)
    context = {
        "page_obj": page,
        "events": events,
        "only_agency": only_agency,
        "query_string": f"agency={only_agency.public_id}" if only_agency else "",
        "several_agencies": several_agencies(request.user, only_agency),
        "can_create": access.agencies_for(request.user, access.CHANGE).exists(),
    }
    return render(request, "community/outreach_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def outreach_create(request):
    agencies = change_agencies_or_403(request.user)
    form = OutreachEventForm(
        request.POST or None, agencies=agencies, initial={"agency": initial_agency(request.user, agencies)}
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "agency"}
        event = services.outreach_event_create(agency=form.selected_agency(), actor=request.user, **fields)
        messages.success(request, "Outreach event logged.")
        return redirect("community:outreach_detail", public_id=event.public_id)
    return render(request, "community/outreach_form.html", {"form": form, "event": None})


@login_required
def outreach_detail(request, public_id):
    event = _event_or_404(request, public_id)
    context = {"event": event, "can_change": access.can(request.user, access.CHANGE, event.agency)}
    return render(request, "community/outreach_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def outreach_edit(request, public_id):
    event = _event_or_404(request, public_id)
    require_change(request.user, event.agency)
    if request.method == "POST":
        form = OutreachEventForm(request.POST, agencies=[event.agency], agency=event.agency)
        if form.is_valid():
            services.outreach_event_update(event=event, actor=request.user, **form.cleaned_data)
            messages.success(request, "Outreach event updated.")
            return redirect("community:outreach_detail", public_id=event.public_id)
    else:
        initial = {name: getattr(event, name) for name in services.OUTREACH_FIELDS}
        form = OutreachEventForm(initial=initial, agencies=[event.agency], agency=event.agency)
    return render(request, "community/outreach_form.html", {"form": form, "event": event})
