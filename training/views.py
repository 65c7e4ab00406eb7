"""Roster pages: thin views. Access through ``compliance.access``; writes through ``training.services``.

Who sees what: any user holding ``view_records`` in an agency sees its roster,
officers and courses; creating and changing needs ``change_records``. A user
without that permission (an auditor) gets 404 on every create/change page, GET
or POST, exactly like a record of another agency.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from compliance import access
from training import rules, selectors, services
from training.forms import CertificationForm, CourseForm, OfficerForm, RosterFilterForm, RosterImportForm
from training.importers import TEMPLATE_CSV, roster_import
from training.models import Course, Officer

PAGE_SIZE = 50


def _agency_or_404(request, perm: str):
    agency = access.current_agency(request, perm)
    if agency is None:
        raise Http404("No agency.")
    return agency


def _change_agencies_or_404(request):
    agencies = access.agencies_for(request.user, access.CHANGE).order_by("state", "name")
    if not agencies.exists():
        raise Http404("No agency.")
    return agencies


def _add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError next to the matching fields, the rest on top."""
    for field, messages_ in error.message_dict.items() if hasattr(error, "error_dict") else [("", error.messages)]:
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


def _with_agency(url: str, agency) -> str:
    return f"{url}?{urlencode({'agency': agency.public_id})}"


@login_required
@require_GET
def roster(request):
    agency = _agency_or_404(request, access.VIEW)
    today = rules.agency_today(agency)
    form = RosterFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    officers = selectors.roster_officers(
        agency=agency,
        today=today,
        status=filters.get("status", ""),
        officer_status=filters.get("officer_status", ""),
        search=filters.get("q", ""),
    )
    page_obj = Paginator(officers, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {key: value for key, value in filters.items() if value}
    kept["agency"] = agency.public_id
    agencies = list(access.agencies_for(request.user, access.VIEW).order_by("state", "name"))
    context = {
        "agency": agency,
        "agencies": agencies if len(agencies) > 1 else [],
        "today": today,
        "form": form,
        "page_obj": page_obj,
        "query_string": urlencode(kept),
        "counts": selectors.roster_status_counts(agency=agency, today=today),
        "can_change": access.can(request.user, access.CHANGE, agency),
    }
    return render(request, "training/roster.html", context)


@login_required
@require_GET
def officer_detail(request, public_id):
    officer = access.get_scoped_or_404(
        Officer.objects.select_related("agency", "supervisor"), request.user, access.VIEW, public_id=public_id
    )
    today = rules.agency_today(officer.agency)
    lines = selectors.officer_certification_lines(officer=officer, today=today)
    missing = selectors.officer_missing_courses(officer=officer)
    required_expiries = [
        line.certification.expires_on for line in lines if line.latest and line.certification.course.required
    ]
    status = rules.officer_roster_status(required_expiries + [None] * len(missing), today)
    context = {
        "officer": officer,
        "today": today,
        "lines": lines,
        "missing_courses": missing,
        "status": status,
        "status_label": rules.STATUS_LABELS[status],
        "can_change": access.can(request.user, access.CHANGE, officer.agency),
    }
    return render(request, "training/officer_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def officer_create(request):
    agencies = _change_agencies_or_404(request)
    initial_agency = access.current_agency(request, access.CHANGE)
    form = OfficerForm(
        request.POST or None,
        agencies=agencies,
        agency_initial=initial_agency,
        supervisors=selectors.supervisor_choices(agencies=agencies),
    )
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "agency"}
        try:
            officer = services.officer_create(actor=request.user, agency=form.chosen_agency(), **data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, "Officer added to the roster.")
            return redirect("training:officer_detail", public_id=officer.public_id)
    return render(request, "training/officer_form.html", {"form": form, "officer": None})


@login_required
@require_http_methods(["GET", "POST"])
def officer_edit(request, public_id):
    officer = access.get_scoped_or_404(
        Officer.objects.select_related("agency", "supervisor"), request.user, access.CHANGE, public_id=public_id
    )
    initial = {name: getattr(officer, name) for name in services.OFFICER_FIELDS}
    form = OfficerForm(
        request.POST or None, initial=initial, supervisors=selectors.supervisor_choices(agencies=[officer.agency])
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.officer_update(actor=request.user, officer=officer, data=form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, "Officer saved.")
            return redirect("training:officer_detail", public_id=officer.public_id)
    return render(request, "training/officer_form.html", {"form": form, "officer": officer})


@login_required
@require_http_methods(["GET", "POST"])
def certification_create(request, public_id):
    officer = access.get_scoped_or_404(
        Officer.objects.select_related("agency"), request.user, access.CHANGE, public_id=public_id
    )
    courses = access.scope(Course.objects.filter(agency=officer.agency), request.user, access.CHANGE).order_by("code")
    form = CertificationForm(request.POST or None, courses=courses)
    if request.method == "POST" and form.is_valid():
        try:
            certification = services.certification_record(actor=request.user, officer=officer, **form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, f"Certification recorded; last valid day {certification.expires_on.isoformat()}.")
            return redirect("training:officer_detail", public_id=officer.public_id)
    return render(request, "training/certification_form.html", {"form": form, "officer": officer})


@login_required
@require_GET
def course_list(request):
    agency = _agency_or_404(request, access.VIEW)
    courses = access.scope(Course.objects.filter(agency=agency), request.user, access.VIEW).order_by("code")
    agencies = list(access.agencies_for(request.user, access.VIEW).order_by("state", "name"))
    context = {
        "agency": agency,
        "agencies": agencies if len(agencies) > 1 else [],
        "courses": courses,
        "can_change": access.can(request.user, access.CHANGE, agency),
    }
    return render(request, "training/course_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request):
    agencies = _change_agencies_or_404(request)
    form = CourseForm(
        request.POST or None, agencies=agencies, agency_initial=access.current_agency(request, access.CHANGE)
    )
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "agency"}
        agency = form.chosen_agency()
        try:
            services.course_create(actor=request.user, agency=agency, **data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, "Course added.")
            return redirect(_with_agency(reverse("training:course_list"), agency))
    return render(request, "training/course_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def roster_import_view(request):
    agencies = _change_agencies_or_404(request)
    form = RosterImportForm(
        request.POST or None,
        request.FILES or None,
        agencies=agencies,
        agency_initial=access.current_agency(request, access.CHANGE),
    )
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        agency = form.chosen_agency()
        result = roster_import(
            actor=request.user,
            agency=agency,
            data=upload.read(),
            file_name=upload.name,
            encoding=form.cleaned_data["encoding"],
        )
        if result.ok:
            messages.success(
                request,
                f"Imported {result.file_name}: {result.officers_created} officers added, "
                f"{result.officers_updated} updated, {result.certifications_created} certifications recorded"
                + (
                    f" ({result.certifications_already_recorded} already on file)"
                    if result.certifications_already_recorded
                    else ""
                )
                + ".",
            )
            return redirect(_with_agency(reverse("training:roster"), agency))
    return render(request, "training/roster_import.html", {"form": form, "result": result})


@login_required
@require_GET
def roster_import_template(request):
    # The byte order mark makes Excel open the template as UTF-8 (accented names survive).
    response = HttpResponse("\ufeff" + TEMPLATE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="roster-import-template.csv"'
    return response
