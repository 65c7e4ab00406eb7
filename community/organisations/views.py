"""Organisation and contact pages: lists (search, filters), add, detail, edit, deactivate/reactivate.

Thin: forms validate, services write (and check permissions), selectors read through
``compliance.core.access``. Another agency's organisation or contact answers 404; an auditor's
write answers 403. A contact's page shows personal data (e-mail, phone): each view is access-logged
(SECURITY.md D3); the contact list is filtered by organisation, never searched by a person's name in the URL.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from community.organisations import selectors, services
from community.organisations.forms import ContactFilterForm, ContactForm, OrganisationFilterForm, OrganisationForm
from community.organisations.models import Contact, Organisation
from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.models import AccessLog, access_log_record
from compliance.core.pages import change_agencies_or_403, initial_agency, paginate, require_change, several_agencies


def _organisation_or_404(request, public_id) -> Organisation:
    return access.get_scoped_or_404(
        Organisation.objects.select_related("agency"), request.user, access.VIEW, public_id=public_id
    )


def _contact_or_404(request, public_id) -> Contact:
    return access.get_scoped_or_404(
        Contact.objects.select_related("agency", "organisation"), request.user, access.VIEW, public_id=public_id
    )


def _by_status(queryset, status: str):
    if status == "all":
        return queryset
    return queryset.filter(active=status != "inactive")


def _query_string(request, only_agency) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    if only_agency is not None:
        params["agency"] = str(only_agency.public_id)
    return params.urlencode()


@login_required
def organisation_list(request):
    """Organisations of the user's agencies: search by name (``name_key``), filter by kind and status."""
    queryset, only_agency = access.narrow_to_requested_agency(selectors.organisations_for(request.user), request)
    form = OrganisationFilterForm(request.GET or None)
    if form.is_valid():
        queryset = selectors.search_by_name(queryset, form.cleaned_data["q"])
        if form.cleaned_data["kind"]:
            queryset = queryset.filter(kind=form.cleaned_data["kind"])
        queryset = _by_status(queryset, form.cleaned_data["status"])
    else:
        queryset = _by_status(queryset, "") if not form.is_bound else queryset.none()
    page = paginate(request, queryset)
    context = {
        "form": form,
        "page_obj": page,
        "organisations": list(page.object_list),
        "only_agency": only_agency,
        "query_string": _query_string(request, only_agency),
        "several_agencies": several_agencies(request.user, only_agency),
        "can_create": access.holds_anywhere(request.user, access.CHANGE),
    }
    return render(request, "community/organisations/organisation_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    """Add an organisation (CHANGE in some agency; an auditor → 403)."""
    agencies = change_agencies_or_403(request.user)
    form = OrganisationForm(
        request.POST or None, agencies=agencies, initial={"agency": initial_agency(request.user, agencies)}
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "agency"}
        try:
            organisation = services.organisation_create(agency=form.selected_agency(), actor=request.user, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Organisation added.")
            return redirect("community:organisation_detail", public_id=organisation.public_id)
    return render(request, "community/organisations/organisation_form.html", {"form": form, "organisation": None})


@login_required
def organisation_detail(request, public_id):
    """An organisation: its details, contacts, the events it took part in, committee members from it."""
    organisation = _organisation_or_404(request, public_id)
    context = {
        "organisation": organisation,
        "contacts": list(organisation.contacts.order_by("name", "pk")),
        "participations": list(selectors.organisation_participations(organisation)),
        "committee_members": list(selectors.organisation_committee_members(organisation)),
        "can_change": services.may_change(request.user, organisation.agency),
    }
    return render(request, "community/organisations/organisation_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, public_id):
    """Change an organisation's name, kind, website, notes (CHANGE in its agency)."""
    organisation = _organisation_or_404(request, public_id)
    require_change(request.user, organisation.agency)
    if request.method == "POST":
        form = OrganisationForm(request.POST, agencies=[organisation.agency], agency=organisation.agency)
        if form.is_valid():
            try:
                services.organisation_update(organisation=organisation, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Organisation updated.")
                return redirect("community:organisation_detail", public_id=organisation.public_id)
    else:
        initial = {name: getattr(organisation, name) for name in services.ORGANISATION_FIELDS}
        form = OrganisationForm(initial=initial, agencies=[organisation.agency], agency=organisation.agency)
    return render(
        request, "community/organisations/organisation_form.html", {"form": form, "organisation": organisation}
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_status(request, public_id):
    """Deactivate or reactivate an organisation (GET: the question; POST ``active=0|1``: the answer)."""
    organisation = _organisation_or_404(request, public_id)
    require_change(request.user, organisation.agency)
    if request.method == "POST":
        active = request.POST.get("active") == "1"
        services.organisation_set_active(organisation=organisation, actor=request.user, active=active)
        messages.success(request, "Organisation reactivated." if active else "Organisation deactivated.")
        return redirect("community:organisation_detail", public_id=organisation.public_id)
    return render(
        request,
        "community/organisations/status_confirm.html",
        {
            "record": organisation,
            "what": "organisation",
            "back": "community:organisation_detail",
        },
    )


@login_required
def contact_list(request):
    """Contacts of the user's agencies, filtered by organisation and status. Names and organisations only.

    No search by a person's name here: it would put the name in the URL (personal data never in URLs);
    the organisation filter and the organisation pages find a contact.
    """
    queryset, only_agency = access.narrow_to_requested_agency(selectors.contacts_for(request.user), request)
    form = ContactFilterForm(request.GET or None, organisations=selectors.organisation_choices_for(request.user))
    if form.is_valid():
        if form.cleaned_data["organisation"] is not None:
            queryset = queryset.filter(organisation=form.cleaned_data["organisation"])
        queryset = _by_status(queryset, form.cleaned_data["status"])
    else:
        queryset = _by_status(queryset, "") if not form.is_bound else queryset.none()
    page = paginate(request, queryset)
    context = {
        "form": form,
        "page_obj": page,
        "contacts": list(page.object_list),
        "only_agency": only_agency,
        "query_string": _query_string(request, only_agency),
        "several_agencies": several_agencies(request.user, only_agency),
        "can_create": access.holds_anywhere(request.user, access.CHANGE),
    }
    return render(request, "community/organisations/contact_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request):
    """Add a contact (CHANGE in some agency; an auditor → 403)."""
    agencies = change_agencies_or_403(request.user)
    initial = {"agency": initial_agency(request.user, agencies)}
    wanted = request.GET.get("organisation") or ""
    if _is_uuid(wanted):  # "Add a contact" from an organisation's page pre-selects it
        initial["organisation"] = access.scope(
            Organisation.objects.filter(public_id=wanted), request.user, access.CHANGE
        ).first()
    form = ContactForm(request.POST or None, agencies=agencies, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "agency"}
        try:
            contact = services.contact_create(agency=form.selected_agency(), actor=request.user, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Contact added.")
            return redirect("community:contact_detail", public_id=contact.public_id)
    return render(request, "community/organisations/contact_form.html", {"form": form, "contact": None})


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@login_required
def contact_detail(request, public_id):
    """A contact's details (personal data: access-logged, SECURITY.md D3) and the events they took part in."""
    contact = _contact_or_404(request, public_id)
    access_log_record(request, action=AccessLog.Action.VIEW, record=contact)
    context = {
        "contact": contact,
        "participations": list(selectors.contact_participations(contact)),
        "can_change": services.may_change(request.user, contact.agency),
    }
    return render(request, "community/organisations/contact_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, public_id):
    """Change a contact's details (CHANGE in its agency); the form shows personal data: access-logged."""
    contact = _contact_or_404(request, public_id)
    require_change(request.user, contact.agency)
    if request.method == "POST":
        form = ContactForm(request.POST, agencies=[contact.agency], agency=contact.agency)
        if form.is_valid():
            try:
                services.contact_update(contact=contact, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Contact updated.")
                return redirect("community:contact_detail", public_id=contact.public_id)
    else:
        access_log_record(request, action=AccessLog.Action.VIEW, record=contact)
        initial = {name: getattr(contact, name) for name in services.CONTACT_FIELDS}
        form = ContactForm(initial=initial, agencies=[contact.agency], agency=contact.agency)
    return render(request, "community/organisations/contact_form.html", {"form": form, "contact": contact})


@login_required
@require_http_methods(["GET", "POST"])
def contact_status(request, public_id):
    """Deactivate or reactivate a contact (GET: the question; POST ``active=0|1``: the answer)."""
    contact = _contact_or_404(request, public_id)
    require_change(request.user, contact.agency)
    if request.method == "POST":
        active = request.POST.get("active") == "1"
        services.contact_set_active(contact=contact, actor=request.user, active=active)
        messages.success(request, "Contact reactivated." if active else "Contact deactivated.")
        return redirect("community:contact_detail", public_id=contact.public_id)
    return render(
        request,
        "community/organisations/status_confirm.html",
        {"record": contact, "what": "contact", "back": "community:contact_detail"},
    )
