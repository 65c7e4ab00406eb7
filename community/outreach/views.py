"""Outreach pages: list, log, detail (with participants, materials, commitments and "as of" a day), edit,
add/remove a participant, add/download a material.

Thin: forms validate, services write (participants and materials check their own permissions),
selectors read through ``compliance.core.access``. Another agency's event, participant or material
answers 404; an auditor's write answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from community.organisations.models import Contact, Organisation
from community.organisations.selectors import organisation_choices_for
from community.outreach import selectors, services
from community.outreach.forms import AsOfForm, MaterialForm, OutreachEventForm, OutreachFilterForm, ParticipantForm
from community.outreach.models import EventMaterial, EventParticipant, OutreachEvent
from compliance.core import access, keyset
from compliance.core.forms import add_service_errors
from compliance.core.models import User
from compliance.core.pages import PAGE_SIZE, change_agencies_or_403, initial_agency, require_change, several_agencies
from compliance.core.private_files import private_file_response
from incidents.corrective_actions.selectors import users_holding


def _event_or_404(request, public_id) -> OutreachEvent:
    return access.get_scoped_or_404(
        OutreachEvent.objects.select_related("agency"), request.user, access.VIEW, public_id=public_id
    )


@login_required
def outreach_list(request):
    """Events of the user's agencies, filtered by kind, an organisation taking part and the days held; latest first.

    Pages: keyset (``?cursor=``, ``compliance.core.keyset``, order ``selectors.EVENT_ORDER``; a bad cursor gives
    the first page), first / previous / next / last with the filters kept (``kind``, ``organisation``: a public
    id, ``held_from``/``held_to``: dates, ``agency``). A fixed number of queries at any size.
    """
    events_qs, only_agency = access.narrow_to_requested_agency(selectors.outreach_events_for(request.user), request)
    form = OutreachFilterForm(request.GET or None, organisations=organisation_choices_for(request.user))
    kept = {}
    if only_agency is not None:
        kept["agency"] = str(only_agency.public_id)
    if form.is_valid():
        if form.cleaned_data["kind"]:
            events_qs = events_qs.filter(kind=form.cleaned_data["kind"])
            kept["kind"] = form.cleaned_data["kind"]
        if form.cleaned_data["organisation"] is not None:
            events_qs = selectors.events_with_organisation(events_qs, form.cleaned_data["organisation"])
            kept["organisation"] = str(form.cleaned_data["organisation"].public_id)
        # The days held, the agency's local dates, both included (the dashboard's "this quarter" links here).
        if form.cleaned_data["held_from"]:
            events_qs = events_qs.filter(held_on__gte=form.cleaned_data["held_from"])
            kept["held_from"] = form.cleaned_data["held_from"].isoformat()
        if form.cleaned_data["held_to"]:
            events_qs = events_qs.filter(held_on__lte=form.cleaned_data["held_to"])
            kept["held_to"] = form.cleaned_data["held_to"].isoformat()
    cursor = keyset.cursor_decode(request.GET.get("cursor"), salt=selectors.EVENT_CURSOR_SALT)
    page = keyset.keyset_page([keyset.Segment(events_qs, selectors.EVENT_ORDER)], cursor, size=PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "links": keyset.page_links(page, kept, salt=selectors.EVENT_CURSOR_SALT),
        "pages_label": "Pages of the outreach events",
        "events": page.rows,
        "only_agency": only_agency,
        "several_agencies": several_agencies(request.user, only_agency),
        "can_create": access.holds_anywhere(request.user, access.CHANGE),
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
    """The event: its fields, participants (grouped), changes to participants, materials, commitments.

    ``?as_of=YYYY-MM-DD`` (an agency-local day) shows the fields and participants as they stood at the end
    of that day (``selectors.event_as_of``, ``selectors.participants_at``); a day before the event existed
    says so; a bad or future day is refused next to the field and the current state is shown.
    """
    event = _event_or_404(request, public_id)
    zone = event.agency.zone
    today = timezone.localdate(timezone=zone)
    as_of_form = AsOfForm(request.GET if "as_of" in request.GET else None, initial={"as_of": None})
    as_of_day = instant = None
    shown = event
    if as_of_form.is_bound and as_of_form.is_valid() and as_of_form.cleaned_data["as_of"]:
        day = as_of_form.cleaned_data["as_of"]
        if day > today:
            as_of_form.add_error("as_of", f"Choose a day up to today ({today.isoformat()}, the agency's date).")
        else:
            as_of_day, instant = day, selectors.end_of_local_day(day, zone)
            shown = selectors.event_as_of(event, instant)
    if as_of_form.errors:
        messages.error(request, "That date could not be used: the event is shown as it is now.")
    participants = selectors.participant_groups(selectors.participants_at(event, instant))
    can_change = access.can(request.user, access.CHANGE, event.agency)
    context = {
        "event": event,
        "shown": shown,
        "as_of_form": as_of_form,
        "as_of_day": as_of_day,
        "participants": participants,
        "changes": selectors.participant_changes(event, instant),
        "materials": list(selectors.event_materials(event, instant)),
        "can_change": can_change and as_of_day is None,
    }
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


def _participant_form(event: OutreachEvent, data=None) -> ParticipantForm:
    """The add-a-participant form: the agency's active parties not taking part now."""
    taking_part = EventParticipant.objects.filter(event=event, removed_at__isnull=True)
    organisations = (
        Organisation.objects.filter(agency=event.agency, active=True)
        .exclude(Exists(taking_part.filter(organisation=OuterRef("pk"))))
        .order_by("name", "pk")
    )
    contacts = (
        Contact.objects.filter(agency=event.agency, active=True)
        .exclude(Exists(taking_part.filter(contact=OuterRef("pk"))))
        .select_related("organisation")
        .order_by("name", "pk")
    )
    staff_ids = users_holding([event.agency.pk], access.CHANGE).get(event.agency.pk, set())
    staff = (
        User.objects.filter(pk__in=staff_ids, is_active=True)
        .exclude(Exists(taking_part.filter(staff=OuterRef("pk"))))
        .order_by("last_name", "first_name", "username")
    )
    return ParticipantForm(data, organisations=organisations, contacts=contacts, staff=staff)


@login_required
@require_http_methods(["GET", "POST"])
def participant_add(request, public_id):
    """Add an organisation, a contact or a member of staff to the event (CHANGE in its agency)."""
    event = _event_or_404(request, public_id)
    require_change(request.user, event.agency)
    form = _participant_form(event, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_add(
                event=event,
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                contact=form.cleaned_data["contact"],
                staff=form.cleaned_data["staff"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Participant added.")
            return redirect("community:outreach_detail", public_id=event.public_id)
    return render(request, "community/participant_form.html", {"form": form, "event": event})


@login_required
@require_http_methods(["GET", "POST"])
def participant_remove(request, public_id):
    """Remove a participant from its event (GET: the question; POST: the removal). Never deleted."""
    participant = access.get_scoped_or_404(
        EventParticipant.objects.select_related("event__agency", "organisation", "contact", "staff"),
        request.user,
        access.VIEW,
        agency_field="event__agency",
        public_id=public_id,
    )
    event = participant.event
    require_change(request.user, event.agency)
    if request.method == "POST":
        try:
            services.participant_remove(participant=participant, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Participant removed. The change is listed on the event's page.")
        return redirect("community:outreach_detail", public_id=event.public_id)
    return render(request, "community/participant_remove.html", {"participant": participant, "event": event})


@login_required
@require_http_methods(["GET", "POST"])
def material_add(request, public_id):
    """Upload a flyer, slide deck or handout shared at the event (CHANGE in its agency)."""
    event = _event_or_404(request, public_id)
    require_change(request.user, event.agency)
    posted = request.method == "POST"
    form = MaterialForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.material_add(
                event=event,
                actor=request.user,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Material added.")
            return redirect("community:outreach_detail", public_id=event.public_id)
    return render(request, "community/material_form.html", {"form": form, "event": event})


@login_required
@require_GET
def material_download(request, public_id):
    """One material, as a download (VIEW in its event's agency): access-logged, no-store, nosniff."""
    material = access.get_scoped_or_404(
        EventMaterial.objects.select_related("event__agency"),
        request.user,
        access.VIEW,
        agency_field="event__agency",
        public_id=public_id,
    )
    return private_file_response(
        request,
        record=material,
        stored_file=material.file,
        filename=services.material_download_name(material),
        content_type=material.content_type,
        agency=material.event.agency,
    )
